//! Sending over SMTP with lettre: one pooled transport for the life of the process, timeouts,
//! and a `Message-ID` fixed per message (the outbox row's), so a message sent again after a
//! crash is recognisable as the same one. What to send and when is the outbox's business.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{Message, SmtpTransport, Transport};

use crate::config::{ConfigError, Environment};

/// Stands in a body where the public address goes, for the mailer to fill in.
pub const BASE_URL: &str = "{base_url}";

/// One email as it leaves.
pub struct Outgoing<'a> {
    /// Stable across attempts: the `Message-ID` is made from it.
    pub id: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    /// Whether [`BASE_URL`] in the bodies is a link to fill in (only what Pactum wrote itself).
    pub fill_in_links: bool,
}

pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    /// Fills the `{base_url}` placeholder of links.
    public_url: String,
}

/// The host of an `smtp://` or `smtps://` URL, without user, port or path.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(bracketed) = host_port.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or_default();
    }
    host_port.split(':').next().unwrap_or_default()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Mailer {
    /// Checks the URL: `smtps://`, or `smtp://` with `tls=required`; plain `smtp://` only to a
    /// loopback host (in development also to another host, with a warning).
    pub fn new(
        url: &str,
        from: &str,
        public_url: &str,
        environment: Environment,
    ) -> Result<Self, ConfigError> {
        let invalid = |why: &str| ConfigError::Invalid(format!("PACTUM_SMTP_URL: {why}"));
        let encrypted = url.starts_with("smtps://") || url.contains("tls=required");
        if !url.starts_with("smtp://") && !url.starts_with("smtps://") {
            return Err(invalid("must start with smtp:// or smtps://"));
        }
        if !encrypted && !is_loopback(host_of(url)) {
            if environment == Environment::Production {
                return Err(invalid(
                    "use smtps:// or smtp://...?tls=required; plain smtp:// only reaches this machine",
                ));
            }
            tracing::warn!(
                host = host_of(url),
                "sending mail without TLS to another host; only for development"
            );
        }
        let transport = SmtpTransport::from_url(url)
            .map_err(|_| invalid("not a valid SMTP URL"))?
            .timeout(Some(Duration::from_secs(20)))
            .pool_config(PoolConfig::new().max_size(4))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| ConfigError::Invalid("PACTUM_MAIL_FROM is not an address".into()))?;
        Ok(Self { transport, from, public_url: public_url.to_owned() })
    }

    /// The `Message-ID` of a message, the same on every attempt.
    pub fn message_id(message: &Outgoing<'_>) -> String {
        format!("<{}@outbox.pactum>", message.id)
    }

    fn fill_in(&self, message: &Outgoing<'_>, body: &str) -> String {
        if message.fill_in_links {
            body.replace(BASE_URL, &self.public_url)
        } else {
            body.to_owned()
        }
    }

    pub fn send(&self, message: &Outgoing<'_>) -> Result<(), String> {
        let to = message.recipient.parse::<Mailbox>().map_err(|e| format!("bad recipient: {e}"))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject)
            .message_id(Some(Self::message_id(message)))
            .multipart(MultiPart::alternative_plain_html(
                self.fill_in(message, message.body_text),
                self.fill_in(message, message.body_html),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport.send(&email).map(drop).map_err(|e| format!("{e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_smtp_only_reaches_this_machine_in_production() {
        assert!(Mailer::new(
            "smtp://127.0.0.1:2525",
            "Pactum <p@x.nl>",
            "https://p.nl",
            Environment::Production
        )
        .is_ok());
        assert!(Mailer::new(
            "smtp://mail.example.nl:25",
            "Pactum <p@x.nl>",
            "https://p.nl",
            Environment::Production
        )
        .is_err());
        assert!(Mailer::new(
            "smtp://mail.example.nl:587?tls=required",
            "Pactum <p@x.nl>",
            "https://p.nl",
            Environment::Production
        )
        .is_ok());
        assert!(Mailer::new(
            "smtps://user:pw@mail.example.nl",
            "Pactum <p@x.nl>",
            "https://p.nl",
            Environment::Production
        )
        .is_ok());
        assert!(Mailer::new("http://x", "Pactum <p@x.nl>", "https://p.nl", Environment::Development).is_err());
        assert_eq!(host_of("smtp://u:p@[::1]:25"), "::1");
        assert!(is_loopback(host_of("smtp://localhost:1025")));
    }
}
