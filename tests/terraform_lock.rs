//! The per-project lock that serialises generations across processes sharing one output root: the
//! generator holds it from reading the project to the directory swap, and lets go after.

mod common;

use std::fs::{File, TryLockError};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cloud_chatops::actors::generator::{GeneratorArgs, GeneratorHandle};
use cloud_chatops::domain::{Provider, ResourceKind};
use cloud_chatops::terraform::{GenerateError, ProjectSpec, SpecSource};
use common::*;
use tokio::sync::{mpsc, oneshot};

/// A source that says when the generator's second load (the one under the lock; the first only
/// validates) starts, and finishes it only when the test allows.
struct Gate {
    spec: ProjectSpec,
    loads: AtomicUsize,
    entered: mpsc::UnboundedSender<()>,
    go: Mutex<Option<oneshot::Receiver<()>>>,
}

impl SpecSource for Gate {
    fn load(&self, _: &str) -> Pin<Box<dyn Future<Output = Result<ProjectSpec, GenerateError>> + Send + '_>> {
        Box::pin(async move {
            if self.loads.fetch_add(1, Ordering::SeqCst) == 0 {
                return Ok(self.spec.clone());
            }
            let _ = self.entered.send(());
            let go = self.go.lock().unwrap().take();
            if let Some(go) = go {
                let _ = go.await;
            }
            Ok(self.spec.clone())
        })
    }
}

/// Whether someone (any process) holds the lock file right now.
fn held(path: &std::path::Path) -> bool {
    let file = File::options().write(true).open(path).unwrap();
    match file.try_lock() {
        Ok(()) => false,
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(e)) => panic!("{e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generator_holds_the_projects_lock_from_reading_to_writing() {
    let root = tempfile::tempdir().unwrap();
    let spec = single(Provider::Gcp, ResourceKind::Vm);
    let id = spec.project_id.to_string();
    let (entered_tx, mut entered) = mpsc::unbounded_channel();
    let (go_tx, go) = oneshot::channel();
    let source = Arc::new(Gate { spec, loads: AtomicUsize::new(0), entered: entered_tx, go: Mutex::new(Some(go)) });
    let (generator, _) = GeneratorHandle::spawn(GeneratorArgs::new(root.path(), source)).await.unwrap();

    let running = tokio::spawn({
        let (generator, id) = (generator.clone(), id.clone());
        async move { generator.generate(&id).await }
    });
    entered.recv().await.unwrap();
    let lock = root.path().join(format!(".locks/terraform_gcp_{id}.lock"));
    assert!(held(&lock), "the project is locked while its database reading is in progress");

    go_tx.send(()).unwrap();
    let generated = running.await.unwrap().unwrap();
    assert!(generated.dir.join("compute.tf").exists());
    assert!(!held(&lock), "released once the directory is in place");
}

#[test]
fn a_symlinked_locks_directory_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let (root, elsewhere) = (outer.path().join("out"), outer.path().join("elsewhere"));
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join(".locks")).unwrap();
    let id = project_id(Provider::Gcp);
    let err = cloud_chatops::terraform::lock_project(&root, Provider::Gcp, &id).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "no lock file created outside the root");

    // A lock file that is itself a link out of the root is not followed either.
    std::fs::remove_file(root.join(".locks")).unwrap();
    std::fs::create_dir(root.join(".locks")).unwrap();
    let outside = elsewhere.join("victim");
    std::os::unix::fs::symlink(&outside, root.join(format!(".locks/terraform_gcp_{id}.lock"))).unwrap();
    assert!(cloud_chatops::terraform::lock_project(&root, Provider::Gcp, &id).is_err());
    assert!(!outside.exists(), "the link's target was not created");
}

#[tokio::test]
async fn a_generation_under_a_symlinked_locks_directory_fails_and_writes_nothing() {
    let outer = tempfile::tempdir().unwrap();
    let (root, elsewhere) = (outer.path().join("out"), outer.path().join("elsewhere"));
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join(".locks")).unwrap();
    let spec = single(Provider::Gcp, ResourceKind::Vm);
    let id = spec.project_id.to_string();
    let source =
        Arc::new(Gate { spec, loads: AtomicUsize::new(0), entered: mpsc::unbounded_channel().0, go: Mutex::new(None) });
    let (generator, _) = GeneratorHandle::spawn(GeneratorArgs::new(&root, source)).await.unwrap();
    let err = generator.generate(&id).await.unwrap_err();
    assert_eq!(err, GenerateError::Io(std::io::ErrorKind::InvalidInput));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert!(!root.join(format!("terraform_gcp_{id}")).exists());
}
