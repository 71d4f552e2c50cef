//! systemd's notification protocol (`sd-notify`): READY=1 once the process serves, STOPPING=1 when
//! it begins to stop, and WATCHDOG=1 every half of `WATCHDOG_USEC` while the database answers.
//! Every call is a no-op when `NOTIFY_SOCKET` is unset (not started by systemd with `Type=notify`).

use std::sync::Arc;
use std::time::Duration;

use sd_notify::NotifyState;

use super::health::Readiness;

/// Whether systemd listens (`NOTIFY_SOCKET` is set).
pub fn enabled() -> bool {
    std::env::var_os("NOTIFY_SOCKET").is_some()
}

fn send(state: NotifyState<'_>) {
    if let Err(e) = sd_notify::notify(&[state]) {
        tracing::warn!(error = %e, "could not notify systemd");
    }
}

/// The process serves: systemd's start-up is over.
pub fn ready() {
    if enabled() {
        send(NotifyState::Ready);
        tracing::info!("told systemd: ready");
    }
}

/// The process begins to stop.
pub fn stopping() {
    if enabled() {
        send(NotifyState::Stopping);
    }
}

/// When systemd set a watchdog for this process, pings it every half of its interval for as long
/// as the database check of `readiness` passes; a database that stops answering stops the pings,
/// so systemd restarts the process. `None` without a watchdog.
pub fn watchdog(readiness: Arc<Readiness>) -> Option<tokio::task::JoinHandle<()>> {
    if !enabled() {
        return None;
    }
    let interval = sd_notify::watchdog_enabled()? / 2;
    let interval = interval.max(Duration::from_millis(10));
    tracing::info!(interval_ms = interval.as_millis() as u64, "systemd watchdog armed");
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if readiness.passes("database").await {
                send(NotifyState::Watchdog);
            } else {
                tracing::warn!("systemd watchdog not pinged: the database does not answer");
            }
        }
    }))
}
