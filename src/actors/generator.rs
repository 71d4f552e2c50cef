//! The `GeneratorActor`: regenerates a project's Terraform on request, one generation at a time
//! so two approvals of the same project never interleave their writes; the per-project file lock
//! taken by [`terraform::regenerate`] extends that to every process sharing the output root.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SpawnErr};

use super::ActorSlot;
use crate::terraform::{self, FileWriter, FsWriter, GenerateError, Generated, SpecSource};

/// Messages of the [`GeneratorActor`].
pub enum GeneratorMsg {
    /// Regenerate one project's directory from its spec source.
    Generate {
        /// The chatops project id, e.g. `gcp-3f9a1c`.
        project_id: String,
        /// Receives the outcome; the actor keeps running whatever it is.
        reply: RpcReplyPort<Result<Generated, GenerateError>>,
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

/// The actor's state: its arguments, kept as they were given.
pub struct GeneratorState {
    args: GeneratorArgs,
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
        Ok(GeneratorState { args })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            GeneratorMsg::Generate { project_id, reply } => {
                let args = &state.args;
                let result =
                    terraform::regenerate(&args.root, args.source.as_ref(), &project_id, args.writer.clone()).await;
                if let Err(e) = &result {
                    tracing::warn!(project_id = %project_id, error = %e, "terraform generation failed");
                }
                // The caller may have given up waiting; that is not the generator's failure.
                let _ = reply.send(result);
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
