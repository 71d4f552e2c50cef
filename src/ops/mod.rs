//! Running it for a team: health and readiness (`health.rs`), Prometheus metrics (`metrics.rs`),
//! the Discord gateway's connection state (`gateway.rs`), the HTTP server of `/healthz`, `/readyz`
//! and `/metrics` (`http.rs`), the control socket `backup` reaches a running process by (`control.rs`) and systemd's readiness and watchdog notifications (`systemd.rs`).
//!
//! `metrics` and `gateway` are leaves every layer may record into; `health` and `http` sit above the
//! actors (they ask through handles, never hold a database) and below the front ends and `main`,
//! which wire them (`tests/tidy.rs`).

pub mod control;
pub mod gateway;
pub mod health;
pub mod http;
pub mod metrics;
pub mod systemd;

pub use gateway::Gateway;
pub use health::{Readiness, Report};
