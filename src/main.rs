//! The `pactum` command: serve the API, migrate the database, print the spec, bootstrap users.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use pactum::config::{DatabaseArgs, Environment, LogFormat, ServeArgs, Settings};
use pactum::db::{migrations, Database, DbTarget};
use pactum::domain::Locale;
use pactum::identity::service::{create_user, CreateUser};
use pactum::startup::Application;
use pactum::{openapi, telemetry};

#[derive(Parser)]
#[command(
    name = "pactum",
    version,
    about = "Shared visions, agreements and micro-grants between a municipality and informal networks."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API (migrates the database first). Every flag mirrors a PACTUM_* variable.
    Serve(ServeArgs),
    /// Send email and webhooks from the outboxes, without serving HTTP (run beside `serve --no-worker`).
    Worker(ServeArgs),
    /// Queue the reminders due today and send what is in the outbox.
    Remind {
        /// One pass, then exit (for cron-style deployments).
        #[arg(long)]
        once: bool,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Print the OpenAPI 3.1 document (the committed openapi/pactum.json is this output).
    Openapi,
    /// Manage users from the command line.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill the database with a believable Dutch example (a municipality, three networks and
    /// their people) and print the logins. Running it again changes nothing.
    Demo {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Refused in production.
        #[arg(long = "env", env = "PACTUM_ENV", value_enum, default_value_t = Environment::Development)]
        environment: Environment,
    },
    /// Fill an empty database with many grants for the load benchmark (bench/load.py): one
    /// municipality, a fund, a network per hundred grants; prints the logins.
    Seed {
        /// How many grants.
        #[arg(long, default_value_t = 10_000)]
        grants: usize,
        /// How many undecided applications have a decision date in the coming weeks (a tenth of
        /// the grants when left out).
        #[arg(long = "open-deadlines")]
        open_deadlines: Option<usize>,
        #[command(flatten)]
        database: DatabaseArgs,
        /// Refused in production.
        #[arg(long = "env", env = "PACTUM_ENV", value_enum, default_value_t = Environment::Development)]
        environment: Environment,
    },
    /// Check the books: every fund's and grant's counters agree with the ledger.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Manage the key that seals secrets at rest.
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
    /// Print the version of Pactum and of its API.
    Version,
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// Seal every secret at rest again under PACTUM_SECRET_KEY (opening old ones with
    /// PACTUM_SECRET_KEY_PREVIOUS); afterwards the previous key can be dropped.
    Rotate(ServeArgs),
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Compare every counter with the ledger; exits non-zero on any difference.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from the first line of standard input.
    /// Use --admin to bootstrap the first platform admin.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Make the user a platform admin (creates municipalities and their first officers).
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Worker(args) => worker(args),
        Command::Remind { once, serve } => remind(once, serve),
        Command::Migrate(database) => migrate(&database),
        Command::Openapi => {
            print!("{}", openapi::to_json());
            Ok(())
        }
        Command::User { command: UserCommand::Create { email, name, admin, database } } => {
            create_user_from_stdin(&database, &email, &name, admin)
        }
        Command::Demo { database, environment } => demo(&database, environment),
        Command::Seed { grants, open_deadlines, database, environment } => {
            seed(&database, environment, pactum::seed::Plan::new(grants, open_deadlines))
        }
        Command::Ledger { command: LedgerCommand::Verify { database } } => verify_ledger(&database),
        Command::Secrets { command: SecretsCommand::Rotate(args) } => rotate_secrets(args),
        Command::Version => {
            println!("pactum {} (API {})", env!("CARGO_PKG_VERSION"), pactum::http::API_VERSION);
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pactum: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    telemetry::init(args.log_format);
    let with_demo = args.demo;
    let settings = Settings::resolve(args)?;
    tracing::info!(
        bind = %settings.bind,
        database = settings.database.backend_name(),
        environment = ?settings.environment,
        "starting pactum {}", env!("CARGO_PKG_VERSION")
    );
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        if with_demo {
            let mut conn = app.state().db.connection().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
            print_logins(&pactum::demo::seed(&mut conn).map_err(|e| anyhow::anyhow!("{}", e.detail))?);
        }
        tracing::info!(port = app.port(), "listening; API reference at /docs");
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn open_database(database: &DatabaseArgs) -> anyhow::Result<Database> {
    let target = DbTarget::parse(&database.database_url)?;
    Ok(Database::new(target, 1))
}

fn migrate(database: &DatabaseArgs) -> anyhow::Result<()> {
    telemetry::init(LogFormat::Pretty);
    let db = open_database(database)?;
    let mut conn = db.connection().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    let applied = migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    if applied.is_empty() {
        println!("The {} database is up to date.", db.target().backend_name());
    }
    for version in applied {
        println!("applied {version}");
    }
    Ok(())
}

fn create_user_from_stdin(
    database: &DatabaseArgs,
    email: &str,
    name: &str,
    admin: bool,
) -> anyhow::Result<()> {
    telemetry::init(LogFormat::Pretty);
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let db = open_database(database)?;
    let mut conn = db.connection().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = CreateUser { email, name, password, locale: Locale::default(), is_platform_admin: admin };
    let user = create_user(&mut conn, input).map_err(|e| {
        let fields: Vec<String> = e.errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
        if fields.is_empty() {
            anyhow::anyhow!("{}", e.detail)
        } else {
            anyhow::anyhow!("{}", fields.join("; "))
        }
    })?;
    let role = if user.is_platform_admin { "platform admin" } else { "user" };
    println!("created {role} {} <{}> with id {}", user.name, user.email, user.id);
    Ok(())
}

fn demo(database: &DatabaseArgs, environment: Environment) -> anyhow::Result<()> {
    telemetry::init(LogFormat::Pretty);
    if environment == Environment::Production {
        anyhow::bail!("demo data is refused with PACTUM_ENV=production");
    }
    let db = open_database(database)?;
    let mut conn = db.connection().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let logins = pactum::demo::seed(&mut conn).map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    print_logins(&logins);
    Ok(())
}

fn seed(database: &DatabaseArgs, environment: Environment, plan: pactum::seed::Plan) -> anyhow::Result<()> {
    telemetry::init(LogFormat::Pretty);
    if environment == Environment::Production {
        anyhow::bail!("seed data is refused with PACTUM_ENV=production");
    }
    let db = open_database(database)?;
    let mut conn = db.connection().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = std::time::Instant::now();
    let seeded = pactum::seed::run(&mut conn, plan).map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    let counts: Vec<String> = pactum::seed::STATUSES
        .iter()
        .zip(seeded.by_status)
        .map(|((status, _), n)| format!("{n} {}", status.as_str()))
        .collect();
    println!(
        "Seeded {} grants ({}; {} with an open decision deadline) in {} networks in {:.1} s.",
        seeded.grants,
        counts.join(", "),
        seeded.open_deadlines,
        seeded.networks,
        started.elapsed().as_secs_f64()
    );
    println!("Municipality {}, fund {}.", seeded.municipality_id, seeded.fund_id);
    println!("Seed logins (password for all: {}):", pactum::seed::PASSWORD);
    println!("  {:<36} municipal_admin", pactum::seed::ADMIN);
    println!("  {:<36} officer", pactum::seed::OFFICER);
    println!("  {:<36} finance", pactum::seed::FINANCE);
    println!(
        "  {:<36} coordinator of network 1 (up to {} for network {})",
        pactum::seed::coordinator_email(1),
        pactum::seed::coordinator_email(seeded.networks),
        seeded.networks
    );
    Ok(())
}

fn print_logins(logins: &[pactum::demo::Login]) {
    println!("Demo logins (password for all: {}):", pactum::demo::PASSWORD);
    for login in logins {
        println!("  {:<36} {:<20} {}", login.email, login.name, login.role);
    }
}

fn verify_ledger(database: &DatabaseArgs) -> anyhow::Result<()> {
    telemetry::init(LogFormat::Pretty);
    let db = open_database(database)?;
    let mut conn = db.connection().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    let problems = pactum::ledger::verify(&mut conn)?;
    if problems.is_empty() {
        println!("The ledger and every balance agree.");
        return Ok(());
    }
    for problem in &problems {
        println!("{problem}");
    }
    anyhow::bail!("{} balances disagree with the ledger", problems.len())
}

fn rotate_secrets(args: ServeArgs) -> anyhow::Result<()> {
    telemetry::init(args.log_format);
    let settings = Settings::resolve(args)?;
    let db = Database::new(settings.database.clone(), 1);
    let mut conn = db.connection().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    let done = pactum::auth::rotation::reseal_all(&mut conn, &settings.seal_keys)
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    println!(
        "Sealed again under the current key: {} webhook subscriptions, {} emails.",
        done.webhook_secrets, done.emails
    );
    Ok(())
}

fn worker(args: ServeArgs) -> anyhow::Result<()> {
    telemetry::init(args.log_format);
    let settings = Settings::resolve(args)?;
    let mailer = match &settings.mail {
        Some((url, from)) => Some(std::sync::Arc::new(pactum::mail::Mailer::new(
            &String::from_utf8_lossy(url.expose()),
            from,
            &settings.public_url,
            settings.environment,
        )?)),
        None => {
            tracing::warn!("no PACTUM_SMTP_URL: email stays in the outbox; delivering webhooks only");
            None
        }
    };
    let sender = std::sync::Arc::new(pactum::webhooks::target::Sender::new(settings.environment)?);
    let db = Database::new(settings.database.clone(), settings.database_pool_size);
    let mut conn = db.connection().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(conn);
    let every = std::time::Duration::from_secs(settings.outbox_poll_seconds);
    tracing::info!("email and webhook worker started");
    actix_web::rt::System::new().block_on(async move {
        let webhooks = pactum::startup::run_webhook_worker(
            db.clone(),
            sender,
            settings.outbox.clone(),
            settings.public_url.clone(),
            every,
        );
        match mailer {
            Some(mailer) => {
                actix_web::rt::spawn(webhooks);
                pactum::startup::run_mail_worker(db, mailer, settings.outbox.clone(), every).await;
            }
            None => webhooks.await,
        }
    });
    Ok(())
}

fn remind(once: bool, args: ServeArgs) -> anyhow::Result<()> {
    if !once {
        anyhow::bail!("pactum remind runs one pass: add --once (serve and worker run passes continuously)");
    }
    telemetry::init(args.log_format);
    let settings = Settings::resolve(args)?;
    let db = Database::new(settings.database.clone(), settings.database_pool_size);
    let mut conn = db.connection().map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let planned = pactum::reminders::plan::run(&mut conn, &settings.public_url, None)
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    drop(conn);
    println!("queued {} reminders, cancelled {}", planned.queued, planned.cancelled);
    if let Some((url, from)) = &settings.mail {
        let mailer = pactum::mail::Mailer::new(
            &String::from_utf8_lossy(url.expose()),
            from,
            &settings.public_url,
            settings.environment,
        )?;
        let pass = pactum::outbox::worker::run_once(
            &db,
            &mailer,
            &settings.outbox,
            "remind-once",
            pactum::domain::time::now(),
        )
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
        println!("sent {}, retrying {}, dead {}", pass.sent, pass.retrying, pass.dead);
    } else {
        println!("no PACTUM_SMTP_URL: the email waits in the outbox");
    }
    Ok(())
}
