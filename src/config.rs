//! Settings from `PACTUM_*` environment variables and the matching `serve` flags. Secrets are
//! held in [`Secret`], whose `Debug` never prints them, so settings can be logged safely.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, ValueEnum};
use rand::RngCore;

use crate::auth::secrets::Secret;
use crate::db::DbTarget;

/// Where the data lives; shared by every command that touches the database.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` (created on first start) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "PACTUM_DATABASE_URL",
        default_value = "sqlite://./pactum-data/pactum.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// Most database connections the process keeps open.
    #[arg(long, env = "PACTUM_DATABASE_POOL_SIZE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=200))]
    pub database_pool_size: u32,
}

/// Flags of `pactum serve`; each mirrors an environment variable.
#[derive(Debug, Clone, Parser)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// `development` generates missing secrets; `production` refuses to start without them.
    #[arg(long = "env", env = "PACTUM_ENV", value_enum, default_value_t = Environment::Development)]
    pub environment: Environment,

    /// Address and port to listen on.
    #[arg(long, env = "PACTUM_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// The address people and integrations reach Pactum at, used in links (default: http://BIND).
    #[arg(long, env = "PACTUM_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Folder for generated secrets, the SQLite database and uploaded receipts.
    #[arg(long, env = "PACTUM_DATA_DIR", default_value = "./pactum-data")]
    pub data_dir: PathBuf,

    /// Secret that signs access tokens (at least 32 bytes).
    #[arg(long, env = "PACTUM_JWT_SECRET", hide_env_values = true, conflicts_with = "jwt_secret_file")]
    pub jwt_secret: Option<String>,

    /// File holding the token signing secret (at least 32 bytes).
    #[arg(long, env = "PACTUM_JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,

    /// Key that seals secrets at rest (webhook signing secrets, emails with one-time links);
    /// at least 32 bytes.
    #[arg(long, env = "PACTUM_SECRET_KEY", hide_env_values = true, conflicts_with = "secret_key_file")]
    pub secret_key: Option<String>,

    /// File holding the sealing key (at least 32 bytes).
    #[arg(long, env = "PACTUM_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,

    /// The sealing key before the current one, during a rotation: it only opens what it sealed
    /// until `pactum secrets rotate` has sealed everything again.
    #[arg(long, env = "PACTUM_SECRET_KEY_PREVIOUS", hide_env_values = true)]
    pub secret_key_previous: Option<String>,

    /// `pretty` for people, `json` for log collectors.
    #[arg(long, env = "PACTUM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "PACTUM_BODY_LIMIT_BYTES", default_value_t = 1_048_576,
          value_parser = clap::value_parser!(u64).range(1024..=104_857_600))]
    pub body_limit_bytes: u64,

    /// Failed sign-ins allowed per account in 15 minutes; then 429.
    #[arg(long, env = "PACTUM_LOGIN_ATTEMPTS_PER_ACCOUNT", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub login_attempts_per_account: u32,

    /// Sign-in attempts allowed per client address in 15 minutes; then 429.
    #[arg(long, env = "PACTUM_LOGIN_ATTEMPTS_PER_ADDRESS", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub login_attempts_per_address: u32,

    /// Largest receipt upload, in bytes.
    #[arg(long, env = "PACTUM_RECEIPT_LIMIT_BYTES", default_value_t = 10_485_760,
          value_parser = clap::value_parser!(u64).range(1024..=104_857_600))]
    pub receipt_limit_bytes: u64,

    /// SMTP server for email: `smtps://user:pass@host` or `smtp://host:587?tls=required`; plain
    /// `smtp://` only to this machine in production. Without it, email waits in the outbox.
    #[arg(long, env = "PACTUM_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of every email.
    #[arg(long, env = "PACTUM_MAIL_FROM", default_value = "Pactum <noreply@pactum.localhost>")]
    pub mail_from: String,

    /// Do not send email from this process (run `pactum worker` elsewhere).
    #[arg(long, env = "PACTUM_NO_WORKER")]
    pub no_worker: bool,

    /// Sending attempts before an email is `dead`.
    #[arg(long, env = "PACTUM_OUTBOX_MAX_ATTEMPTS", default_value_t = 8,
          value_parser = clap::value_parser!(i32).range(1..=100))]
    pub outbox_max_attempts: i32,

    /// Seconds to wait after a first failure; doubles with each next one (up to an hour).
    #[arg(long, env = "PACTUM_OUTBOX_RETRY_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub outbox_retry_seconds: u64,

    /// Seconds between passes of the email worker.
    #[arg(long, env = "PACTUM_OUTBOX_POLL_SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub outbox_poll_seconds: u64,

    /// Requests per client address per minute to the public directory; then 429.
    #[arg(long, env = "PACTUM_PUBLIC_REQUESTS_PER_MINUTE", default_value_t = 120,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub public_requests_per_minute: u32,

    /// Messages a network receives through the public directory per day; then 429.
    #[arg(long, env = "PACTUM_DIRECTORY_MESSAGES_PER_DAY", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub directory_messages_per_day: u32,

    /// Requests per service account API token per minute; then 429.
    #[arg(long, env = "PACTUM_TOKEN_REQUESTS_PER_MINUTE", default_value_t = 600,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub token_requests_per_minute: u32,

    /// Fill the database with the demo example before serving (not in production).
    #[arg(long, env = "PACTUM_DEMO")]
    pub demo: bool,

    /// Seconds between runs of the date job (agreements starting and ending); 0 turns it off.
    #[arg(long, env = "PACTUM_SCHEDULE_INTERVAL_SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub schedule_interval_seconds: u64,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "PACTUM_WORKERS", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Everything the running service needs, resolved and checked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub database: DbTarget,
    pub database_pool_size: u32,
    pub bind: String,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub jwt_secret: Secret,
    /// Seals secrets at rest.
    pub seal_keys: crate::auth::seal::SealKeys,
    pub body_limit_bytes: usize,
    pub receipt_limit_bytes: usize,
    pub login_attempts_per_account: u32,
    pub login_attempts_per_address: u32,
    pub schedule_interval_seconds: u64,
    pub workers: Option<usize>,
    /// SMTP URL and sender; `None` keeps email in the outbox.
    pub mail: Option<(Secret, String)>,
    pub run_worker: bool,
    pub public_requests_per_minute: u32,
    pub directory_messages_per_day: u32,
    pub token_requests_per_minute: u32,
    pub outbox: WorkerConfig,
    pub outbox_poll_seconds: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("PACTUM_ENV=production needs explicitly configured secrets; missing: {}", .0.join(", "))]
    MissingSecrets(Vec<&'static str>),
    #[error("{0}")]
    Invalid(String),
    #[error("cannot use the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
}

/// Shortest accepted signing secret.
const MIN_SECRET_BYTES: usize = 32;

/// A secret setting: its variable, the variable naming a file that holds it, and the file it is
/// generated into in development.
struct SecretSetting {
    variable: &'static str,
    file_variable: &'static str,
    generated_file: &'static str,
    /// How production names it when it is missing.
    missing: &'static str,
}

const JWT_SECRET: SecretSetting = SecretSetting {
    variable: "PACTUM_JWT_SECRET",
    file_variable: "PACTUM_JWT_SECRET_FILE",
    generated_file: "jwt-secret",
    missing: "PACTUM_JWT_SECRET or PACTUM_JWT_SECRET_FILE",
};
const SECRET_KEY: SecretSetting = SecretSetting {
    variable: "PACTUM_SECRET_KEY",
    file_variable: "PACTUM_SECRET_KEY_FILE",
    generated_file: "secret-key",
    missing: "PACTUM_SECRET_KEY or PACTUM_SECRET_KEY_FILE",
};

impl Settings {
    pub fn resolve(args: ServeArgs) -> Result<Self, ConfigError> {
        if args.demo && args.environment == Environment::Production {
            return Err(ConfigError::Invalid("--demo is refused with PACTUM_ENV=production".into()));
        }
        let database = DbTarget::parse(&args.database.database_url)
            .map_err(|e| ConfigError::Invalid(format!("PACTUM_DATABASE_URL: {e}")))?;
        let public_url = match args.public_url {
            Some(url) => parse_public_url(&url)?,
            None => format!("http://{}", args.bind),
        };
        let jwt_secret = resolve_secret(
            &JWT_SECRET,
            args.environment,
            args.jwt_secret,
            args.jwt_secret_file.as_deref(),
            &args.data_dir,
        );
        let secret_key = resolve_secret(
            &SECRET_KEY,
            args.environment,
            args.secret_key,
            args.secret_key_file.as_deref(),
            &args.data_dir,
        );
        let (jwt_secret, secret_key) = match (jwt_secret, secret_key) {
            (Ok(jwt), Ok(key)) => (jwt, key),
            // Production names every missing secret at once.
            (Err(ConfigError::MissingSecrets(mut a)), Err(ConfigError::MissingSecrets(b))) => {
                a.extend(b);
                return Err(ConfigError::MissingSecrets(a));
            }
            (Err(err), _) | (_, Err(err)) => return Err(err),
        };
        let previous_key = args
            .secret_key_previous
            .map(|key| checked_secret("PACTUM_SECRET_KEY_PREVIOUS", key.as_bytes()))
            .transpose()?;
        let seal_keys =
            crate::auth::seal::SealKeys::new(secret_key.expose(), previous_key.as_ref().map(Secret::expose));
        Ok(Self {
            environment: args.environment,
            database,
            database_pool_size: args.database.database_pool_size,
            bind: args.bind,
            public_url,
            data_dir: args.data_dir,
            jwt_secret,
            seal_keys: seal_keys.clone(),
            body_limit_bytes: usize::try_from(args.body_limit_bytes)
                .map_err(|_| ConfigError::Invalid("PACTUM_BODY_LIMIT_BYTES is too large".into()))?,
            receipt_limit_bytes: usize::try_from(args.receipt_limit_bytes)
                .map_err(|_| ConfigError::Invalid("PACTUM_RECEIPT_LIMIT_BYTES is too large".into()))?,
            login_attempts_per_account: args.login_attempts_per_account,
            login_attempts_per_address: args.login_attempts_per_address,
            schedule_interval_seconds: args.schedule_interval_seconds,
            mail: args.smtp_url.map(|url| (Secret::new(url.into_bytes()), args.mail_from.clone())),
            run_worker: !args.no_worker,
            public_requests_per_minute: args.public_requests_per_minute,
            directory_messages_per_day: args.directory_messages_per_day,
            token_requests_per_minute: args.token_requests_per_minute,
            outbox: WorkerConfig {
                max_attempts: args.outbox_max_attempts,
                retry_base: std::time::Duration::from_secs(args.outbox_retry_seconds),
                seal_keys: seal_keys.clone(),
                ..Default::default()
            },
            outbox_poll_seconds: args.outbox_poll_seconds,
            workers: args.workers.map(usize::from),
        })
    }
}

fn parse_public_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim_end_matches('/');
    let host = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"));
    match host {
        Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => Ok(trimmed.to_owned()),
        _ => Err(ConfigError::Invalid(format!(
            "PACTUM_PUBLIC_URL must be an http:// or https:// address (got {url:?})"
        ))),
    }
}

fn checked_secret(source: &str, value: &[u8]) -> Result<Secret, ConfigError> {
    if value.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::Invalid(format!("{source} must be at least {MIN_SECRET_BYTES} bytes long")));
    }
    Ok(Secret::new(value.to_vec()))
}

fn read_secret_file(path: &Path, source: &str) -> Result<Secret, ConfigError> {
    let content = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::Invalid(format!("{source} {}: {e}", path.display())))?;
    checked_secret(source, content.trim().as_bytes())
}

/// A configured secret wins. In development a missing one is generated once and kept in the
/// data folder, so tokens and sealed values survive a restart; production refuses to guess.
fn resolve_secret(
    setting: &SecretSetting,
    environment: Environment,
    value: Option<String>,
    file: Option<&Path>,
    data_dir: &Path,
) -> Result<Secret, ConfigError> {
    if let Some(value) = value {
        return checked_secret(setting.variable, value.as_bytes());
    }
    if let Some(file) = file {
        return read_secret_file(file, setting.file_variable);
    }
    if environment == Environment::Production {
        return Err(ConfigError::MissingSecrets(vec![setting.missing]));
    }
    let path = data_dir.join(setting.generated_file);
    if path.exists() {
        tracing::warn!(path = %path.display(), "using a generated development secret; set {} in production", setting.variable);
        return read_secret_file(&path, "the generated secret file");
    }
    let data_dir_error = |source| ConfigError::DataDir { path: data_dir.to_path_buf(), source };
    std::fs::create_dir_all(data_dir).map_err(data_dir_error)?;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let encoded: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private_file(&path, &encoded).map_err(data_dir_error)?;
    tracing::warn!(path = %path.display(), "generated a development secret; set {} in production", setting.variable);
    Ok(Secret::new(encoded.into_bytes()))
}

/// Writes a file only its owner can read.
fn write_private_file(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(content.as_bytes())
}

/// How the email and webhook workers deliver: attempts, backoff, leases and batch size.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub max_attempts: i32,
    /// Wait after the first failure; it doubles with each next one, up to an hour.
    pub retry_base: std::time::Duration,
    /// A claim older than this is taken over (its worker died between claiming and sending).
    pub lease: std::time::Duration,
    pub batch: i64,
    /// Open sealed messages and webhook signing secrets.
    pub seal_keys: crate::auth::seal::SealKeys,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            retry_base: std::time::Duration::from_secs(30),
            lease: std::time::Duration::from_secs(300),
            batch: 50,
            seal_keys: crate::auth::seal::SealKeys::ephemeral(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> ServeArgs {
        let mut argv = vec!["serve"];
        argv.extend_from_slice(extra);
        ServeArgs::try_parse_from(argv).expect("valid flags")
    }

    #[test]
    fn production_refuses_to_start_without_a_secret_and_names_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dir = dir.path().to_str().expect("utf-8");
        let err =
            Settings::resolve(args(&["--env", "production", "--data-dir", dir])).expect_err("must refuse");
        assert!(err.to_string().contains("PACTUM_JWT_SECRET"), "{err}");
        assert!(err.to_string().contains("PACTUM_SECRET_KEY"), "{err}");
        let long = "k".repeat(40);
        let err = Settings::resolve(args(&["--env", "production", "--data-dir", dir, "--jwt-secret", &long]))
            .expect_err("must refuse without a sealing key");
        assert!(err.to_string().contains("PACTUM_SECRET_KEY") && !err.to_string().contains("JWT"), "{err}");
        let ok = Settings::resolve(args(&[
            "--env",
            "production",
            "--data-dir",
            dir,
            "--jwt-secret",
            &long,
            "--secret-key",
            &long,
        ]));
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn development_generates_a_secret_once_and_keeps_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dir_str = dir.path().to_str().expect("utf-8");
        let first = Settings::resolve(args(&["--data-dir", dir_str])).expect("resolves");
        let second = Settings::resolve(args(&["--data-dir", dir_str])).expect("resolves");
        assert_eq!(first.jwt_secret.expose(), second.jwt_secret.expose());
        assert!(first.jwt_secret.expose().len() >= MIN_SECRET_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(dir.path().join(JWT_SECRET.generated_file)).expect("file");
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn short_secrets_and_bad_urls_are_refused() {
        assert!(Settings::resolve(args(&["--jwt-secret", "short"])).is_err());
        let long = "x".repeat(40);
        assert!(Settings::resolve(args(&["--jwt-secret", &long, "--public-url", "ftp://x"])).is_err());
        let ok = Settings::resolve(args(&["--jwt-secret", &long, "--public-url", "https://pactum.example/"]))
            .expect("valid");
        assert_eq!(ok.public_url, "https://pactum.example");
        assert!(!format!("{ok:?}").contains(&long), "secrets never show in Debug");
    }
}
