//! cloud-chatops: provision cloud infrastructure from chat without losing control of it.
//!
//! # Layout
//!
//! - [`domain`]: providers, resource kinds, roles, money, names, the pricing catalogue and the validator; pure.
//! - [`store`]: typed async functions over the seven tables (sea-orm); the only code that runs SQL.
//! - [`actors`]: the supervised ractor actors (quota, policy, records, lobbies, generator) and their handles.
//! - [`terraform`]: renders a project into a directory of secure-by-default Terraform, atomically.
//! - [`commands`]: `Command` in, `Reply` out; shared by every front end, holds no database handle.
//! - [`console`]: the local front end (terminal or pipe, text or JSON).
//! - [`discord`]: the Discord front end (serenity); the only module that imports serenity.
//! - [`demo`]: the scripted tour.
//! - [`settings`]: layered configuration (`config/default.toml`, then `CHATOPS_*` environment variables).
//! - [`seed`]: the sample data of the original design document.
//! - [`cli`]: the `cloud-chatops` subcommands.
//! - [`crash`]: test-only crash points (debug builds) for the crash-recovery tests.
//! - [`check`]: `cloud-chatops check [--repair]`, the accounting invariants (also run at start-up).
//! - [`bench`]: `cloud-chatops bench`, the performance figures written to `BENCHMARKS.md`.
//! - [`ops`]: `/healthz`, `/readyz`, `/metrics` (Prometheus), the gateway state, systemd notifications.

pub mod actors;
pub mod bench;
pub mod check;
pub mod cli;
pub mod commands;
pub mod console;
pub mod crash;
pub mod demo;
pub mod discord;
pub mod domain;
pub mod ops;
pub mod seed;
pub mod settings;
pub mod store;
pub mod terraform;
