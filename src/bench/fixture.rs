//! What several benchmarks share: the actor tree on a fresh database with the sample data and
//! quotas that never run out, a template lobby opened through the full path, and stored copies of it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::Scale;
use super::db::{BenchDb, Target};
use super::machine::rss_bytes;
use crate::actors::notifier::{LobbyEvent, LobbyNotifier, LobbyTarget};
use crate::actors::supervisor::{System, SystemArgs};
use crate::commands::{Command, Deploy, Invoker, Reply, execute};
use crate::domain::{Catalog, ResourceKind};
use crate::seed;
use crate::settings::Settings;
use crate::store::json::JsonText;
use crate::store::sessions::NewSession;
use crate::store::{self, quotas::QuotaAmount};
use entities::deployment_sessions;

/// The sample CloudUser (gcp, VMs up to medium, us-central1).
pub const USER: Invoker =
    Invoker { user_id: seed::USER_ID, guild_id: seed::GUILD_ID, channel_id: 7, is_guild_admin: false };

/// An expiry timer as it fired: (lobby, deadline, fired at).
pub type TimerFired = (Uuid, DateTime<Utc>, DateTime<Utc>);

/// Sends each expired lobby's id and the time the front end heard of it, and (when asked) each
/// expiry timer as it fires: (lobby, deadline, fired at).
pub struct Recorder {
    /// Expiries heard.
    pub closed: mpsc::UnboundedSender<(Uuid, DateTime<Utc>)>,
    /// Timers fired.
    pub fired: Option<mpsc::UnboundedSender<TimerFired>>,
}

impl LobbyNotifier for Recorder {
    fn lobby_updated(&self, _: LobbyTarget, event: LobbyEvent) {
        let LobbyEvent::Expired(closure) = event;
        let _ = self.closed.send((closure.session_id, store::now()));
    }

    fn expiry_timer_fired(&self, session_id: Uuid, deadline: DateTime<Utc>) {
        if let Some(fired) = &self.fired {
            let _ = fired.send((session_id, deadline, store::now()));
        }
    }
}

/// The running tree over a benchmark database.
pub struct Sample {
    /// Database.
    pub bench: BenchDb,
    /// Actors.
    pub system: System,
    /// What it was started with.
    pub args: SystemArgs,
    terraform: PathBuf,
}

impl Sample {
    /// A fresh database with the sample data, every quota far above what a benchmark uses.
    pub async fn start(target: &Target, notifier: Arc<dyn LobbyNotifier>) -> anyhow::Result<Sample> {
        let bench = target.fresh().await?;
        let mut settings = Settings::load_from(std::path::Path::new("/nonexistent"), Default::default())?;
        let q = &mut settings.quotas;
        for limit in [
            &mut q.compute_instances,
            &mut q.compute_cpus,
            &mut q.compute_ram_gb,
            &mut q.database_instances,
            &mut q.network_vpcs,
            &mut q.network_load_balancers,
        ] {
            *limit = 100_000_000;
        }
        let terraform = std::env::temp_dir().join(format!("cloud-chatops-bench-tf-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&terraform)?;
        settings.terraform.output_dir = terraform.clone();
        let catalog = Arc::new(Catalog::builtin());
        seed::load(&bench.db, &settings.quotas, &catalog).await?;
        // The sample project's budget is a quota line too: far above what a benchmark spends.
        let budget = store::quotas::MAX_MONEY_AMOUNT;
        store::quotas::set_limit(&bench.db, seed::PROJECT_ID, crate::domain::QuotaType::BudgetMonthly, budget).await?;
        // And so is the sample CloudUser's own budget: the burst would otherwise spend it.
        let (role, provider) = (crate::domain::Role::CloudUser, crate::domain::Provider::Gcp);
        let mut grant =
            store::permissions::Grant::for_role(seed::USER_ID, seed::GUILD_ID, provider, role, seed::ADMIN_ID);
        grant.permissions.max_vm_size = Some(crate::domain::SizeClass::Medium);
        grant.permissions.allowed_regions = Some(vec!["us-central1".into()]);
        store::permissions::grant(&bench.db, grant).await?;
        let args = SystemArgs { db: bench.db.clone(), settings: Arc::new(settings), catalog, notifier };
        let system = System::start(args.clone()).await?;
        Ok(Sample { bench, system, args, terraform })
    }

    /// Opens a lobby for one `e2-small` VM named `name` through the command layer.
    pub async fn open(&self, name: &str) -> anyhow::Result<Uuid> {
        match execute(&self.system.services, USER, deploy(name)).await {
            Reply::Lobby(view) => Ok(view.session_id),
            other => anyhow::bail!("expected a lobby, got {other:?}"),
        }
    }

    /// A lobby opened through the full path, as it is stored.
    pub async fn template(&self) -> anyhow::Result<deployment_sessions::Model> {
        let id = self.open("template").await?;
        Ok(store::sessions::get(&self.bench.db, id).await?)
    }

    /// Stops the tree; the database stays.
    pub async fn stop(self) -> (BenchDb, SystemArgs, PathBuf) {
        self.system.shutdown().await;
        (self.bench, self.args, self.terraform)
    }

    /// Stops the tree and removes the database and the Terraform directory.
    pub async fn finish(self) {
        let (bench, _, terraform) = self.stop().await;
        bench.drop().await;
        std::fs::remove_dir_all(terraform).ok();
    }
}

/// `/cloud-deploy` of one `e2-small` VM in the sample project.
pub fn deploy(name: &str) -> Command {
    Command::Deploy(Deploy {
        project_id: seed::PROJECT_ID.into(),
        kind: ResourceKind::Vm,
        name: name.into(),
        size: Some("e2-small".into()),
        region: None,
        count: 1,
        node_count: None,
        options: Default::default(),
    })
}

/// The template's row with another id, name and deadline.
pub fn copy_of(
    template: &deployment_sessions::Model,
    id: Uuid,
    i: usize,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<NewSession> {
    let mut request = template.request.clone();
    request["plan"]["name"] = serde_json::Value::String(format!("bench-{i}"));
    Ok(NewSession {
        id,
        project_id: template.project_id.clone(),
        user_id: template.user_id,
        guild_id: template.guild_id,
        channel_id: template.channel_id,
        provider: template.provider,
        kind: template.deployment_type,
        request: JsonText::of(&request)?,
        verdict: JsonText::of(&template.verdict)?,
        reservation: store::sessions::reservation_of(template)?,
        expires_at,
        target: None,
    })
}

/// Stores a pending copy of `template` per (id, deadline) and reserves their quota, as if each had
/// been opened; in transactions of a few hundred rows.
pub async fn store_copies(
    db: &DatabaseConnection,
    template: &deployment_sessions::Model,
    lobbies: &[(Uuid, DateTime<Utc>)],
) -> anyhow::Result<()> {
    for (chunk_no, chunk) in lobbies.chunks(500).enumerate() {
        let txn = db.begin().await?;
        for (j, (id, deadline)) in chunk.iter().enumerate() {
            store::sessions::create(&txn, copy_of(template, *id, chunk_no * 500 + j, *deadline)?).await?;
        }
        txn.commit().await?;
    }
    let n = lobbies.len() as i64;
    let lines: Vec<QuotaAmount> = store::sessions::reservation_of(template)?
        .iter()
        .map(|l| QuotaAmount::new(l.quota_type, l.region.clone(), l.amount * n))
        .collect();
    store::quotas::reserve(db, &template.project_id, &lines).await?;
    Ok(())
}

/// Live lobbies for the memory and expiry figures: stored copies of a template (opening them through
/// the full path would take minutes at 100,000) with deadlines spread evenly over the scale's
/// window, started by rehydration.
pub struct Fleet {
    /// The tree.
    pub sample: Sample,
    /// Each lobby and its deadline.
    pub deadlines: Vec<(Uuid, DateTime<Utc>)>,
    /// Expiries as the front end hears of them.
    pub closed: mpsc::UnboundedReceiver<(Uuid, DateTime<Utc>)>,
    /// Expiry timers as they fire: (lobby, deadline, fired at).
    pub fired: mpsc::UnboundedReceiver<TimerFired>,
    /// RSS with the tree up and the rows stored, before any of these lobbies lives.
    pub rss_before: u64,
    /// RSS with every lobby live.
    pub rss_after: u64,
    /// How long spawning them took.
    pub spawn_time: Duration,
    /// Whether the first deadline passed before the last lobby was live (the memory figure then
    /// undercounts; the lead below is meant to prevent it).
    pub late: bool,
}

impl Fleet {
    /// Stores `scale.lobbies` lobbies with deadlines spread over the scale's window, then starts
    /// their actors as start-up does (`LobbyHandle::rehydrate`).
    pub async fn open(target: &Target, scale: &Scale) -> anyhow::Result<Fleet> {
        let (closed_tx, closed) = mpsc::unbounded_channel();
        let (fired_tx, fired) = mpsc::unbounded_channel();
        let recorder = Recorder { closed: closed_tx, fired: Some(fired_tx) };
        let sample = Sample::start(target, Arc::new(recorder)).await?;
        let template = sample.template().await?;
        let n = scale.lobbies;

        // Enough time to store them and start them all before the first deadline (about 100 µs
        // each here), then deadlines evenly spread over the window.
        let lead = Duration::from_secs(3) + Duration::from_micros(200) * n as u32;
        let first = store::now() + TimeDelta::from_std(lead)?;
        let step = scale.expiry_spread / n as u32;
        let deadlines: Vec<(Uuid, DateTime<Utc>)> = (0..n)
            .map(|i| (Uuid::new_v4(), first + TimeDelta::from_std(step * i as u32).unwrap_or_default()))
            .collect();
        store_copies(&sample.bench.db, &template, &deadlines).await?;

        let rss_before = rss_bytes();
        let started = Instant::now();
        let lobbies = &sample.system.services.lobbies;
        lobbies.rehydrate().await?;
        let spawn_time = started.elapsed();
        let rss_after = rss_bytes();
        let late = store::now() >= first;
        anyhow::ensure!(lobbies.count().await? >= n, "not every lobby is live");
        Ok(Fleet { sample, deadlines, closed, fired, rss_before, rss_after, spawn_time, late })
    }
}
