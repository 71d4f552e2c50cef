//! The ops endpoints and systemd notifications of the console binary: `/healthz`, `/readyz` and
//! `/metrics` on `metrics.listen`, counters that move with the lobbies piped through it, quota
//! gauges read at each scrape, JSON logs, and READY/WATCHDOG/STOPPING on a fake notify socket.

#[path = "common/binary.rs"]
#[allow(dead_code)]
mod common_binary;
#[path = "common/console.rs"]
mod common_console;
#[path = "common/http.rs"]
mod common_http;

use common_binary::binary;
use common_console::{Console, DEADLINE};
use common_http::{free_addr, get, sample, wait_for};

fn metrics(addr: std::net::SocketAddr) -> String {
    let (status, body) = get(addr, "/metrics").expect("/metrics answers");
    assert_eq!(status, 200, "{body}");
    body
}

#[test]
fn the_console_serves_health_readiness_and_metrics_that_follow_its_lobbies() {
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let mut cmd = binary(dir.path(), &["console", "--json"]);
    cmd.env("CHATOPS_METRICS__LISTEN", addr.to_string());
    let mut console = Console::start(cmd);

    assert_eq!(wait_for(addr, "/healthz", DEADLINE, |s, _| s == 200), (200, "ok\n".to_owned()));
    assert_eq!(wait_for(addr, "/readyz", DEADLINE, |s, _| s == 200), (200, "ready\n".to_owned()));
    let before = metrics(addr);
    assert!(before.contains("# TYPE cloud_chatops_lobbies_cancelled_total counter"), "{before}");
    assert_eq!(sample(&before, "cloud_chatops_lobbies_cancelled_total"), Some(0.0));
    assert_eq!(sample(&before, "cloud_chatops_lobbies_opened_total{plan=\"deploy\"}"), None);
    // The sample data: 3 of the seeded project's 10 instances are in use.
    let instances = "{project=\"gcp-abc123\",quota=\"compute.instances\",region=\"*\"}";
    assert_eq!(sample(&before, &format!("cloud_chatops_quota_used{instances}")), Some(3.0), "{before}");
    assert_eq!(sample(&before, &format!("cloud_chatops_quota_limit{instances}")), Some(10.0));

    // A deploy and its approval, as in the piped console's seed flow.
    console.tell("as 222222222 admin");
    let granted = console.say(
        "/cloud-grant user:111111111 provider:gcp role:user regions:us-central1,asia-southeast1 budget_limit:3000",
    );
    assert_eq!(granted["kind"], "granted", "{granted}");
    console.tell("as 111111111");
    let lobby = console
        .say("/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-server-04 machine_type:e2-small");
    assert_eq!(lobby["verdict"]["outcome"], "allowed", "{lobby}");
    let opened = metrics(addr);
    assert_eq!(sample(&opened, "cloud_chatops_lobbies_opened_total{plan=\"deploy\"}"), Some(1.0), "{opened}");
    assert_eq!(sample(&opened, &format!("cloud_chatops_quota_reserved{instances}")), Some(1.0), "{opened}");
    assert_eq!(sample(&opened, "cloud_chatops_lobbies_approved_total{plan=\"deploy\"}"), None);

    assert_eq!(console.say("approve")["kind"], "deployed");
    let approved = metrics(addr);
    assert_eq!(sample(&approved, "cloud_chatops_lobbies_approved_total{plan=\"deploy\"}"), Some(1.0), "{approved}");
    assert_eq!(sample(&approved, "cloud_chatops_approval_duration_seconds_count"), Some(1.0), "{approved}");
    let generations = sample(&approved, "cloud_chatops_terraform_generation_duration_seconds_count{outcome=\"ok\"}");
    assert!(generations.is_some_and(|n| n >= 1.0), "{approved}");
    assert_eq!(sample(&approved, &format!("cloud_chatops_quota_used{instances}")), Some(4.0), "{approved}");
    assert_eq!(sample(&approved, &format!("cloud_chatops_quota_reserved{instances}")), Some(0.0));

    // A CloudUser may not create Kubernetes: the lobby opens denied, then is cancelled.
    let denied = console.say("/cloud-deploy project_id:gcp-abc123 resource_type:k8s resource_name:apps");
    assert_eq!(denied["verdict"]["outcome"], "denied", "{denied}");
    assert_eq!(console.say("cancel")["kind"], "lobby_closed");
    let ended = metrics(addr);
    assert_eq!(
        sample(&ended, "cloud_chatops_lobbies_denied_total{rule=\"permission.can_create_k8s\"}"),
        Some(1.0),
        "{ended}"
    );
    assert_eq!(sample(&ended, "cloud_chatops_lobbies_opened_total{plan=\"deploy\"}"), Some(2.0));
    assert_eq!(sample(&ended, "cloud_chatops_lobbies_cancelled_total"), Some(1.0));
    assert_eq!(get(addr, "/readyz").map(|(s, _)| s), Some(200));

    console.finish();
    assert_eq!(get(addr, "/healthz"), None, "the endpoints stop with the process");
}

#[test]
fn json_logs_are_one_object_per_line_and_rust_log_says_it_overrides_log_level() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = binary(dir.path(), &["console", "--json"]);
    cmd.env("CHATOPS_LOG__FORMAT", "json").env("RUST_LOG", "info");
    let mut console = Console::start(cmd);
    console.say("/cloud-projects");
    let stderr = console.finish();
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a log line is not JSON: {l}: {e}")))
        .collect();
    let said = |needle: &str| lines.iter().any(|l| l["fields"]["message"].as_str().is_some_and(|m| m.contains(needle)));
    assert!(said("RUST_LOG is set: it overrides log.level"), "{stderr}");
    assert!(said("actor system ready"), "{stderr}");
    assert!(lines.iter().all(|l| l["level"].is_string() && l["timestamp"].is_string()), "{stderr}");
}

#[test]
fn an_unknown_log_format_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = binary(dir.path(), &["console", "--json"]).env("CHATOPS_LOG__FORMAT", "yaml").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("log.format"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn systemd_hears_ready_watchdog_pings_and_stopping() {
    use std::os::unix::net::UnixDatagram;

    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut cmd = binary(dir.path(), &["console", "--json"]);
    // A 200 ms watchdog: pinged every 100 ms.
    cmd.env("NOTIFY_SOCKET", &socket_path).env("WATCHDOG_USEC", "200000").env_remove("WATCHDOG_PID");
    let mut console = Console::start(cmd);
    let mut received = Vec::new();
    let next = || {
        let mut buf = [0u8; 256];
        let n = socket.recv(&mut buf).expect("a notification before the deadline");
        String::from_utf8_lossy(&buf[..n]).trim().to_owned()
    };
    while received.iter().filter(|m| *m == "WATCHDOG=1").count() < 2 {
        received.push(next());
    }
    assert!(received.contains(&"READY=1".to_owned()), "{received:?}");
    console.say("/cloud-projects");
    console.finish();
    let mut rest = Vec::new();
    while !rest.contains(&"STOPPING=1".to_owned()) {
        rest.push(next());
    }
    assert!(rest.iter().all(|m| m == "WATCHDOG=1" || m == "STOPPING=1"), "{rest:?}");
}

#[test]
fn without_notify_socket_nothing_is_sent_and_the_console_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = binary(dir.path(), &["console", "--json"]);
    cmd.env_remove("NOTIFY_SOCKET").env("WATCHDOG_USEC", "200000");
    let mut console = Console::start(cmd);
    assert_eq!(console.say("/cloud-projects")["kind"], "projects");
    console.finish();
}
