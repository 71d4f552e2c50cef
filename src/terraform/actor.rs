//! The `GeneratorActor`: loads a project's spec, renders it and writes it atomically, one
//! generation at a time so two approvals of the same project never interleave their writes; a
//! per-project file lock extends that to every process sharing the output root.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SpawnErr};
use sha2::{Digest, Sha256};

use super::GenerateError;
use super::model::ProjectSpec;
use super::render::{RenderedFile, render};
use super::write::{FileWriter, FsWriter, lock_project, write_project};
use crate::actors::ActorSlot;
use crate::domain::ProjectId;

/// Where the generator reads a project from; the store implements it over the database.
pub trait SpecSource: Send + Sync + 'static {
    /// Loads the project's spec with its active resources, or `GenerateError::NotFound`.
    fn load(&self, project_id: &str) -> Pin<Box<dyn Future<Output = Result<ProjectSpec, GenerateError>> + Send + '_>>;
}

/// The result of a generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The project's directory.
    pub dir: PathBuf,
    /// File names written, in generation order.
    pub files: Vec<String>,
    /// sha256 (hex) over every file's name and contents, in order.
    pub content_hash: String,
}

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
        Self { root: root.into(), source, writer: Arc::new(FsWriter) }
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
                let result = generate(&state.args, &project_id).await;
                if let Err(e) = &result {
                    tracing::warn!(project_id = %project_id, error = %e, "terraform generation failed");
                }
                // The caller may have given up waiting; that is not the generator's failure.
                let _ = reply.send(result);
            }
            GeneratorMsg::InjectFailure(_reply) => return Err("injected failure".into()),
        }
        Ok(())
    }
}

async fn generate(args: &GeneratorArgs, project_id: &str) -> Result<Generated, GenerateError> {
    let id = ProjectId::parse(project_id)?;
    // A project that cannot be rendered touches nothing, not even the lock file under the root.
    render(&args.source.load(id.as_str()).await?)?;
    // Another process sharing the output root may be generating the same project: hold its lock
    // and read the project afresh, so the last generation to start writes everything committed.
    let (root, lock_id) = (args.root.clone(), id.clone());
    let lock = tokio::task::spawn_blocking(move || lock_project(&root, lock_id.provider(), &lock_id))
        .await
        .map_err(|_| GenerateError::Unavailable)?
        .map_err(|e| {
            tracing::error!(error = %e, "terraform write: cannot lock the project");
            GenerateError::Io(e.kind())
        })?;
    let spec = args.source.load(id.as_str()).await?;
    if spec.project_id != id {
        return Err(GenerateError::Source(format!("asked for {id}, got {}", spec.project_id)));
    }
    let files = render(&spec)?;
    let content_hash = content_hash(&files);
    let names = files.iter().map(|f| f.name.clone()).collect();
    let root = args.root.clone();
    let writer = Arc::clone(&args.writer);
    let provider = spec.provider;
    let dir = tokio::task::spawn_blocking(move || {
        let written = write_project(&root, provider, &id, &files, writer.as_ref());
        drop(lock);
        written
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "terraform write task panicked");
        GenerateError::Unavailable
    })??;
    Ok(Generated { dir, files: names, content_hash })
}

/// sha256 over each file's name, a NUL, its contents and a NUL, so renames change the hash too.
pub fn content_hash(files: &[RenderedFile]) -> String {
    let mut hasher = Sha256::new();
    for f in files {
        hasher.update(f.name.as_bytes());
        hasher.update([0]);
        hasher.update(f.contents.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
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
