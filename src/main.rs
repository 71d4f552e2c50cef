//! `cloud-chatops`: start-up, configuration and subcommand dispatch.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Parser;
use migration::{Migrator, MigratorTrait};
use tracing_subscriber::EnvFilter;

use cloud_chatops::ops::{self, Readiness, health, systemd};

use cloud_chatops::actors::supervisor::{System, SystemArgs};
use cloud_chatops::check::Repair;
use cloud_chatops::cli::{Cli, Command, ConsoleArgs};
use cloud_chatops::commands::Invoker;
use cloud_chatops::console::{self, ConsoleNotifier, ConsoleOptions};
use cloud_chatops::settings::Settings;
use cloud_chatops::{demo, discord, seed, store};

/// mimalloc instead of glibc's malloc: a lobby opening is allocation-heavy across many tasks, and
/// glibc's arenas spent over a third of the CPU of a 1,000-opening burst (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run());
    // A read of standard input may still block a runtime thread (the console stopped on a fault
    // with its input open): the work is done, so the process does not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", report(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each said once: a cause whose text its parent already
/// quotes (a configuration error wrapping the parser's) is not repeated under "Caused by".
fn report(e: &anyhow::Error) -> String {
    let mut shown: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !shown.iter().any(|s| s.contains(&text)) {
            shown.push(text);
        }
    }
    shown.join(": ")
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load()?;
    // The console, the demo and the bench print to the terminal: their logs default to warnings only.
    let interactive =
        matches!(cli.command, Some(Command::Console(_)) | Some(Command::Demo) | Some(Command::Bench { .. }))
            || (cli.command.is_none() && settings.discord_token().is_none());
    let level = if interactive { "warn" } else { settings.log.level.as_str() };
    // `log.level` is the setting; RUST_LOG, when set (and valid), overrides it, and says so below.
    let from_env = std::env::var("RUST_LOG").ok().filter(|v| !v.trim().is_empty()).and_then(|v| {
        let filter = EnvFilter::try_new(&v).ok()?;
        Some((v, filter))
    });
    let (rust_log, filter) = match from_env {
        Some((value, filter)) => (Some(value), filter),
        // serenity logs every failed reconnect attempt itself; the bot says it once, in its own words.
        // The migrator announces every start at INFO ("Applying all pending migrations"); `migrate`
        // says what it did in its own line, so those are kept to warnings unless RUST_LOG asks.
        None => (None, EnvFilter::try_new(format!("{level},serenity=error,sea_orm_migration=warn"))?),
    };
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if settings.log.json() {
        // One object per line; the span fields (guild_id, user_id, session_id) ride in `span`/`spans`.
        logs.json().with_current_span(true).with_span_list(true).init();
    } else {
        logs.with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()).init();
    }
    if let Some(value) = rust_log {
        tracing::info!(rust_log = %value, log_level = %settings.log.level, "RUST_LOG is set: it overrides log.level");
    }

    match cli.command {
        Some(Command::Migrate { down, yes }) => migrate(&settings, down, yes).await,
        Some(Command::Backup { file, force }) => backup(&settings, &file, force).await,
        Some(Command::Seed) => {
            let db = store::open(&settings.database.url).await.context("cannot open the database")?;
            let loaded = seed::on_request(&db, &settings, &settings.catalog()?).await;
            db.close().await.ok();
            let loaded = loaded?;
            if loaded.created.is_empty() {
                println!("sample data already present; nothing created");
            }
            for line in loaded.created {
                println!("created {line}");
            }
            if let Some(dir) = loaded.terraform {
                println!("terraform of {} is in {dir}", seed::PROJECT_ID);
            }
            Ok(())
        }
        Some(Command::Console(args)) => run_console(settings, args).await,
        Some(Command::Demo) => demo::run(settings).await,
        Some(Command::Check { repair }) => check(&settings, repair).await,
        Some(Command::Bench { quick, only_lobby_open: true, .. }) => cloud_chatops::bench::lobby_open_only(quick).await,
        Some(Command::Bench { quick, only_stacks: true, .. }) => cloud_chatops::bench::stacks_only(quick).await,
        Some(Command::Bench { quick, only_approvals: true, .. }) => cloud_chatops::bench::approvals_only(quick).await,
        Some(Command::Bench { only_console_memory: true, .. }) => cloud_chatops::bench::console_memory_only().await,
        Some(Command::Bench { quick, .. }) => cloud_chatops::bench::run(quick).await.map(drop),
        Some(Command::Run) => run_bot(settings).await,
        None if settings.discord_token().is_some() => run_bot(settings).await,
        None => run_console(settings, ConsoleArgs::default()).await,
    }
}

async fn migrate(settings: &Settings, down: bool, yes: bool) -> anyhow::Result<()> {
    let db = store::connect(&settings.database.url).await.context("cannot open the database")?;
    if down {
        if !yes {
            bail!("`migrate --down` drops every table; add --yes to confirm");
        }
        Migrator::down(&db, None).await?;
        println!("rolled back every migration");
    } else {
        let upgraded = store::upgrade(&db).await?;
        if let Some(copy) = &upgraded.kept {
            println!("copied the database to {} before changing its schema", copy.display());
        }
        println!("database is up to date: {} migration(s), {} applied now", upgraded.total, upgraded.applied);
    }
    db.close().await.ok();
    Ok(())
}

/// `backup <file>`: the running process makes the copy when there is one (it holds the file);
/// otherwise the file is opened and copied here.
async fn backup(settings: &Settings, file: &std::path::Path, force: bool) -> anyhow::Result<()> {
    use store::backup::{self, BackupError};
    let url = settings.database.url.trim();
    let database = backup::sqlite_file(url).ok_or(BackupError::NotSqlite)?;
    let target = std::path::absolute(file).with_context(|| format!("cannot resolve {}", file.display()))?;
    backup::check_target(&target, force)?;
    match ops::control::request_backup(&database, &target, force).await? {
        ops::control::Asked::Written(path, bytes) => {
            println!(
                "backed up {} to {} ({bytes} bytes), copied by the running process",
                database.display(),
                path.display()
            );
            return Ok(());
        }
        ops::control::Asked::Refused(reason) => bail!("{reason}"),
        ops::control::Asked::NoProcess => {}
    }
    let written = backup::copy_file(url, &target, force).await?;
    println!("backed up {} to {} ({} bytes)", database.display(), written.path.display(), written.bytes);
    Ok(())
}

async fn run_bot(settings: Settings) -> anyhow::Result<()> {
    if settings.discord_token().is_none() {
        return Err(discord::DiscordError::NoToken.into());
    }
    let catalog = Arc::new(settings.catalog()?);
    let metrics = install_metrics(&settings)?;
    let listen = settings.metrics.address();
    let db = store::open(&settings.database.url).await.context("cannot open the database")?;
    let bot = discord::start(Arc::new(settings), db.clone(), catalog).await?;
    let fault = store::wal::watch(&db);
    let readiness = readiness(&bot.system, &fault).with(health::DiscordGateway(bot.gateway.clone()));
    let ops = OpsServer::start(listen, readiness, metrics, &bot.system, &db).await?;
    // systemd hears READY=1 once every shard is connected: the bot then serves.
    let ready = {
        let gateway = bot.gateway.clone();
        tokio::spawn(async move {
            gateway.wait_connected().await;
            systemd::ready();
        })
    };
    let stop = {
        let fault = fault.clone();
        async move {
            tokio::select! {
                () = discord::shutdown_signal() => {}
                _ = fault.failed() => {}
            }
        }
    };
    let result = bot.client(discord::ACK_DEADLINE, stop).await;
    systemd::stopping();
    ready.abort();
    tracing::info!("stopping the actors and closing the database");
    bot.shutdown().await;
    ops.stop().await;
    let rescued = stop_on_fault(&db, &fault).await;
    db.close().await.ok();
    rescued?;
    Ok(result?)
}

/// The process's metrics recorder, when `metrics.listen` serves them (installed before the actors
/// start, so the lobbies restored or expired at start-up count).
fn install_metrics(settings: &Settings) -> anyhow::Result<Option<metrics_exporter_prometheus::PrometheusHandle>> {
    if settings.metrics.address().is_none() {
        return Ok(None);
    }
    Ok(Some(ops::metrics::install()?))
}

/// What `/readyz` checks for every front end: the database through the RecordsActor (and no
/// database fault), and every actor of the tree.
fn readiness(system: &System, fault: &store::wal::Watch) -> Readiness {
    let faulted = {
        let fault = fault.clone();
        Arc::new(move || fault.current().is_some()) as Arc<dyn Fn() -> bool + Send + Sync>
    };
    Readiness::new()
        .with(health::Database::new(system.services.records.clone(), Some(faulted)))
        .with(health::Actors(system.probe()))
}

/// The ops HTTP server (when `metrics.listen` is set) and systemd's watchdog (when systemd set one).
struct OpsServer {
    http: Option<(tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
    watchdog: Option<tokio::task::JoinHandle<()>>,
    control: Option<ops::control::ControlServer>,
}

impl OpsServer {
    async fn start(
        listen: Option<std::net::SocketAddr>,
        readiness: Readiness,
        metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
        system: &System,
        db: &sea_orm::DatabaseConnection,
    ) -> anyhow::Result<OpsServer> {
        let readiness = Arc::new(readiness);
        let watchdog = systemd::watchdog(readiness.clone());
        // The SQLite file serves this process only: `backup` asks it, through the control socket.
        let control = store::wal::database_path(db).and_then(|file| ops::control::serve(&file, system.backup.clone()));
        let Some(addr) = listen else { return Ok(OpsServer { http: None, watchdog, control }) };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = ops::http::Ops { readiness, metrics, quotas: Some(system.services.records.clone()) };
        let (_, join) = ops::http::serve(addr, state, async move {
            let _ = stopped.await;
        })
        .await?;
        Ok(OpsServer { http: Some((stop, join)), watchdog, control })
    }

    async fn stop(self) {
        if let Some(control) = self.control {
            control.stop().await;
        }
        if let Some(watchdog) = self.watchdog {
            watchdog.abort();
        }
        if let Some((stop, join)) = self.http {
            let _ = stop.send(());
            // A scraper holding a connection open does not hold the process.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), join).await;
        }
    }
}

/// After a database fault the process stops serving: the fault is the error it exits with, and a
/// database file deleted under it is first copied out with everything committed.
async fn stop_on_fault(db: &sea_orm::DatabaseConnection, fault: &store::wal::Watch) -> anyhow::Result<()> {
    let Some(fault) = fault.current() else { return Ok(()) };
    let saved = store::wal::rescue(db, &fault).await;
    match saved {
        Ok(Some(path)) => bail!("{fault}; everything committed was saved to {}", path.display()),
        Ok(None) => bail!("{fault}"),
        Err(e) => bail!("{fault}; saving the committed data failed too: {e}"),
    }
}

async fn check(settings: &Settings, repair: bool) -> anyhow::Result<()> {
    let db = store::open(&settings.database.url).await.context("cannot open the database")?;
    let mode = if repair { Repair::All } else { Repair::Nothing };
    let report = cloud_chatops::check::run(&db, &settings.catalog()?, &settings.terraform, mode).await?;
    for finding in &report.findings {
        println!("{finding}");
    }
    let left = report.unrepaired();
    println!("checked {} project(s): {} mismatch(es), {left} left unrepaired", report.projects, report.findings.len());
    db.close().await.ok();
    if left > 0 {
        bail!("{left} mismatch(es) need attention; `cloud-chatops check --repair` fixes what is safe to fix");
    }
    Ok(())
}

async fn run_console(settings: Settings, args: ConsoleArgs) -> anyhow::Result<()> {
    let catalog = Arc::new(settings.catalog()?);
    let metrics = install_metrics(&settings)?;
    let listen = settings.metrics.address();
    let db = store::open(&settings.database.url).await.context("cannot open the database")?;
    let loaded = seed::on_first_console(&db, &settings, &catalog).await?;
    if !loaded.created.is_empty() && !args.json {
        eprintln!(
            "This is a new database, so the sample data of the original design was loaded into it:\n  \
             guild {}, members {} (CloudUser), {} (CloudAdmin) and {} (CloudViewer), project {} \"Production API\".\n  \
             To start empty instead, set sample_data.enabled = false (CHATOPS_SAMPLE_DATA__ENABLED=false).",
            seed::GUILD_ID,
            seed::USER_ID,
            seed::ADMIN_ID,
            seed::VIEWER_ID,
            seed::PROJECT_ID
        );
    }
    let (notifier, updates) = ConsoleNotifier::new();
    let system = System::start(SystemArgs { db: db.clone(), settings: Arc::new(settings), catalog, notifier }).await?;
    let options = ConsoleOptions {
        invoker: Invoker { user_id: args.user, guild_id: args.guild, channel_id: 1, is_guild_admin: args.admin },
        json: args.json,
    };
    if !args.json {
        eprintln!("cloud-chatops console: acting as {} in guild {}; type `help`", args.user, args.guild);
    }
    // A terminal gets line editing and history; a pipe is read plainly, in bounded memory.
    let input = if std::io::stdin().is_terminal() && !args.json {
        console::Source::Terminal(console::Terminal::start("> ")?)
    } else {
        console::Source::Pipe(console::BoundedLines::new(tokio::io::BufReader::new(tokio::io::stdin())))
    };
    let fault = store::wal::watch(&db);
    let ops = OpsServer::start(listen, readiness(&system, &fault), metrics, &system, &db).await?;
    systemd::ready();
    let stop = {
        let fault = fault.clone();
        async move {
            fault.failed().await;
        }
    };
    let result = console::run(&system.services, options, input, tokio::io::stdout(), updates, stop).await;
    systemd::stopping();
    system.shutdown().await;
    ops.stop().await;
    let rescued = stop_on_fault(&db, &fault).await;
    db.close().await.ok();
    rescued?;
    Ok(result?)
}
