//! `TestApp`: a real Pactum server on a random loopback port with its own migrated database,
//! on SQLite (a temp file) or PostgreSQL (a fresh database, dropped afterwards).

use std::sync::OnceLock;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::{header::HeaderMap, Method};
use actix_web::web::{self, Bytes};
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use pactum::config::{ServeArgs, Settings};
use pactum::db::DbTarget;
use pactum::startup::{Application, ExtraRoutes};
use pactum::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL.
/// `with_routes(ROUTES): ...` adds test-only routes beside the real ones.
#[macro_export]
macro_rules! on_both_backends {
    (with_routes($routes:expr): $($name:ident),+ $(,)?) => {
        $(mod $name {
            #[actix_web::test]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Sqlite, $routes).await;
                if let Some(app) = app { super::$name(app).await }
            }
            #[actix_web::test]
            async fn postgres() {
                let app = $crate::helpers::TestApp::spawn_with($crate::helpers::Backend::Postgres, $routes).await;
                if let Some(app) = app { super::$name(app).await }
            }
        })+
    };
    ($($name:ident),+ $(,)?) => {
        $crate::on_both_backends!(with_routes(|_| {}): $($name),+);
    };
}

/// Runs each named `async fn(Backend)` once per backend, for tests that start their own app
/// (with an SMTP server or other flags).
#[macro_export]
macro_rules! on_each_backend {
    ($($name:ident),+ $(,)?) => {
        $(mod $name {
            #[actix_web::test]
            async fn sqlite() { super::$name($crate::helpers::Backend::Sqlite).await }
            #[actix_web::test]
            async fn postgres() { super::$name($crate::helpers::Backend::Postgres).await }
        })+
    };
}

/// Where the PostgreSQL test databases are created (any database on the server will do).
fn postgres_admin_url() -> String {
    std::env::var("PACTUM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Whether PostgreSQL can be used. Outside CI an unreachable server skips the PostgreSQL cases
/// with one notice; with `CI=true` it fails the run.
fn postgres_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| match PgConnection::establish(&postgres_admin_url()) {
        Ok(_) => true,
        Err(err) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but PostgreSQL is unreachable at {}: {err}", postgres_admin_url())
        }
        Err(err) => {
            eprintln!(
                "NOTICE: PostgreSQL is unreachable ({err}); the PostgreSQL test cases are skipped. \
                 Start it or set PACTUM_TEST_POSTGRES_URL."
            );
            false
        }
    })
}

/// An isolated, empty database; removed when dropped.
pub struct TestDatabase {
    pub target: DbTarget,
    /// Also the data folder of the app under test.
    pub dir: tempfile::TempDir,
    postgres_name: Option<String>,
}

impl TestDatabase {
    /// `None` when the backend is PostgreSQL and it is unreachable outside CI.
    pub fn create(backend: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => Some(Self {
                target: DbTarget::Sqlite(dir.path().join("pactum.db")),
                dir,
                postgres_name: None,
            }),
            Backend::Postgres => {
                if !postgres_available() {
                    return None;
                }
                let name = format!("pactum_test_{}", uuid::Uuid::now_v7().simple());
                let admin = postgres_admin_url();
                let mut conn = PgConnection::establish(&admin).expect("connect to PostgreSQL");
                conn.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
                Some(Self {
                    target: DbTarget::Postgres(format!("{base}/{name}")),
                    dir,
                    postgres_name: Some(name),
                })
            }
        }
    }

    /// The same database, not owned: for a second server beside the app that created it (the
    /// first one drops it).
    pub fn shared(&self) -> Self {
        Self { target: self.target.clone(), dir: tempfile::tempdir().expect("temp dir"), postgres_name: None }
    }

    pub fn url(&self) -> String {
        match &self.target {
            DbTarget::Sqlite(path) => format!("sqlite://{}", path.display()),
            DbTarget::Postgres(url) => url.clone(),
        }
    }

    /// Drops the PostgreSQL database at once, even with connections open (a database outage).
    pub fn drop_now(&mut self) {
        if let Some(name) = self.postgres_name.take() {
            if let Ok(mut conn) = PgConnection::establish(&postgres_admin_url()) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        self.drop_now();
    }
}

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub token: String,
}

pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    pub state: web::Data<AppState>,
    pub client: awc::Client,
    pub handle: ServerHandle,
    pub database: TestDatabase,
}

/// A response, read in full.
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with this status and code that names this request, and
    /// returns the body for further checks.
    pub fn assert_problem(&self, status: u16, code: &str) -> serde_json::Value {
        assert_eq!(self.status, status, "status; body: {}", self.text());
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "content type");
        let body = self.json();
        assert_eq!(body["status"], status);
        assert_eq!(body["code"], code, "code; body: {body}");
        assert_eq!(body["type"], format!("https://pactum.example/problems/{}", code.replace('_', "-")));
        assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "title: {body}");
        assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()), "detail: {body}");
        let request_id = self.header("x-request-id").expect("X-Request-Id header");
        assert_eq!(body["request_id"], request_id, "request_id matches the header");
        body
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, extra_routes: ExtraRoutes) -> Option<Self> {
        Self::spawn_configured(backend, extra_routes, &[]).await
    }

    /// With extra `serve` flags, e.g. an SMTP server.
    pub async fn spawn_configured(
        backend: Backend,
        extra_routes: ExtraRoutes,
        flags: &[&str],
    ) -> Option<Self> {
        let database = TestDatabase::create(backend)?;
        let settings = test_settings(&database, flags);
        Some(Self::start(backend, database, settings, extra_routes))
    }

    /// A second server on this app's database and data folder (so the same generated keys), as
    /// a second `pactum serve` behind the same proxy would be: its own pool, limiters and
    /// workers. Its `database` does not own the database; this app drops it.
    pub fn spawn_beside(&self, flags: &[&str]) -> Self {
        let data_dir = self.database.dir.path().to_str().expect("utf-8 temp path");
        let settings = settings_for(&self.database.url(), data_dir, flags);
        Self::start(self.backend, self.database.shared(), settings, |_| {})
    }

    fn start(
        backend: Backend,
        database: TestDatabase,
        settings: Settings,
        extra_routes: ExtraRoutes,
    ) -> Self {
        let app = Application::build_with(settings, extra_routes).expect("the app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state();
        let server = app.into_server();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let client = awc::Client::builder().timeout(Duration::from_secs(30)).disable_redirects().finish();
        Self { address, backend, state, client, handle, database }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn request(&self, method: Method, path: &str) -> awc::ClientRequest {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path), None).await
    }

    /// Creates a user directly (as `pactum user create` does) and returns their id.
    pub async fn create_user(&self, email: &str, name: &str, platform_admin: bool) -> String {
        let (email, name) = (email.to_owned(), name.to_owned());
        self.state
            .db
            .run(move |conn| {
                pactum::identity::service::create_user(
                    conn,
                    pactum::identity::service::CreateUser {
                        email: &email,
                        name: &name,
                        password: PASSWORD,
                        locale: pactum::domain::Locale::Nl,
                        is_platform_admin: platform_admin,
                    },
                )
            })
            .await
            .expect("user created")
            .id
    }

    /// Signs in and returns the token response.
    pub async fn login(&self, email: &str) -> serde_json::Value {
        let reply = self
            .post_json("/api/v1/auth/login", &serde_json::json!({"email": email, "password": PASSWORD}))
            .await;
        assert_eq!(reply.status, 200, "login {email}: {}", reply.text());
        reply.json()
    }

    /// A signed-in user: creates them and returns their access token.
    pub async fn signed_in(&self, email: &str, name: &str, platform_admin: bool) -> User {
        let id = self.create_user(email, name, platform_admin).await;
        let tokens = self.login(email).await;
        User { id, email: email.to_owned(), token: tokens["access_token"].as_str().unwrap().to_owned() }
    }

    /// Sends a request as `user`, with an optional JSON body (a POST with a fresh
    /// `Idempotency-Key`, as careful clients send it).
    pub async fn call(
        &self,
        user: &User,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let keyed = method == Method::POST;
        let mut request =
            self.request(method, path).insert_header(("Authorization", format!("Bearer {}", user.token)));
        if keyed {
            request = request.insert_header(("Idempotency-Key", uuid::Uuid::now_v7().to_string()));
        }
        match body {
            Some(body) => {
                self.send(request.content_type("application/json"), Some(Bytes::from(body.to_string()))).await
            }
            None => self.send(request, None).await,
        }
    }

    pub async fn get_as(&self, user: &User, path: &str) -> Reply {
        self.call(user, Method::GET, path, None).await
    }

    pub async fn post_as(&self, user: &User, path: &str, body: serde_json::Value) -> Reply {
        self.call(user, Method::POST, path, Some(body)).await
    }

    /// Invites `email` with `role` into the organisation at `members_path` and accepts it with
    /// the link from the invitation email (a new account gets `PASSWORD`; an existing one signs
    /// in first); returns the new member signed in.
    /// The ids of every item of a list, read page by page with `limit=1` and the cursors, after
    /// checking each page holds at most one item.
    pub async fn page_through(&self, user: &User, path: &str) -> Vec<String> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let (mut seen, mut cursor) = (Vec::new(), String::new());
        loop {
            let reply = self.get_as(user, &format!("{path}{separator}limit=1{cursor}")).await;
            assert_eq!(reply.status, 200, "{}", reply.text());
            let page = reply.json();
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 1, "{page}");
            seen.extend(items.iter().map(|item| item["id"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => return seen,
            }
        }
    }

    pub async fn join(&self, inviter: &User, members_path: &str, email: &str, role: &str) -> User {
        let invite = self
            .post_as(inviter, members_path, serde_json::json!({"email": email, "name": email, "role": role}))
            .await;
        assert_eq!(invite.status, 201, "invite {email}: {}", invite.text());
        let path = self.invitation_path(invite.json()["id"].as_str().unwrap()).await;
        let accepted = if self.user_exists(email).await {
            let token = self.login(email).await["access_token"].as_str().unwrap().to_owned();
            let user = User { id: String::new(), email: email.to_owned(), token };
            self.post_as(&user, &path, serde_json::json!({})).await
        } else {
            self.post_json(&path, &serde_json::json!({"password": PASSWORD})).await
        };
        assert_eq!(accepted.status, 200, "accept {email}: {}", accepted.text());
        let id = accepted.json()["user_id"].as_str().unwrap().to_owned();
        let token = self.login(email).await["access_token"].as_str().unwrap().to_owned();
        User { id, email: email.to_owned(), token }
    }

    /// Whether an account with this email exists.
    pub async fn user_exists(&self, email: &str) -> bool {
        let email = email.to_lowercase();
        self.state
            .db
            .run(move |conn| Ok(pactum::identity::repo::find_user_by_email(conn, &email)?))
            .await
            .expect("look up the user")
            .is_some()
    }

    /// An email from the outbox, read through the outbox module as its recipient would read it.
    pub async fn email(&self, dedupe_key: &str) -> pactum::outbox::Message {
        let (key, keys) = (dedupe_key.to_owned(), self.state.settings.seal_keys.clone());
        self.state
            .db
            .run(move |conn| pactum::outbox::message(conn, &keys, &key))
            .await
            .expect("read the outbox")
            .unwrap_or_else(|| panic!("no email queued under {dedupe_key}"))
    }

    /// Every email queued to `recipient`, oldest first.
    pub async fn emails_to(&self, recipient: &str) -> Vec<pactum::outbox::Message> {
        let (recipient, keys) = (recipient.to_owned(), self.state.settings.seal_keys.clone());
        self.state
            .db
            .run(move |conn| pactum::outbox::messages_to(conn, &keys, &recipient))
            .await
            .expect("read the outbox")
    }

    /// The accept path of an invitation, from the link in its email.
    pub async fn invitation_path(&self, invitation_id: &str) -> String {
        let email = self.email(&format!("invitation:{invitation_id}")).await;
        api_path_in(&email.text, "/api/v1/invitations/")
    }

    /// Uploads one file as the multipart form field `file`.
    pub async fn upload(&self, user: &User, path: &str, file_name: &str, bytes: &[u8]) -> Reply {
        const BOUNDARY: &str = "pactum-test-boundary";
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let request = self
            .request(Method::POST, path)
            .insert_header(("Authorization", format!("Bearer {}", user.token)))
            .content_type(format!("multipart/form-data; boundary={BOUNDARY}"));
        self.send(request, Some(Bytes::from(body))).await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        let request = self.request(Method::POST, path).content_type("application/json");
        self.send(request, Some(Bytes::from(body.to_string()))).await
    }

    pub async fn send(&self, request: awc::ClientRequest, body: Option<Bytes>) -> Reply {
        let method = request.get_method().to_string();
        let path = request.get_uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
        let sent = match body {
            Some(body) => request.send_body(body).await,
            None => request.send().await,
        };
        let mut response = sent.unwrap_or_else(|e| panic!("request failed: {e}"));
        let body = response.body().limit(64 * 1024 * 1024).await.expect("read the body");
        let reply = Reply { status: response.status().as_u16(), headers: response.headers().clone(), body };
        crate::contract::check(&method, &path, reply.status, &reply.headers, &reply.body);
        reply
    }
}

/// The API path of the first link in `text` whose path starts with `prefix`.
pub fn api_path_in(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no link to {prefix} in: {text}"));
    text[start..].split_whitespace().next().unwrap_or_default().to_owned()
}

/// Settings as `pactum serve` would resolve them, pointed at the test database and port 0.
pub fn test_settings(database: &TestDatabase, extra_flags: &[&str]) -> Settings {
    let data_dir = database.dir.path().to_str().expect("utf-8 temp path");
    settings_for(&database.url(), data_dir, extra_flags)
}

/// Settings for a server on the database at `url` with this data folder.
fn settings_for(url: &str, data_dir: &str, extra_flags: &[&str]) -> Settings {
    let mut argv = vec![
        "serve",
        "--env",
        "development",
        "--database-url",
        url,
        "--database-pool-size",
        "4",
        "--bind",
        "127.0.0.1:0",
        "--data-dir",
        data_dir,
        "--jwt-secret",
        "test-secret-that-is-long-enough-for-hs256",
        "--workers",
        "1",
        // Tests run the date job and the email and webhook passes themselves, at the times they
        // choose; no background thread is left touching the database when the process exits.
        "--schedule-interval-seconds",
        "0",
        "--no-worker",
    ];
    argv.extend_from_slice(extra_flags);
    Settings::resolve(ServeArgs::try_parse_from(argv).expect("valid flags")).expect("valid settings")
}

/// The official schemas to validate exports against: `PACTUM_STANDARDS_DIR`, else
/// `../shared/standards` beside the checkout, else the workplace's `/work/shared/standards`.
pub fn standards_dir() -> std::path::PathBuf {
    let candidates = [
        std::env::var_os("PACTUM_STANDARDS_DIR").map(std::path::PathBuf::from),
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/standards")),
        Some(std::path::PathBuf::from("/work/shared/standards")),
    ];
    candidates.into_iter().flatten().find(|dir| dir.is_dir()).unwrap_or_else(|| {
        panic!("the official schemas are missing: set PACTUM_STANDARDS_DIR to the shared standards folder")
    })
}
