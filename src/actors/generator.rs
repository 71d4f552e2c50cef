//! The `GeneratorActor`: regenerates a project's Terraform on request, one generation of a project
//! at a time so two approvals of the same project never interleave their writes; the per-project
//! file lock taken by [`terraform::regenerate`] extends that to every process sharing the output
//! root.
//!
//! Requests for a project that is being generated collapse into one follow-up generation, started
//! when the running one ends: it reads the database after every one of those requests was made, so
//! it writes what each of them committed, and a burst of approvals in one project costs two
//! generations instead of one each. Different projects generate side by side.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lru::LruCache;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SpawnErr};

use super::ActorSlot;
use crate::domain::Catalog;
use crate::domain::plan::Plan;
use crate::domain::validate::Verdict;
use crate::ops::metrics;
use crate::terraform::{self, FileWriter, FsWriter, GenerateError, Generated, GenerationMemo, SpecSource};

/// Messages of the [`GeneratorActor`].
pub enum GeneratorMsg {
    /// Regenerate one project's directory from its spec source.
    Generate {
        /// The chatops project id, e.g. `gcp-3f9a1c`.
        project_id: String,
        /// Receives the outcome; the actor keeps running whatever it is.
        reply: RpcReplyPort<Result<Generated, GenerateError>>,
    },
    /// Would the project with this plan applied render and be written? Answered off the actor's
    /// task, beside any generation (it writes nothing).
    Check {
        /// The chatops project id.
        project_id: String,
        /// The lobby's plan and verdict, as the approval records them.
        plan: Box<(Plan, Verdict)>,
        /// Prices and defaults.
        catalog: Arc<Catalog>,
        /// `Ok` when the approval's Terraform can be written.
        reply: RpcReplyPort<Result<(), GenerateError>>,
    },
    /// A generation this actor started has ended (`Err`: it panicked).
    Finished {
        /// The project it generated.
        project_id: String,
        /// Its outcome, for every request it served.
        outcome: Result<Result<Generated, GenerateError>, String>,
        /// What it rendered, for the project's next generation (lost if it panicked).
        memo: Option<Box<GenerationMemo>>,
    },
    /// Test hook: fail the actor while a caller waits, as a bug would.
    #[cfg(feature = "test-hooks")]
    InjectFailure(RpcReplyPort<Result<Generated, GenerateError>>),
}

/// Renders and writes Terraform for projects on request.
pub struct GeneratorActor;

/// Start-up arguments of the [`GeneratorActor`].
pub struct GeneratorArgs {
    /// Output root; each project gets `terraform_<provider>_<id>/` under it.
    pub root: PathBuf,
    /// Where specs come from.
    pub source: Arc<dyn SpecSource>,
    /// How files are written (a test seam; [`FsWriter`] in production).
    pub writer: Arc<dyn FileWriter>,
}

impl GeneratorArgs {
    /// Arguments with the real file-system writer.
    pub fn new(root: impl Into<PathBuf>, source: Arc<dyn SpecSource>) -> Self {
        Self { root: root.into(), source, writer: Arc::new(ApprovalWriter) }
    }
}

/// The real writer, carrying the crash-recovery tests' `during_terraform` crash point: an
/// approval's generation is killed with part of its files staged. Only here, not in
/// `terraform::write`, so start-up's and `check --repair`'s regenerations never hit it.
struct ApprovalWriter;

impl FileWriter for ApprovalWriter {
    fn write_file(&self, path: &Path, contents: &[u8]) -> std::io::Result<()> {
        // The manifest is staged last, after every changed file: killed here, the generation has
        // written its files but not committed them.
        if path.file_name().is_some_and(|n| n == terraform::write::MANIFEST) {
            crate::crash::point("during_terraform");
        }
        FsWriter.write_file(path, contents)
    }
}

type Reply = RpcReplyPort<Result<Generated, GenerateError>>;

/// A project being generated: who waits for the running generation, and who for the follow-up.
#[derive(Default)]
struct Running {
    current: Vec<Reply>,
    next: Vec<Reply>,
}

/// The actor's state: its arguments, the projects being generated, and what the last generation
/// of each recent project rendered (taken by a running generation, given back when it ends).
pub struct GeneratorState {
    args: GeneratorArgs,
    running: HashMap<String, Running>,
    memos: LruCache<String, GenerationMemo>,
}

/// Projects whose last rendering is kept.
const REMEMBERED_PROJECTS: usize = 32;

impl GeneratorState {
    /// Starts a generation of `project_id` for `waiting`, off the actor's task; its end comes back
    /// as [`GeneratorMsg::Finished`].
    fn start(&mut self, myself: &ActorRef<GeneratorMsg>, project_id: String, waiting: Vec<Reply>) {
        let (root, source, writer) = (self.args.root.clone(), self.args.source.clone(), self.args.writer.clone());
        let id = project_id.clone();
        let mut memo = self.memos.pop(&project_id).unwrap_or_default();
        let work = tokio::spawn(async move {
            let started = std::time::Instant::now();
            let result = terraform::regenerate_with(&root, source.as_ref(), &id, writer, &mut memo).await;
            metrics::generation(started.elapsed(), result.is_ok());
            (result, memo)
        });
        let myself = myself.clone();
        let id = project_id.clone();
        tokio::spawn(async move {
            let (outcome, memo) = match work.await {
                Ok((result, memo)) => (Ok(result), Some(Box::new(memo))),
                Err(e) => (Err(e.to_string()), None),
            };
            // A stopped actor has dropped its waiters already: they were told it is unavailable.
            let _ = myself.cast(GeneratorMsg::Finished { project_id: id, outcome, memo });
        });
        self.running.insert(project_id, Running { current: waiting, next: Vec::new() });
    }
}

impl Actor for GeneratorActor {
    type Msg = GeneratorMsg;
    type State = GeneratorState;
    type Arguments = GeneratorArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: GeneratorArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        let memos = LruCache::new(NonZeroUsize::new(REMEMBERED_PROJECTS).expect("not zero"));
        Ok(GeneratorState { args, running: HashMap::new(), memos })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            GeneratorMsg::Check { project_id, plan, catalog, reply } => {
                let (root, source) = (state.args.root.clone(), state.args.source.clone());
                tokio::spawn(async move {
                    let checked = async {
                        let spec = source.load(&project_id).await?;
                        let (plan, verdict) = *plan;
                        tokio::task::spawn_blocking(move || {
                            terraform::check_approval(&root, &spec, &plan, &verdict, &catalog)
                        })
                        .await
                        .map_err(|_| GenerateError::Unavailable)?
                    };
                    let _ = reply.send(checked.await);
                });
            }
            GeneratorMsg::Generate { project_id, reply } => match state.running.get_mut(&project_id) {
                // The running generation may have read the database before this request's
                // commit: the follow-up, started after it, serves it.
                Some(running) => running.next.push(reply),
                None => state.start(&myself, project_id, vec![reply]),
            },
            GeneratorMsg::Finished { project_id, outcome, memo } => {
                let Some(running) = state.running.remove(&project_id) else { return Ok(()) };
                if let Some(memo) = memo {
                    state.memos.put(project_id.clone(), *memo);
                }
                let result = match outcome {
                    Ok(result) => result,
                    // A bug: fail as the actor did when generations ran on its task; the
                    // waiters' dropped ports tell them the generator is unavailable.
                    Err(panic) => return Err(format!("terraform generation panicked: {panic}").into()),
                };
                if let Err(e) = &result {
                    tracing::warn!(project_id = %project_id, error = %e, "terraform generation failed");
                }
                for reply in running.current {
                    // The caller may have given up waiting; that is not the generator's failure.
                    let _ = reply.send(result.clone());
                }
                if !running.next.is_empty() {
                    state.start(&myself, project_id, running.next);
                }
            }
            #[cfg(feature = "test-hooks")]
            GeneratorMsg::InjectFailure(_reply) => return Err("injected failure".into()),
        }
        Ok(())
    }
}

/// A cloneable, typed handle to the [`GeneratorActor`]; it follows the actor across restarts.
#[derive(Clone)]
pub struct GeneratorHandle {
    slot: ActorSlot<GeneratorMsg>,
}

/// How long a caller waits for one generation before reporting the generator unavailable.
const GENERATE_TIMEOUT: Duration = Duration::from_secs(120);

impl GeneratorHandle {
    /// A handle over a slot its supervisor fills (and refills after a restart).
    pub fn new(slot: ActorSlot<GeneratorMsg>) -> Self {
        Self { slot }
    }

    /// Spawns an unsupervised, unnamed generator; the join handle ends when it stops.
    pub async fn spawn(args: GeneratorArgs) -> Result<(Self, tokio::task::JoinHandle<()>), SpawnErr> {
        let (actor, join) = Actor::spawn(None, GeneratorActor, args).await?;
        let slot = ActorSlot::new("Terraform generator");
        slot.set(Some(actor));
        Ok((Self { slot }, join))
    }

    /// The underlying actor reference, for supervision and shutdown.
    pub fn actor(&self) -> Option<ActorRef<GeneratorMsg>> {
        self.slot.get()
    }

    /// Test hook: makes the actor fail while this call waits; the caller gets `Unavailable`.
    #[cfg(feature = "test-hooks")]
    pub async fn inject_failure(&self) -> Result<Generated, GenerateError> {
        let Some(actor) = self.slot.get() else { return Err(GenerateError::Unavailable) };
        match actor.call(GeneratorMsg::InjectFailure, Some(GENERATE_TIMEOUT)).await {
            Ok(ractor::rpc::CallResult::Success(result)) => result,
            Ok(_) | Err(_) => Err(GenerateError::Unavailable),
        }
    }

    /// Whether approving `plan` would leave a project whose Terraform renders and can be written.
    pub async fn check(
        &self,
        project_id: &str,
        plan: Plan,
        verdict: Verdict,
        catalog: Arc<Catalog>,
    ) -> Result<(), GenerateError> {
        let Some(actor) = self.slot.get() else { return Err(GenerateError::Unavailable) };
        let project_id = project_id.to_owned();
        let plan = Box::new((plan, verdict));
        let call =
            actor.call(|reply| GeneratorMsg::Check { project_id, plan, catalog, reply }, Some(GENERATE_TIMEOUT)).await;
        match call {
            Ok(ractor::rpc::CallResult::Success(result)) => result,
            Ok(_) | Err(_) => Err(GenerateError::Unavailable),
        }
    }

    /// Regenerates `project_id`'s directory and reports what was written.
    pub async fn generate(&self, project_id: &str) -> Result<Generated, GenerateError> {
        let Some(actor) = self.slot.get() else { return Err(GenerateError::Unavailable) };
        let project_id = project_id.to_owned();
        let call = actor.call(|reply| GeneratorMsg::Generate { project_id, reply }, Some(GENERATE_TIMEOUT)).await;
        match call {
            Ok(ractor::rpc::CallResult::Success(result)) => result,
            Ok(_) | Err(_) => Err(GenerateError::Unavailable),
        }
    }
}
