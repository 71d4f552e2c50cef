//! The `cloud-chatops` command line.

use clap::{Parser, Subcommand};

/// Provision cloud infrastructure from Discord, safely.
#[derive(Debug, Parser)]
#[command(name = "cloud-chatops", version, about)]
pub struct Cli {
    /// What to do.
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
    /// Load the sample data of the original design (idempotent).
    Seed,
}
