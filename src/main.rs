//! `cloud-chatops`: start-up, configuration and subcommand dispatch.

use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Parser;
use migration::{Migrator, MigratorTrait};
use tracing_subscriber::EnvFilter;

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load()?;
    // The console, the demo and the bench print to the terminal: their logs default to warnings only.
    let interactive =
        matches!(cli.command, Some(Command::Console(_)) | Some(Command::Demo) | Some(Command::Bench { .. }))
            || (cli.command.is_none() && settings.discord_token().is_none());
    let level = if interactive { "warn" } else { settings.log.level.as_str() };
    let filter = EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new(level))?;
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();

    match cli.command {
        Some(Command::Migrate { down, yes }) => migrate(&settings, down, yes).await,
        Some(Command::Seed) => {
            let db = store::open(&settings.database.url).await.context("cannot open the database")?;
            let created = seed::load(&db, &settings.quotas, &settings.catalog()?).await?;
            if created.is_empty() {
                println!("sample data already present; nothing created");
            }
            for line in created {
                println!("created {line}");
            }
            Ok(())
        }
        Some(Command::Console(args)) => run_console(settings, args).await,
        Some(Command::Demo) => demo::run(settings).await,
        Some(Command::Check { repair }) => check(&settings, repair).await,
        Some(Command::Bench { quick, only_lobby_open: true }) => cloud_chatops::bench::lobby_open_only(quick).await,
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
        store::migrate(&db).await?;
        let applied = Migrator::get_applied_migrations(&db).await?.len();
        println!("database is up to date ({applied} migration(s) applied)");
    }
    Ok(())
}

async fn run_bot(settings: Settings) -> anyhow::Result<()> {
    let Some(token) = settings.discord_token().cloned() else {
        bail!("`run` needs DISCORD_TOKEN (the bot token); without it use `cloud-chatops console`")
    };
    let catalog = Arc::new(settings.catalog()?);
    let db = store::open(&settings.database.url).await.context("cannot open the database")?;
    let notifier =
        Arc::new(discord::DiscordNotifier::new(Arc::new(discord::http(&token, &settings)), settings.shard_range()?));
    let settings = Arc::new(settings);
    let system = System::start(SystemArgs { db: db.clone(), settings: settings.clone(), catalog, notifier }).await?;
    let result = discord::run(discord::http(&token, &settings), &settings, system.services.clone()).await;
    tracing::info!("stopping the actors and closing the database");
    system.shutdown().await;
    db.close().await.ok();
    Ok(result?)
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
        bail!("{left} mismatch(es) need attention");
    }
    Ok(())
}

async fn run_console(settings: Settings, args: ConsoleArgs) -> anyhow::Result<()> {
    let catalog = Arc::new(settings.catalog()?);
    let db = store::open(&settings.database.url).await.context("cannot open the database")?;
    let loaded = seed::load_if_empty(&db, &settings.quotas, &catalog).await?;
    if !loaded.is_empty() && !args.json {
        eprintln!("empty database: loaded the sample data (guild {}, project {})", seed::GUILD_ID, seed::PROJECT_ID);
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
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let result = console::run(&system.services, options, stdin, tokio::io::stdout(), updates).await;
    system.shutdown().await;
    db.close().await.ok();
    Ok(result?)
}
