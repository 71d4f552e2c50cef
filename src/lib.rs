//! cloud-chatops: provision cloud infrastructure from chat without losing control of it.
//!
//! # Layout
//!
//! - [`domain`]: providers, resource kinds, roles, money and the pricing catalogue; pure types.
//! - [`terraform`]: renders a project into a directory of secure-by-default Terraform, atomically.
//! - [`store`]: typed async functions over the seven tables (sea-orm); the only code that runs SQL.
//! - [`settings`]: layered configuration (`config/default.toml`, then `CHATOPS_*` environment variables).
//! - [`seed`]: the sample data of the original design document.
//! - [`cli`]: the `cloud-chatops` subcommands.
//! - [`crash`]: test-only crash points (debug builds) for the crash-recovery tests.
//! - [`check`]: `cloud-chatops check [--repair]`, the accounting invariants (also run at start-up).

pub mod actors;
pub mod check;
pub mod cli;
pub mod commands;
pub mod console;
pub mod crash;
pub mod demo;
pub mod domain;
pub mod seed;
pub mod settings;
pub mod store;
pub mod terraform;
