//! The per-project lock that serialises generations across processes sharing one output root: the
//! generator holds it from reading the project to the directory swap, and lets go after.

mod common;

use std::fs::{File, TryLockError};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cloud_chatops::domain::{Provider, ResourceKind};
use cloud_chatops::terraform::{GenerateError, GeneratorArgs, GeneratorHandle, ProjectSpec, SpecSource};
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
