//! A real headless Chromium (Debian's `chromium` and `chromedriver`) driven over WebDriver, and
//! axe-core injected into each page to check it against the WCAG 2.1 A and AA rules.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub struct Browser {
    pub client: Client,
    driver: Child,
}

/// Where axe-core is: `PACTUM_AXE_JS`, else where `.ci/run` installs it.
fn axe_source() -> String {
    let path = std::env::var_os("PACTUM_AXE_JS").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/.node/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is missing at {} ({e}): run `npm install --prefix .ci/.node axe-core`",
            path.display()
        )
    })
}

fn installed() -> bool {
    let found = Command::new("chromedriver").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true but chromedriver is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!("NOTICE: chromium-driver is not installed; the browser tests are skipped.");
    }
    found
}

impl Browser {
    /// A fresh headless browser; `None` (with a notice) where Chromium is not installed outside CI.
    pub async fn start(javascript: bool) -> Option<Self> {
        if !installed() {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut args =
            vec!["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=nl"];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false");
        }
        let capabilities = json!({"goog:chromeOptions": {"args": args, "binary": "/usr/bin/chromium"}});
        let capabilities = capabilities.as_object().unwrap().clone();
        for _ in 0..100 {
            if let Ok(client) = ClientBuilder::native()
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                return Some(Self { client, driver });
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        let mut driver = driver;
        let _ = driver.kill();
        let _ = driver.wait();
        panic!("chromedriver did not answer on port {port}");
    }

    pub async fn width(&self, width: u32) {
        self.client.set_window_size(width, 900).await.expect("resize");
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("open the page");
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        // A page still being replaced has no body to read yet: try again for a few seconds.
        for _ in 0..100 {
            if let Ok(body) = self.client.find(Locator::Css("body")).await {
                if let Ok(text) = body.text().await {
                    return text;
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page has no readable body")
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        self.client.find(Locator::Css(css)).await.expect("element").attr(name).await.expect("attribute")
    }

    /// Types into the field whose label says `label`, as a person finds it.
    pub async fn fill(&self, label: &str, value: &str) {
        let label = self
            .client
            .find(Locator::XPath(&format!("//label[normalize-space()=\"{label}\"]")))
            .await
            .unwrap_or_else(|_| panic!("a field labelled {label}"));
        let id = label.attr("for").await.unwrap().expect("the label names its field");
        let field = self.client.find(Locator::Id(&id)).await.expect("the labelled field");
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    /// Chooses files in the file input whose label says `label`, several at once, as a person
    /// picks them from a phone's gallery.
    pub async fn attach(&self, label: &str, files: &[&std::path::Path]) {
        let label = self
            .client
            .find(Locator::XPath(&format!("//label[normalize-space()=\"{label}\"]")))
            .await
            .unwrap_or_else(|_| panic!("a file field labelled {label}"));
        let id = label.attr("for").await.unwrap().expect("the label names its field");
        let field = self.client.find(Locator::Id(&id)).await.expect("the labelled field");
        let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        field.send_keys(&paths.join("\n")).await.expect("choose the files");
    }

    /// Ticks the checkbox whose label says `label`.
    pub async fn tick(&self, label: &str) {
        let label = self
            .client
            .find(Locator::XPath(&format!("//label[normalize-space()=\"{label}\"]")))
            .await
            .unwrap_or_else(|_| panic!("a checkbox labelled {label}"));
        let id = label.attr("for").await.unwrap().expect("the label names its box");
        self.client.find(Locator::Id(&id)).await.expect("the box").click().await.expect("tick");
    }

    /// Follows the link that says `text`, and waits for the next page.
    pub async fn follow(&self, text: &str) {
        let link =
            self.client.find(Locator::LinkText(text)).await.unwrap_or_else(|_| panic!("a link {text}"));
        self.navigate_by(link).await;
    }

    /// Presses the button that says `text`, and waits for the next page.
    pub async fn press(&self, text: &str) {
        let button = self
            .client
            .find(Locator::XPath(&format!("//button[normalize-space()='{text}']")))
            .await
            .unwrap_or_else(|_| panic!("a button {text}"));
        self.navigate_by(button).await;
    }

    /// Clicks, then waits until the page it was on is gone and the next one has loaded, as a
    /// person waits before reading it (a busy machine may take its time).
    async fn navigate_by(&self, element: fantoccini::elements::Element) {
        let before = self.client.find(Locator::Css("html")).await.expect("a page");
        element.click().await.expect("click");
        for _ in 0..300 {
            if before.tag_name().await.is_err() {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        for _ in 0..300 {
            match self.client.execute("return document.readyState", vec![]).await {
                Ok(state) if state != "complete" => {}
                // Loaded, or a page without JavaScript, where the staleness above has to do.
                _ => return,
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// axe-core's WCAG 2.1 A and AA violations on the page, each as `id: help (targets)`.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        self.client.execute(&axe_source(), vec![]).await.expect("inject axe-core");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                    .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' ' + JSON.stringify(v.nodes.map(n => n.target)))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        match result {
            Value::Array(items) => {
                items.into_iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
            }
            other => vec![format!("unexpected axe result: {other}")],
        }
    }

    /// Checks the page at desktop width, at 640 px (a 1280 px screen at 200 % zoom) and at
    /// 320 px (400 %): no axe-core violations, and the content reflows instead of making the
    /// person scroll sideways (WCAG 1.4.4 and 1.4.10).
    pub async fn assert_accessible(&self) {
        for width in [1280, 640, 320] {
            self.width(width).await;
            let violations = self.accessibility_violations().await;
            assert!(violations.is_empty(), "{} at {width} px: {violations:#?}", self.path().await);
            let wider = self
                .client
                .execute(
                    "const width = document.documentElement.clientWidth;
                     if (document.documentElement.scrollWidth <= width) return [];
                     return [document.documentElement.scrollWidth + ' > ' + width, ...document.querySelectorAll('body *')]
                        .filter(e => typeof e == 'string' || e.getBoundingClientRect().right > width + 1 || (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1))
                        .map(e => typeof e == 'string' ? e : e.tagName.toLowerCase() + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40))
                        .slice(0, 6);",
                    vec![],
                )
                .await
                .expect("measure the page");
            assert_eq!(wider, Value::Array(vec![]), "{} at {width} px scrolls sideways", self.path().await);
        }
    }

    /// Presses keys on whatever has the focus, as someone without a mouse does (`Key::Tab`...).
    pub async fn keys(&self, keys: &str) {
        let focused = self.client.active_element().await.expect("something has the focus");
        focused.send_keys(keys).await.expect("press keys");
    }

    /// What has the focus: `(id, text, whether it shows a focus outline and is on screen)`.
    pub async fn focus(&self) -> (String, String, bool) {
        let found = self
            .client
            .execute(
                "const e = document.activeElement, style = getComputedStyle(e), box = e.getBoundingClientRect();
                 return [e.id, e.textContent.trim(),
                         style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
                           && box.left >= 0 && box.top >= 0 && box.width > 0];",
                vec![],
            )
            .await
            .expect("read the focus");
        let id = found[0].as_str().unwrap_or_default().to_owned();
        (id, found[1].as_str().unwrap_or_default().to_owned(), found[2].as_bool().unwrap_or(false))
    }

    /// Waits until the address is `path` (after a form sent with the keyboard).
    pub async fn wait_for_path(&self, path: &str) {
        for _ in 0..200 {
            if self.path().await == path {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never reached {path}; at {}", self.path().await);
    }

    /// Chooses the option that says `option` in the list labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) {
        let label = self
            .client
            .find(Locator::XPath(&format!("//label[normalize-space()=\"{label}\"]")))
            .await
            .unwrap_or_else(|_| panic!("a list labelled {label}"));
        let id = label.attr("for").await.unwrap().expect("the label names its list");
        let xpath = format!("//select[@id='{id}']/option[normalize-space()=\"{option}\"]");
        self.client.find(Locator::XPath(&xpath)).await.expect("the option").click().await.expect("choose");
    }

    /// Posts a form the page does not offer, with the browser's own CSRF token (read from the
    /// sign-out form): what someone could forge. Waits for the answer page.
    pub async fn forge(&self, action: &str, fields: Value) {
        self.client
            .execute(
                "const [action, fields] = arguments;
                 const form = document.createElement('form');
                 form.method = 'post';
                 form.action = action;
                 const add = (name, value) => {
                     const input = document.createElement('input');
                     input.type = 'hidden'; input.name = name; input.value = value;
                     form.appendChild(input);
                 };
                 add('csrf', document.querySelector('input[name=csrf]').value);
                 for (const [name, value] of Object.entries(fields)) add(name, value);
                 document.body.appendChild(form);
                 form.submit();",
                vec![Value::from(action), fields],
            )
            .await
            .expect("post the forged form");
        self.wait_for_path(action).await;
        for _ in 0..200 {
            if let Ok(state) = self.client.execute("return document.readyState", vec![]).await {
                if state == "complete" {
                    return;
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens the `<details>` whose summary says `text`.
    pub async fn open_details(&self, text: &str) {
        self.client
            .find(Locator::XPath(&format!("//summary[normalize-space()='{text}']")))
            .await
            .unwrap_or_else(|_| panic!("a summary {text}"))
            .click()
            .await
            .expect("open");
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
