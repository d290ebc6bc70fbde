//! Builds the running service from settings: database and migrations, shared state, middleware
//! and routes. `main` and the tests start Pactum the same way, through [`Application`].

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::Context;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::auth::rate_limit::{LoginLimits, RateLimiter};
use crate::auth::tokens::TokenKeys;
use crate::auth::Authenticator;
use crate::config::Settings;
use crate::db::{migrations, Database};
use crate::http::{extractors, metrics, request};
use crate::mail::Mailer;
use crate::outbox::worker::WorkerConfig;
use crate::state::AppState;
use crate::{
    agreements, audit, commitments, funds, grants, idempotency, identity, members, municipalities, networks,
    open_data, openapi, ops, organisations, outbox, reminders, reports, service_accounts, visions, webhooks,
};

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

/// Routes a test may add beside the real ones (e.g. one that panics).
pub type ExtraRoutes = fn(&mut web::ServiceConfig);

impl Application {
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, |_| {})
    }

    /// Migrates the database, binds the listener and prepares the server (not yet polled).
    pub fn build_with(settings: Settings, extra_routes: ExtraRoutes) -> anyhow::Result<Self> {
        let db = Database::new(settings.database.clone(), settings.database_pool_size);
        let mut conn = db
            .connection()
            .map_err(|e| anyhow::anyhow!("{}", e.detail))
            .with_context(|| format!("cannot connect to the {} database", db.target().backend_name()))?;
        let applied = migrations::run_pending(&mut conn)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("migrations failed")?;
        drop(conn);
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "applied migrations");
        }

        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let mailer = match &settings.mail {
            Some((url, from)) => {
                let url = String::from_utf8_lossy(url.expose()).into_owned();
                Some(std::sync::Arc::new(Mailer::new(
                    &url,
                    from,
                    &settings.public_url,
                    settings.environment,
                )?))
            }
            None => {
                tracing::warn!("no PACTUM_SMTP_URL: email stays in the outbox until one is configured");
                None
            }
        };
        if let (Some(mailer), true) = (&mailer, settings.run_worker) {
            let every = std::time::Duration::from_secs(settings.outbox_poll_seconds);
            actix_web::rt::spawn(run_mail_worker(db.clone(), mailer.clone(), settings.outbox.clone(), every));
        }
        if settings.run_worker {
            let sender = std::sync::Arc::new(webhooks::target::Sender::new(settings.environment)?);
            let every = std::time::Duration::from_secs(settings.outbox_poll_seconds);
            let (config, url) = (settings.outbox.clone(), settings.public_url.clone());
            actix_web::rt::spawn(run_webhook_worker(db.clone(), sender, config, url, every));
        }
        if settings.schedule_interval_seconds > 0 {
            let every = std::time::Duration::from_secs(settings.schedule_interval_seconds);
            actix_web::rt::spawn(run_date_job(db.clone(), settings.public_url.clone(), every));
        }
        let body_limit = settings.body_limit_bytes;
        let workers = settings.workers;
        // Every query runs on the blocking pool and holds a pooled connection: threads beyond the
        // pool's size would only wait for one, each with its own stack and malloc arena.
        let blocking_threads = usize::try_from(settings.database_pool_size).unwrap_or(1).max(1);
        let auth = std::sync::Arc::new(Authenticator {
            db: db.clone(),
            tokens: TokenKeys::new(&settings.jwt_secret, &settings.public_url),
            token_limits: std::sync::Arc::new(RateLimiter::new(
                "token",
                settings.token_requests_per_minute,
                std::time::Duration::from_secs(60),
                &db,
            )),
            known: Default::default(),
        });
        let state = web::Data::new(AppState {
            db: db.clone(),
            mailer,
            auth,
            login_limits: LoginLimits::new(
                ["login-account", "login-address"],
                settings.login_attempts_per_account,
                settings.login_attempts_per_address,
                std::time::Duration::from_secs(15 * 60),
                &db,
            ),
            password_reset_limits: LoginLimits::new(
                ["reset-account", "reset-address"],
                settings.login_attempts_per_account,
                settings.login_attempts_per_address,
                std::time::Duration::from_secs(15 * 60),
                &db,
            ),
            public_limits: RateLimiter::new(
                "public",
                settings.public_requests_per_minute,
                std::time::Duration::from_secs(60),
                &db,
            ),
            settings,
            metrics: std::sync::Arc::new(metrics::Metrics::new()?),
        });

        let app_state = state.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(web::Data::from(app_state.auth.clone()))
                .app_data(web::Data::from(app_state.metrics.clone()))
                .app_data(extractors::json_config(body_limit))
                .app_data(extractors::payload_config(body_limit))
                .app_data(extractors::query_config())
                .app_data(extractors::path_config())
                .wrap(from_fn(idempotency::guard))
                .wrap(from_fn(request::context))
                .wrap(from_fn(metrics::record))
                .configure(routes)
                .configure(extra_routes)
        })
        .listen(listener)?
        .worker_max_blocking_threads(blocking_threads)
        .shutdown_timeout(30);
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        Ok(Self { port, server: server.run(), state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish (30 s at most).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server itself, for callers that need its handle (tests stop it gracefully).
    pub fn into_server(self) -> Server {
        self.server
    }
}

/// Moves agreements whose start or end date has come and grants whose period is over, now and
/// then every `every`.
async fn run_date_job(db: Database, public_url: String, every: std::time::Duration) {
    let mut interval = actix_web::rt::time::interval(every);
    loop {
        interval.tick().await;
        let url = public_url.clone();
        let changes = db.run(move |conn| {
            let moved = agreements::dates::run_date_changes(conn)? + grants::dates::run_date_changes(conn)?;
            let planned = reminders::plan::run(conn, &url, None)?;
            let forgotten = idempotency::forget_expired(conn)?;
            if forgotten > 0 {
                tracing::debug!(forgotten, "forgot idempotency keys past the replay window");
            }
            Ok(moved + planned.queued)
        });
        match changes.await {
            Ok(0) => {}
            Ok(changed) => tracing::info!(changed, "date job moved records and queued reminders"),
            Err(err) => tracing::warn!(error = %err.detail, "date job failed; retrying next run"),
        }
    }
}

/// Sends what is in the outbox, every `every`, until the process stops.
pub async fn run_mail_worker(
    db: Database,
    mailer: std::sync::Arc<Mailer>,
    config: WorkerConfig,
    every: std::time::Duration,
) {
    let worker = format!("worker-{}", uuid::Uuid::now_v7().simple());
    let mut interval = actix_web::rt::time::interval(every);
    loop {
        interval.tick().await;
        let (db, mailer, config, worker) = (db.clone(), mailer.clone(), config.clone(), worker.clone());
        let pass = web::block(move || {
            outbox::worker::run_once(&db, &mailer, &config, &worker, crate::domain::time::now())
        })
        .await;
        match pass {
            Ok(Ok(pass)) if pass != Default::default() => tracing::info!(?pass, "email worker pass"),
            Ok(Ok(_)) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err.detail, "email worker pass failed; retrying next time")
            }
            Err(err) => tracing::warn!(error = %err, "email worker pass failed; retrying next time"),
        }
    }
}

/// Delivers the webhook outbox, every `every`, until the process stops.
pub async fn run_webhook_worker(
    db: Database,
    sender: std::sync::Arc<webhooks::target::Sender>,
    config: WorkerConfig,
    public_url: String,
    every: std::time::Duration,
) {
    let mut interval = actix_web::rt::time::interval(every);
    loop {
        interval.tick().await;
        let (db, sender, config, url) = (db.clone(), sender.clone(), config.clone(), public_url.clone());
        let pass = web::block(move || {
            webhooks::worker::run_once(&db, &sender, &config, &url, crate::domain::time::now())
        })
        .await;
        match pass {
            Ok(Ok(pass)) if pass != Default::default() => tracing::info!(?pass, "webhook worker pass"),
            Ok(Ok(_)) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err.detail, "webhook worker pass failed; retrying next time")
            }
            Err(err) => tracing::warn!(error = %err, "webhook worker pass failed; retrying next time"),
        }
    }
}

/// Every route of the service.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(ops::health::live)))
        .service(web::resource("/readyz").route(web::get().to(ops::health::ready)))
        .service(web::resource("/metrics").route(web::get().to(ops::metrics::scrape)))
        .service(web::resource("/openapi.json").route(web::get().to(openapi::spec)))
        .service(web::resource("/api/v1/openapi.json").route(web::get().to(openapi::spec)))
        .service(web::resource("/docs").route(web::get().to(|| async {
            HttpResponse::PermanentRedirect().insert_header(("Location", "/docs/")).finish()
        })))
        .service(SwaggerUi::new("/docs/{_:.*}").config(Config::new(["/api/v1/openapi.json"])))
        .configure(identity::routes)
        .configure(municipalities::routes)
        .configure(open_data::routes)
        .configure(networks::routes)
        .configure(organisations::routes)
        .configure(members::routes)
        .configure(visions::routes)
        .configure(agreements::routes)
        .configure(commitments::routes)
        .configure(funds::routes)
        .configure(grants::routes)
        .configure(reports::routes)
        .configure(crate::overview::routes)
        .configure(crate::settlements::routes)
        .configure(outbox::routes)
        .configure(reminders::routes)
        .configure(service_accounts::routes)
        .configure(webhooks::routes)
        .configure(crate::payment_batches::routes)
        .configure(audit::routes)
        .configure(crate::web::routes);
}
