//! Readiness: the checks `/readyz` runs (the database answers a query through the RecordsActor,
//! every actor runs, and for the bot Discord's gateway is connected) and the report it answers with.
//!
//! Each failing check says why in one short line of fixed wording: the body never carries an error's
//! text (it could hold a path, a query or a token), which goes to the log instead.

use std::sync::Arc;
use std::time::Duration;

use super::gateway::Gateway;
use crate::actors::BoxFuture;
use crate::actors::records::RecordsHandle;
use crate::actors::supervisor::ActorProbe;

/// How long one check may take before it counts as failed.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// One dependency readiness waits for.
pub trait Check: Send + Sync {
    /// Its name in the report (`database`, `actors`, `discord gateway`).
    fn name(&self) -> &'static str;
    /// `Err`: why it is not ready, one short line, safe to show anyone.
    fn check(&self) -> BoxFuture<'_, Result<(), String>>;
}

/// The database answers a trivial query through the RecordsActor, and no fault stopped it.
pub struct Database {
    records: RecordsHandle,
    fault: Option<Arc<dyn Fn() -> bool + Send + Sync>>,
}

impl Database {
    /// Pings through `records`; `faulted`, when given, says whether a database fault stopped the process.
    pub fn new(records: RecordsHandle, faulted: Option<Arc<dyn Fn() -> bool + Send + Sync>>) -> Self {
        Self { records, fault: faulted }
    }
}

impl Check for Database {
    fn name(&self) -> &'static str {
        "database"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            if self.fault.as_ref().is_some_and(|faulted| faulted()) {
                return Err("the database file failed; the process is stopping".to_owned());
            }
            match self.records.ping().await {
                Ok(()) => Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, "readiness: the database did not answer");
                    Err("not reachable".to_owned())
                }
            }
        })
    }
}

/// Every actor of the tree runs.
pub struct Actors(pub ActorProbe);

impl Check for Actors {
    fn name(&self) -> &'static str {
        "actors"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let stopped = self.0.stopped();
            if stopped.is_empty() { Ok(()) } else { Err(format!("not running: {}", stopped.join(", "))) }
        })
    }
}

/// Every shard of Discord's gateway is connected.
pub struct DiscordGateway(pub Gateway);

impl Check for DiscordGateway {
    fn name(&self) -> &'static str {
        "discord gateway"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            if self.0.connected() {
                return Ok(());
            }
            let down = self.0.down();
            if down.is_empty() {
                Err("not connected yet".to_owned())
            } else {
                let shards: Vec<String> = down.iter().map(u32::to_string).collect();
                Err(format!("shard(s) {} not connected", shards.join(", ")))
            }
        })
    }
}

/// The checks `/readyz` runs.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<Arc<dyn Check>>,
}

/// What the checks answered: the failures, by check name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// (check, why) for every check that failed, in the order they were added.
    pub failures: Vec<(&'static str, String)>,
}

impl Report {
    /// Every check passed.
    pub fn is_ready(&self) -> bool {
        self.failures.is_empty()
    }

    /// The plain-text body: `ready`, or `not ready` and a line per failing check.
    pub fn body(&self) -> String {
        if self.is_ready() {
            return "ready\n".to_owned();
        }
        let mut body = "not ready\n".to_owned();
        for (name, why) in &self.failures {
            body.push_str(&format!("{name}: {why}\n"));
        }
        body
    }
}

impl Readiness {
    /// No checks: always ready.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a check.
    pub fn with(mut self, check: impl Check + 'static) -> Self {
        self.checks.push(Arc::new(check));
        self
    }

    /// Runs every check at once, each within [`CHECK_TIMEOUT`].
    pub async fn report(&self) -> Report {
        self.report_within(CHECK_TIMEOUT).await
    }

    /// [`report`](Self::report) with an explicit deadline per check.
    pub async fn report_within(&self, timeout: Duration) -> Report {
        // Each check on its own task, so their deadlines run together; answers kept in order.
        let runs: Vec<_> = self
            .checks
            .iter()
            .map(|check| {
                let check = check.clone();
                tokio::spawn(async move {
                    let outcome = match tokio::time::timeout(timeout, check.check()).await {
                        Ok(outcome) => outcome,
                        Err(_) => Err(format!("no answer within {} s", timeout.as_secs_f32())),
                    };
                    outcome.err().map(|why| (check.name(), why))
                })
            })
            .collect();
        let mut failures = Vec::new();
        for run in runs {
            match run.await {
                Ok(failure) => failures.extend(failure),
                Err(_) => failures.push(("readiness", "a check failed unexpectedly".to_owned())),
            }
        }
        Report { failures }
    }

    /// Whether the checks called `name` pass now (the watchdog asks the database's).
    pub async fn passes(&self, name: &str) -> bool {
        for check in self.checks.iter().filter(|c| c.name() == name) {
            if !matches!(tokio::time::timeout(CHECK_TIMEOUT, check.check()).await, Ok(Ok(()))) {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(&'static str, Result<(), &'static str>);

    impl Check for Fixed {
        fn name(&self) -> &'static str {
            self.0
        }
        fn check(&self) -> BoxFuture<'_, Result<(), String>> {
            let outcome = self.1.map_err(str::to_owned);
            Box::pin(async move { outcome })
        }
    }

    struct Hangs;

    impl Check for Hangs {
        fn name(&self) -> &'static str {
            "database"
        }
        fn check(&self) -> BoxFuture<'_, Result<(), String>> {
            Box::pin(std::future::pending())
        }
    }

    #[tokio::test]
    async fn ready_only_when_every_check_passes() {
        let all_good = Readiness::new().with(Fixed("database", Ok(()))).with(Fixed("actors", Ok(())));
        let report = all_good.report().await;
        assert!(report.is_ready());
        assert_eq!(report.body(), "ready\n");

        let db_down = Readiness::new()
            .with(Fixed("database", Err("not reachable")))
            .with(Fixed("actors", Ok(())))
            .with(Fixed("discord gateway", Err("not connected yet")));
        let report = db_down.report().await;
        assert!(!report.is_ready());
        assert_eq!(report.body(), "not ready\ndatabase: not reachable\ndiscord gateway: not connected yet\n");
        assert!(!db_down.passes("database").await);
        assert!(db_down.passes("actors").await);
    }

    #[tokio::test(start_paused = true)]
    async fn a_check_that_never_answers_fails_at_its_deadline() {
        let readiness = Readiness::new().with(Hangs).with(Fixed("actors", Ok(())));
        let report = readiness.report_within(Duration::from_secs(2)).await;
        assert_eq!(report.failures, [("database", "no answer within 2 s".to_owned())]);
    }

    #[tokio::test]
    async fn the_gateway_check_names_the_shards_down() {
        let gateway = Gateway::new();
        let check = DiscordGateway(gateway.clone());
        assert_eq!(check.check().await, Err("not connected yet".to_owned()));
        gateway.set(0, true);
        gateway.set(2, false);
        assert_eq!(check.check().await, Err("shard(s) 2 not connected".to_owned()));
        gateway.set(2, true);
        assert_eq!(check.check().await, Ok(()));
    }
}
