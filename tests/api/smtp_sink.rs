//! A real SMTP server on loopback for the tests: it speaks just enough SMTP for lettre, keeps
//! every message it accepts, and can be stopped and started again on the same port (a mail
//! server outage).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
    running: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SmtpSink {
    pub fn start() -> Self {
        Self::start_on(0, Arc::new(Mutex::new(Vec::new())))
    }

    fn start_on(port: u16, messages: Arc<Mutex<Vec<String>>>) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP sink");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("address").port();
        let running = Arc::new(AtomicBool::new(true));
        let (store, flag) = (messages.clone(), running.clone());
        let thread = std::thread::spawn(move || {
            while flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (store, flag) = (store.clone(), flag.clone());
                        std::thread::spawn(move || serve(stream, &store, &flag));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self { port, messages, running, thread: Some(thread) }
    }

    /// Every accepted message, raw.
    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().expect("lock").clone()
    }

    /// Stops listening and drops open connections, as a crashed mail server would.
    pub fn stop(&mut self) {
        self.running.store(false, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Listens again on the same port, keeping what arrived before.
    pub fn restart(&mut self) {
        self.stop();
        *self = Self::start_on(self.port, self.messages.clone());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(stream: TcpStream, store: &Mutex<Vec<String>>, running: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    let mut reply = |text: &str| writer.write_all(text.as_bytes()).is_ok();
    if !reply("220 sink ESMTP\r\n") {
        return;
    }
    let mut line = String::new();
    loop {
        if !running.load(Ordering::SeqCst) {
            return;
        }
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                continue
            }
            Err(_) => return,
        }
        let command = line.trim_end().to_ascii_uppercase();
        let ok = if command.starts_with("EHLO") || command.starts_with("HELO") {
            reply("250-sink\r\n250 8BITMIME\r\n")
        } else if command.starts_with("DATA") {
            if !reply("354 go ahead\r\n") {
                return;
            }
            let mut message = String::new();
            loop {
                let mut data = String::new();
                match reader.read_line(&mut data) {
                    Ok(0) => return,
                    Ok(_) if data == ".\r\n" => break,
                    Ok(_) => message.push_str(&data),
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) =>
                    {
                        if !running.load(Ordering::SeqCst) {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
            store.lock().expect("lock").push(message);
            reply("250 queued\r\n")
        } else if command.starts_with("QUIT") {
            let _ = reply("221 bye\r\n");
            return;
        } else {
            reply("250 OK\r\n")
        };
        if !ok {
            return;
        }
    }
}

/// A header's value in a raw message (unfolded).
pub fn header(message: &str, name: &str) -> Option<String> {
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let mut lines = message.split("\r\n").peekable();
    while let Some(line) = lines.next() {
        if line.to_ascii_lowercase().starts_with(&prefix) {
            let mut value = line[prefix.len()..].trim().to_owned();
            while lines.peek().is_some_and(|l| l.starts_with(' ') || l.starts_with('\t')) {
                value.push(' ');
                value.push_str(lines.next().unwrap_or_default().trim());
            }
            return Some(value);
        }
        if line.is_empty() {
            return None;
        }
    }
    None
}
