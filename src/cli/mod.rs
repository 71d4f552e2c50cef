//! The `cloud-chatops` command line.

use clap::{Args, Parser, Subcommand};

use crate::seed;

/// Provision cloud infrastructure from Discord, safely.
#[derive(Debug, Parser)]
#[command(name = "cloud-chatops", version, about)]
pub struct Cli {
    /// What to do; without a subcommand: the Discord bot when DISCORD_TOKEN is set, else the local console.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or upgrade the database schema.
    Migrate {
        /// Roll every migration back instead (drops all tables and their data).
        #[arg(long)]
        down: bool,
        /// Confirms `--down`.
        #[arg(long, requires = "down")]
        yes: bool,
    },
    /// Write a consistent copy of the SQLite database to FILE, while the bot runs or not (the
    /// running process makes it); PostgreSQL: use pg_dump.
    Backup {
        /// Where the copy goes (a new file).
        file: std::path::PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Load the sample data of the original design (idempotent).
    Seed,
    /// The Discord bot (needs DISCORD_TOKEN).
    Run,
    /// The local console: the slash commands typed in a terminal or piped in, no Discord needed.
    Console(ConsoleArgs),
    /// A scripted tour on a fresh temporary database, finishing in seconds.
    Demo,
    /// Verify the accounting invariants (quotas, lobbies, Terraform) and print each mismatch.
    Check {
        /// Also fix what can be fixed safely, and say what was done.
        #[arg(long)]
        repair: bool,
    },
    /// The performance figures (SQLite, or PostgreSQL with DATABASE_URL), also written to BENCHMARKS.md.
    Bench {
        /// Smaller sizes, every figure, under two minutes.
        #[arg(long)]
        quick: bool,
        /// Runs only the lobby-open benchmark and leaves `BENCHMARKS.md` alone (for profiling).
        #[arg(long, conflicts_with_all = ["only_console_memory", "only_approvals"])]
        only_lobby_open: bool,
        /// Runs only the Terraform and approval benchmarks and leaves `BENCHMARKS.md` alone.
        #[arg(long, conflicts_with = "only_console_memory")]
        only_approvals: bool,
        /// Runs only the console-memory benchmark (a 64 MiB line) and leaves `BENCHMARKS.md` alone.
        #[arg(long, conflicts_with = "only_stacks")]
        only_console_memory: bool,
        /// Runs only the single-resource vs stack lobby benchmark and leaves `BENCHMARKS.md` alone.
        #[arg(long, conflicts_with = "only_lobby_open")]
        only_stacks: bool,
    },
}

/// Options of the console.
#[derive(Debug, Clone, Args)]
pub struct ConsoleArgs {
    /// Act as this member (Discord user id).
    #[arg(long, default_value_t = seed::USER_ID)]
    pub user: i64,
    /// In this guild.
    #[arg(long, default_value_t = seed::GUILD_ID)]
    pub guild: i64,
    /// With Discord's Administrator permission.
    #[arg(long)]
    pub admin: bool,
    /// Print one JSON object per reply (with a `kind` field), for scripts.
    #[arg(long)]
    pub json: bool,
}

impl Default for ConsoleArgs {
    fn default() -> Self {
        ConsoleArgs { user: seed::USER_ID, guild: seed::GUILD_ID, admin: false, json: false }
    }
}
