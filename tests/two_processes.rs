//! Quota exactness across processes: two `cloud-chatops console` processes sharing one PostgreSQL
//! database race 1,000 open-and-approve attempts (500 each) for a project limited to 10 instances.
//! Never more than 10 are committed, and at rest the accounts agree. Runs when `TEST_DATABASE_URL`
//! names a PostgreSQL server (a fresh database is created on it and dropped after).

#[path = "common/pg.rs"]
mod common_pg;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use cloud_chatops::check::{self, Repair};
use cloud_chatops::domain::Catalog;
use cloud_chatops::store;
use common_pg::on_fresh_database;

const PER_PROCESS: usize = 500;
const LIMIT: i64 = 10;

fn binary(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloud-chatops"));
    cmd.args(args)
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env_remove("DISCORD_TOKEN")
        .env("RUST_LOG", "warn")
        .env("CHATOPS_TERRAFORM__OUTPUT_DIR", dir.join("tf"));
    cmd
}

fn spawn_with_input(mut cmd: Command, input: String) -> std::thread::JoinHandle<Output> {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Writing and reading at once: a script larger than the pipe would otherwise deadlock.
    std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    std::thread::spawn(move || child.wait_with_output().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sharing_postgres_never_over_commit() {
    on_fresh_database("chatops_2p", race).await;
}

/// Seeds the database at `url`, runs the two consoles and checks the outcome.
async fn race(url: String) {
    let url = url.as_str();
    let dir = tempfile::tempdir().unwrap();

    let console = prepare(dir.path(), url);
    let init = "/cloud-init provider:gcp project_name:two-processes region:us-central1\n".to_owned();
    let out = spawn_with_input(binary(dir.path(), url, &console), init).join().unwrap();
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let project_id = created["project"]["id"].as_str().unwrap().to_owned();

    let started = std::time::Instant::now();
    let runs: Vec<_> = (0..2)
        .map(|p| {
            let script: String = (0..PER_PROCESS)
                .map(|i| {
                    format!(
                        "/cloud-deploy project_id:{project_id} resource_type:vm resource_name:p{p}-{i} machine_type:e2-micro\napprove\n"
                    )
                })
                .collect();
            spawn_with_input(binary(dir.path(), url, &console), script)
        })
        .collect();
    let (mut deployed, mut refused_at_reserve) = (Vec::new(), 0);
    for run in runs {
        let out = run.join().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Validation can see a unit free that the other process reserves a moment later: the
        // database's guard then refuses the reservation, and the member gets "quota exhausted".
        let exhausted = stdout.matches("\"kind\":\"error\",\"message\":\"quota exhausted").count();
        let errors: Vec<&str> = stdout.lines().filter(|l| l.contains("\"kind\":\"error\"")).collect();
        assert_eq!(errors.len(), exhausted, "no other error: {errors:?}");
        assert_eq!(stdout.matches("\"kind\":\"lobby\"").count() + exhausted, PER_PROCESS, "every attempt answered");
        refused_at_reserve += exhausted;
        deployed.push(stdout.matches("\"kind\":\"deployed\"").count() as i64);
    }
    let total: i64 = deployed.iter().sum();
    println!(
        "two processes: {} attempts, deployed {deployed:?} = {total}, limit {LIMIT}, over-commits {}, \
         refused by the guard at reservation {refused_at_reserve}, {:.1}s",
        2 * PER_PROCESS,
        (total - LIMIT).max(0),
        started.elapsed().as_secs_f64()
    );

    let db = store::connect(url).await.unwrap();
    let rows = store::quotas::usage(&db, &project_id).await.unwrap();
    let instances = rows.iter().find(|r| r.resource_type.as_str() == "compute.instances" && r.region == "*").unwrap();
    let active = store::resources::list(&db, &project_id, None).await.unwrap().len() as i64;
    let findings =
        check::run(&db, &Catalog::builtin(), &dir.path().join("tf"), Repair::Nothing).await.unwrap().findings;
    db.close().await.ok();

    assert_eq!(total, LIMIT, "exactly the limit is deployed across both processes");
    assert_eq!((instances.used, instances.reserved), (LIMIT, 0));
    assert_eq!(active, LIMIT);
    let ours: Vec<_> = findings.iter().filter(|f| f.subject.starts_with(&project_id)).collect();
    assert!(ours.is_empty(), "{ours:#?}");
}

const BUDGET_PROJECTS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sharing_postgres_never_overshoot_a_budget() {
    on_fresh_database("chatops_2b", budget_race).await;
}

/// 50 projects with a $40 budget each; two consoles make 500 attempts each (10 per project in all)
/// to deploy and approve a $6.132/month VM (the first with its network's $32.12 NAT gateway).
/// Exactly one fits each budget.
async fn budget_race(url: String) {
    let url = url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let console = prepare(dir.path(), url);
    let init: String = (0..BUDGET_PROJECTS)
        .map(|i| format!("/cloud-init provider:gcp project_name:budget-{i} region:us-central1 budget_limit:40\n"))
        .collect();
    let out = spawn_with_input(binary(dir.path(), url, &console), init).join().unwrap();
    let projects: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["project"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(projects.len(), BUDGET_PROJECTS);

    let runs: Vec<_> = (0..2)
        .map(|p| {
            let script: String = (0..PER_PROCESS)
                .map(|i| {
                    let project = &projects[i % BUDGET_PROJECTS];
                    format!(
                        "/cloud-deploy project_id:{project} resource_type:vm resource_name:p{p}-{i} machine_type:e2-micro\napprove\n"
                    )
                })
                .collect();
            spawn_with_input(binary(dir.path(), url, &console), script)
        })
        .collect();
    let mut deployed = 0;
    for run in runs {
        let out = run.join().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        deployed += String::from_utf8_lossy(&out.stdout).matches("\"kind\":\"deployed\"").count();
    }

    let db = store::connect(url).await.unwrap();
    let mut over = 0;
    let mut fits = 0;
    for project in &projects {
        let spend = store::resources::project_hourly_spend(&db, project).await.unwrap().monthly_from_hourly();
        over += usize::from(spend > cloud_chatops::domain::Money::from_dollars(40));
        fits += usize::from(spend > cloud_chatops::domain::Money::ZERO);
    }
    let findings =
        check::run(&db, &Catalog::builtin(), &dir.path().join("tf"), Repair::Nothing).await.unwrap().findings;
    db.close().await.ok();
    println!(
        "two processes, budgets: {} attempts on {BUDGET_PROJECTS} projects of $40/month, deployed {deployed}, \
         projects over budget {over}",
        2 * PER_PROCESS
    );
    assert_eq!(over, 0, "no project ends over its budget");
    assert_eq!((fits, deployed), (BUDGET_PROJECTS, BUDGET_PROJECTS), "one VM in each budget, no more");
    let ours: Vec<_> = findings.iter().filter(|f| projects.iter().any(|p| f.subject.starts_with(p.as_str()))).collect();
    assert!(ours.is_empty(), "{ours:#?}");
}

/// Migrates and seeds the database at `url`; answers the console arguments of a CloudAdmin who is
/// also a Discord Administrator.
fn prepare(dir: &Path, url: &str) -> [&'static str; 5] {
    for step in [&["migrate"][..], &["seed"][..]] {
        let out = binary(dir, url, step).output().unwrap();
        assert!(out.status.success(), "{step:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    ["console", "--json", "--user", "222222222", "--admin"]
}

const MIX_ROUNDS: usize = 90;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_mixing_deploys_resizes_and_destroys_end_exact() {
    on_fresh_database("chatops_2m", mixed_race).await;
}

/// A project at 10 of 24 CPUs (five e2-small VMs); two consoles each run 90 rounds of a deploy, a
/// resize of a shared VM (e2-small <-> e2-standard-4) and a destroy of a VM the other process
/// deployed, every lobby approved then cancelled. At rest: used = what the live resources consume,
/// nothing reserved, never above a limit, and `check` finds nothing.
async fn mixed_race(url: String) {
    let url = url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let console = prepare(dir.path(), url);
    let mut setup = "/cloud-init provider:gcp project_name:mixed region:us-central1\n".to_owned();
    let out = spawn_with_input(binary(dir.path(), url, &console), std::mem::take(&mut setup)).join().unwrap();
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let project = created["project"]["id"].as_str().unwrap().to_owned();
    let base: String = (0..5)
        .map(|k| format!("/cloud-deploy project_id:{project} resource_type:vm resource_name:base-{k} machine_type:e2-small\napprove\n"))
        .collect();
    let out = spawn_with_input(binary(dir.path(), url, &console), base).join().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches("\"kind\":\"deployed\"").count(), 5);

    let runs: Vec<_> = (0..2)
        .map(|p| {
            let script: String = (0..MIX_ROUNDS)
                .map(|i| {
                    let line = match i % 3 {
                        0 => format!("/cloud-deploy project_id:{project} resource_type:vm resource_name:p{p}-{i} machine_type:e2-small"),
                        1 => {
                            let size = if (i / 3 + p) % 2 == 0 { "e2-standard-4" } else { "e2-small" };
                            format!("/cloud-resize project_id:{project} resource_name:base-{} machine_type:{size}", i % 5)
                        }
                        _ => format!("/cloud-destroy project_id:{project} resource_name:p{}-{}", 1 - p, i - 2),
                    };
                    format!("{line}\napprove\ncancel\n")
                })
                .collect();
            spawn_with_input(binary(dir.path(), url, &console), script)
        })
        .collect();
    let mut kinds = std::collections::BTreeMap::new();
    for run in runs {
        let out = run.join().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let reply: serde_json::Value = serde_json::from_str(line).unwrap();
            *kinds.entry(reply["kind"].as_str().unwrap_or("?").to_owned()).or_insert(0) += 1;
        }
    }

    let db = store::connect(url).await.unwrap();
    let catalog = Catalog::builtin();
    let live = store::resources::list(&db, &project, None).await.unwrap();
    let mut cpus = 0;
    for r in &live {
        let size = store::spec::stored_size(&r.config).unwrap();
        cpus += catalog
            .provider(cloud_chatops::domain::Provider::Gcp)
            .machine_type(cloud_chatops::domain::Provider::Gcp, size)
            .unwrap()
            .vcpus as i64;
    }
    let rows = store::quotas::usage(&db, &project).await.unwrap();
    let line = |t: &str| rows.iter().find(|r| r.resource_type.as_str() == t && r.region == "*").unwrap().clone();
    let (instances, cpu_line) = (line("compute.instances"), line("compute.cpus"));
    let pending = store::sessions::list_pending(&db).await.unwrap();
    let findings = check::run(&db, &catalog, &dir.path().join("tf"), Repair::Nothing).await.unwrap().findings;
    db.close().await.ok();
    println!(
        "two processes, mixed: {} rounds, replies {kinds:?}, live VMs {}, CPUs {} of {}",
        2 * MIX_ROUNDS,
        live.len(),
        cpu_line.used,
        cpu_line.quota_limit
    );
    assert!(kinds.get("deployed").copied().unwrap_or(0) > 5, "the race did change things: {kinds:?}");
    assert_eq!((instances.used, instances.reserved), (live.len() as i64, 0), "instances exact");
    assert_eq!((cpu_line.used, cpu_line.reserved), (cpus, 0), "CPUs exact");
    assert!(cpu_line.used <= cpu_line.quota_limit && instances.used <= instances.quota_limit);
    assert!(pending.iter().all(|s| s.project_id != project), "every lobby ended");
    let ours: Vec<_> = findings.iter().filter(|f| f.subject.starts_with(&project)).collect();
    assert!(ours.is_empty(), "{ours:#?}");
}
