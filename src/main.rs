//! `cloud-chatops`: start-up, configuration and subcommand dispatch.

use anyhow::{Context, bail};
use clap::Parser;
use migration::{Migrator, MigratorTrait};
use tracing_subscriber::EnvFilter;

use cloud_chatops::cli::{Cli, Command};
use cloud_chatops::settings::Settings;
use cloud_chatops::{seed, store};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load()?;
    let filter = EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new(&settings.log.level))?;
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();

    match cli.command {
        Some(Command::Migrate { down, yes }) => {
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
        }
        Some(Command::Seed) => {
            let catalog = settings.catalog()?;
            let db = store::open(&settings.database.url).await.context("cannot open the database")?;
            let created = seed::load(&db, &settings.quotas, &catalog).await?;
            if created.is_empty() {
                println!("sample data already present; nothing created");
            }
            for line in created {
                println!("created {line}");
            }
        }
        None => {
            let db = store::open(&settings.database.url).await.context("cannot open the database")?;
            drop(db);
            println!("database ready; the console and the Discord bot arrive with the next releases (see README)");
        }
    }
    Ok(())
}
