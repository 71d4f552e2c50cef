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
//! - [`bench`]: `cloud-chatops bench`, the performance figures written to `BENCHMARKS.md`.

pub mod actors;
pub mod bench;
pub mod cli;
pub mod commands;
pub mod console;
pub mod demo;
pub mod domain;
pub mod seed;
pub mod settings;
pub mod store;
pub mod terraform;
