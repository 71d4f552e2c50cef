//! The metrics' names and the calls that record them, made where the events happen (the lobby
//! actors, the generator, the Discord handler, the store retries). Without an installed recorder
//! (metrics off, unit tests) every call is a no-op.
//!
//! A leaf: it names no other layer, so every layer may record through it (`tests/tidy.rs`).
//! Labels are bounded (plan kinds, rule ids, quota types, shard numbers, project ids): never a
//! user, a session or free text.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Lobbies opened (label `plan`: deploy, destroy, resize, stack), denied ones included.
pub const LOBBIES_OPENED: &str = "cloud_chatops_lobbies_opened_total";
/// Lobbies approved (label `plan`).
pub const LOBBIES_APPROVED: &str = "cloud_chatops_lobbies_approved_total";
/// Lobbies opened denied (label `rule`: the first refusing rule, `quota.compute.instances`, `policy.region`, ...).
pub const LOBBIES_DENIED: &str = "cloud_chatops_lobbies_denied_total";
/// Lobbies cancelled.
pub const LOBBIES_CANCELLED: &str = "cloud_chatops_lobbies_cancelled_total";
/// Lobbies expired.
pub const LOBBIES_EXPIRED: &str = "cloud_chatops_lobbies_expired_total";
/// Lobbies failed (denied on re-validation at approval, or a conflict at commit).
pub const LOBBIES_FAILED: &str = "cloud_chatops_lobbies_failed_total";
/// From the Approve press to the approval committed and its Terraform written.
pub const APPROVAL_SECONDS: &str = "cloud_chatops_approval_duration_seconds";
/// One project's Terraform generation (label `outcome`: ok, error).
pub const GENERATION_SECONDS: &str = "cloud_chatops_terraform_generation_duration_seconds";
/// Quota consumed (labels `project`, `quota`, `region`), read from the database at each scrape.
pub const QUOTA_USED: &str = "cloud_chatops_quota_used";
/// Quota reserved by open lobbies (same labels).
pub const QUOTA_RESERVED: &str = "cloud_chatops_quota_reserved";
/// Quota limit (same labels).
pub const QUOTA_LIMIT: &str = "cloud_chatops_quota_limit";
/// From an interaction's arrival to Discord's acknowledgement of the answer or deferral (label `kind`: command, click).
pub const ACK_SECONDS: &str = "cloud_chatops_discord_ack_duration_seconds";
/// 1 while a shard's gateway connection is up, else 0 (label `shard`).
pub const GATEWAY_CONNECTED: &str = "cloud_chatops_discord_gateway_connected";
/// Store calls of the actors that failed with a database error, every attempt (label `call`).
pub const DATABASE_ERRORS: &str = "cloud_chatops_database_errors_total";

/// Backups written (label `kind`: requested, periodic; `outcome`: ok, error).
pub const BACKUPS: &str = "cloud_chatops_backups_total";
/// Unix time of the last backup written, so an alert can say "no backup for a day".
pub const BACKUP_LAST: &str = "cloud_chatops_backup_last_success_timestamp_seconds";

/// Seconds: 5 ms to 2 minutes (a generation of a large project, a slow approval).
const BUCKETS: [f64; 14] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 120.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Why the recorder could not be installed.
#[derive(Debug, thiserror::Error)]
#[error("cannot install the metrics recorder: {0}")]
pub struct InstallError(String);

/// Installs the process's Prometheus recorder (once; later calls get the same handle) and
/// describes every metric, so a scrape lists the counters before their first event.
pub fn install() -> Result<PrometheusHandle, InstallError> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
        .map_err(|e| InstallError(e.to_string()))?;
    let handle = builder.install_recorder().map_err(|e| InstallError(e.to_string()))?;
    describe();
    Ok(HANDLE.get_or_init(|| handle).clone())
}

/// The installed recorder's text: every metric in Prometheus' exposition format.
pub fn render(handle: &PrometheusHandle) -> String {
    // Without the exporter's own listener, upkeep (draining histograms) is the scraper's job.
    handle.run_upkeep();
    handle.render()
}

fn describe() {
    describe_counter!(LOBBIES_OPENED, "Lobbies opened, denied ones included");
    describe_counter!(LOBBIES_APPROVED, "Lobbies approved");
    describe_counter!(LOBBIES_DENIED, "Lobbies opened with a denying verdict, by the first refusing rule");
    describe_counter!(LOBBIES_CANCELLED, "Lobbies cancelled");
    describe_counter!(LOBBIES_EXPIRED, "Lobbies expired");
    describe_counter!(LOBBIES_FAILED, "Lobbies failed at approval (re-validation or commit)");
    describe_histogram!(APPROVAL_SECONDS, Unit::Seconds, "Approve press to approval committed and Terraform written");
    describe_histogram!(GENERATION_SECONDS, Unit::Seconds, "Terraform generation of one project");
    describe_gauge!(QUOTA_USED, "Quota consumed");
    describe_gauge!(QUOTA_RESERVED, "Quota reserved by open lobbies");
    describe_gauge!(QUOTA_LIMIT, "Quota limit");
    describe_histogram!(ACK_SECONDS, Unit::Seconds, "Interaction arrival to its acknowledgement by Discord");
    describe_gauge!(GATEWAY_CONNECTED, "1 while the shard's gateway connection is up");
    describe_counter!(DATABASE_ERRORS, "Actor store calls that failed with a database error");
    describe_counter!(BACKUPS, "Database backups attempted, by kind and outcome");
    describe_gauge!(BACKUP_LAST, "Unix time of the last database backup written");
    // Shown at zero from the start: a rate over a counter that appears late misses its first events.
    for name in [LOBBIES_CANCELLED, LOBBIES_EXPIRED, LOBBIES_FAILED] {
        counter!(name).absolute(0);
    }
}

/// A lobby opened; `denied_by` is its verdict's first refusing rule when it was denied.
pub fn lobby_opened(plan: &'static str, denied_by: Option<&str>) {
    counter!(LOBBIES_OPENED, "plan" => plan).increment(1);
    if let Some(rule) = denied_by {
        counter!(LOBBIES_DENIED, "rule" => rule.to_owned()).increment(1);
    }
}

/// A lobby approved, `took` after the press.
pub fn lobby_approved(plan: &'static str, took: Duration) {
    counter!(LOBBIES_APPROVED, "plan" => plan).increment(1);
    histogram!(APPROVAL_SECONDS).record(took.as_secs_f64());
}

/// How a lobby ended without an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Cancelled by the requester or a CloudAdmin.
    Cancelled,
    /// Its deadline passed.
    Expired,
    /// Refused at approval.
    Failed,
}

/// A lobby ended without an approval.
pub fn lobby_ended(how: Ending) {
    let name = match how {
        Ending::Cancelled => LOBBIES_CANCELLED,
        Ending::Expired => LOBBIES_EXPIRED,
        Ending::Failed => LOBBIES_FAILED,
    };
    counter!(name).increment(1);
}

/// One Terraform generation took `took`.
pub fn generation(took: Duration, ok: bool) {
    histogram!(GENERATION_SECONDS, "outcome" => if ok { "ok" } else { "error" }).record(took.as_secs_f64());
}

/// One quota row as it stands (counts; US dollars for `budget.monthly`).
pub fn quota(project: &str, quota: &str, region: &str, used: f64, reserved: f64, limit: f64) {
    let labels = [("project", project.to_owned()), ("quota", quota.to_owned()), ("region", region.to_owned())];
    gauge!(QUOTA_USED, &labels).set(used);
    gauge!(QUOTA_RESERVED, &labels).set(reserved);
    gauge!(QUOTA_LIMIT, &labels).set(limit);
}

/// An interaction (`kind`: command, click) was acknowledged `took` after it arrived.
pub fn ack(kind: &'static str, took: Duration) {
    histogram!(ACK_SECONDS, "kind" => kind).record(took.as_secs_f64());
}

/// A shard's gateway connection went up or down.
pub fn gateway(shard: u32, connected: bool) {
    gauge!(GATEWAY_CONNECTED, "shard" => shard.to_string()).set(if connected { 1.0 } else { 0.0 });
}

/// A store call of an actor failed with a database error.
pub fn database_error(call: &'static str) {
    counter!(DATABASE_ERRORS, "call" => call).increment(1);
}

/// A backup (`periodic` or `requested`) was written, or failed.
pub fn backup(kind: &'static str, ok: bool) {
    counter!(BACKUPS, "kind" => kind, "outcome" => if ok { "ok" } else { "error" }).increment(1);
    if ok {
        gauge!(BACKUP_LAST).set(chrono::Utc::now().timestamp() as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_events_render_with_their_names_and_labels() {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
            .unwrap()
            .build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            describe();
            lobby_opened("deploy", None);
            lobby_opened("deploy", Some("quota.compute.instances"));
            lobby_approved("deploy", Duration::from_millis(30));
            lobby_ended(Ending::Expired);
            quota("gcp-abc123", "compute.instances", "*", 4.0, 1.0, 10.0);
            gateway(0, true);
            database_error("records");
        });
        let text = render(&handle);
        for line in [
            "cloud_chatops_lobbies_opened_total{plan=\"deploy\"} 2",
            "cloud_chatops_lobbies_denied_total{rule=\"quota.compute.instances\"} 1",
            "cloud_chatops_lobbies_approved_total{plan=\"deploy\"} 1",
            "cloud_chatops_lobbies_expired_total 1",
            "cloud_chatops_lobbies_cancelled_total 0",
            "cloud_chatops_approval_duration_seconds_bucket{le=\"0.05\"} 1",
            "cloud_chatops_quota_used{project=\"gcp-abc123\",quota=\"compute.instances\",region=\"*\"} 4",
            "cloud_chatops_quota_limit{project=\"gcp-abc123\",quota=\"compute.instances\",region=\"*\"} 10",
            "cloud_chatops_discord_gateway_connected{shard=\"0\"} 1",
            "cloud_chatops_database_errors_total{call=\"records\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing `{line}` in:\n{text}");
        }
    }
}
