//! The GeneratorActor through its handle: success, failures in the reply, and the actor
//! still serving afterwards.

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use cloud_chatops::actors::generator::{GeneratorArgs, GeneratorHandle};
use cloud_chatops::domain::{Provider, Region, ResourceKind, ResourceName};
use cloud_chatops::terraform::{GenerateError, ProjectSpec, ResourceSpec, SpecSource, render};
use common::*;

/// Specs held in memory; a missing id is `NotFound`, an id in `broken` fails like a database.
#[derive(Default)]
struct MemorySource {
    specs: Mutex<HashMap<String, ProjectSpec>>,
    broken: Mutex<Vec<String>>,
}

impl SpecSource for MemorySource {
    fn load(&self, project_id: &str) -> Pin<Box<dyn Future<Output = Result<ProjectSpec, GenerateError>> + Send + '_>> {
        let id = project_id.to_owned();
        Box::pin(async move {
            if self.broken.lock().unwrap().contains(&id) {
                return Err(GenerateError::Source("database is locked".to_owned()));
            }
            self.specs.lock().unwrap().get(&id).cloned().ok_or(GenerateError::NotFound(id))
        })
    }
}

/// What a store does with raw rows: parse them, so an invalid stored name fails the load.
struct RawRowSource {
    provider: Provider,
    raw_name: String,
}

impl SpecSource for RawRowSource {
    fn load(&self, _: &str) -> Pin<Box<dyn Future<Output = Result<ProjectSpec, GenerateError>> + Send + '_>> {
        Box::pin(async move {
            let p = self.provider;
            let name = ResourceName::parse(p, ResourceKind::Vm, &self.raw_name)?;
            let region = Region::parse(p, default_region(p))?;
            Ok(spec(p, vec![ResourceSpec::new(ResourceKind::Vm, name, region)]))
        })
    }
}

async fn start(source: Arc<dyn SpecSource>, root: &std::path::Path) -> GeneratorHandle {
    GeneratorHandle::spawn(GeneratorArgs::new(root, source)).await.unwrap().0
}

#[tokio::test]
async fn generate_writes_the_project_and_reports_files_and_hash() {
    let root = tempfile::tempdir().unwrap();
    let source = Arc::new(MemorySource::default());
    let project = everything(Provider::Gcp);
    source.specs.lock().unwrap().insert("gcp-3f9a1c".into(), project.clone());
    let handle = start(source.clone(), root.path()).await;

    let first = handle.generate("gcp-3f9a1c").await.unwrap();
    assert_eq!(first.dir, root.path().join("terraform_gcp_gcp-3f9a1c"));
    let rendered = render(&project).unwrap();
    assert_eq!(first.files, rendered.iter().map(|f| f.name.clone()).collect::<Vec<_>>());
    for f in &rendered {
        assert_eq!(std::fs::read_to_string(first.dir.join(&f.name)).unwrap(), &*f.contents);
    }
    assert_eq!(first.content_hash.len(), 64);
    assert!(first.content_hash.chars().all(|c| c.is_ascii_hexdigit()));

    let again = handle.generate("gcp-3f9a1c").await.unwrap();
    assert_eq!(again.content_hash, first.content_hash, "same state, same hash");

    let mut changed = project.clone();
    changed.resources.retain(|r| r.kind != ResourceKind::K8s);
    source.specs.lock().unwrap().insert("gcp-3f9a1c".into(), changed);
    let third = handle.generate("gcp-3f9a1c").await.unwrap();
    assert_ne!(third.content_hash, first.content_hash);
    assert!(!third.dir.join("kubernetes.tf").exists(), "a removed cluster's file is gone");
}

#[tokio::test]
async fn failures_come_back_in_the_reply_and_the_actor_keeps_serving() {
    let root = tempfile::tempdir().unwrap();
    let source = Arc::new(MemorySource::default());
    source.specs.lock().unwrap().insert("aws-3f9a1c".into(), everything(Provider::Aws));
    source.broken.lock().unwrap().push("aws-00000a".into());
    let handle = start(source.clone(), root.path()).await;

    assert_eq!(handle.generate("aws-abcdef").await, Err(GenerateError::NotFound("aws-abcdef".into())));
    assert!(matches!(handle.generate("aws-00000a").await, Err(GenerateError::Source(_))));
    assert!(matches!(handle.generate("../../etc").await, Err(GenerateError::Invalid(_))));
    let mut mismatched = everything(Provider::Aws);
    mismatched.project_id = project_id(Provider::Aws);
    source.specs.lock().unwrap().insert("aws-111111".into(), mismatched);
    assert!(matches!(handle.generate("aws-111111").await, Err(GenerateError::Source(_))));

    let ok = handle.generate("aws-3f9a1c").await.unwrap();
    assert!(ok.dir.join("versions.tf").is_file(), "the actor still serves after five failures");
}

#[tokio::test]
async fn an_invalid_stored_name_is_refused_before_any_file_is_touched() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("out");
    let source = Arc::new(RawRowSource { provider: Provider::Gcp, raw_name: "web\"}\nresource".into() });
    let handle = start(source, &root).await;
    let err = handle.generate("gcp-3f9a1c").await.unwrap_err();
    assert!(matches!(err, GenerateError::Invalid(_)), "{err}");
    assert!(!root.exists(), "nothing may be written for a refused project");
}

/// A source that panics, standing in for a bug that crashes the actor.
struct PanickingSource;

impl SpecSource for PanickingSource {
    fn load(&self, _: &str) -> Pin<Box<dyn Future<Output = Result<ProjectSpec, GenerateError>> + Send + '_>> {
        Box::pin(async { panic!("bug in the spec source") })
    }
}

#[tokio::test]
async fn a_crashed_generator_answers_unavailable_instead_of_hanging() {
    let root = tempfile::tempdir().unwrap();
    let (handle, join) =
        GeneratorHandle::spawn(GeneratorArgs::new(root.path(), Arc::new(PanickingSource))).await.unwrap();
    assert_eq!(handle.generate("gcp-3f9a1c").await, Err(GenerateError::Unavailable));
    join.await.unwrap();
    assert_eq!(handle.generate("gcp-3f9a1c").await, Err(GenerateError::Unavailable), "a dead actor is reported");
}

/// A source whose first load waits for the gate, so a generation can be held while requests queue.
struct GatedSource {
    spec: Mutex<ProjectSpec>,
    loads: std::sync::atomic::AtomicUsize,
    started: tokio::sync::Notify,
    gate: tokio::sync::Semaphore,
}

impl SpecSource for GatedSource {
    fn load(&self, _: &str) -> Pin<Box<dyn Future<Output = Result<ProjectSpec, GenerateError>> + Send + '_>> {
        Box::pin(async move {
            let spec = self.spec.lock().unwrap().clone();
            if self.loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                self.started.notify_one();
                drop(self.gate.acquire().await.unwrap());
            }
            Ok(spec)
        })
    }
}

#[tokio::test]
async fn requests_queued_behind_a_generation_share_one_follow_up_that_writes_what_they_committed() {
    use std::sync::atomic::Ordering;
    let root = tempfile::tempdir().unwrap();
    let before = single(Provider::Gcp, ResourceKind::Vm);
    let source = Arc::new(GatedSource {
        spec: Mutex::new(before.clone()),
        loads: Default::default(),
        started: Default::default(),
        gate: tokio::sync::Semaphore::new(0),
    });
    let handle = start(source.clone(), root.path()).await;
    let first = tokio::spawn({
        let handle = handle.clone();
        async move { handle.generate("gcp-3f9a1c").await }
    });
    source.started.notified().await;

    // While it is held, ten approvals commit a resource each and ask for a generation.
    let mut after = before.clone();
    for i in 0..10 {
        after.resources.push(resource(Provider::Gcp, ResourceKind::Storage, &format!("chatops-b{i}"), "us-central1"));
    }
    *source.spec.lock().unwrap() = after.clone();
    let queued: Vec<_> = (0..10)
        .map(|_| {
            let handle = handle.clone();
            tokio::spawn(async move { handle.generate("gcp-3f9a1c").await })
        })
        .collect();
    // On this single-threaded runtime the ten tasks run (and send their requests) before this one resumes.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    source.gate.add_permits(1);

    first.await.unwrap().unwrap();
    let want = cloud_chatops::terraform::content_hash(&render(&after).unwrap());
    for q in queued {
        assert_eq!(q.await.unwrap().unwrap().content_hash, want, "each queued request sees its commit written");
    }
    // The held generation read twice (before and under the lock); the ten shared one follow-up,
    // which read once: ten generations of their own would have read ten times.
    assert_eq!(source.loads.load(Ordering::SeqCst), 3);
    let written = std::fs::read_to_string(root.path().join("terraform_gcp_gcp-3f9a1c/storage.tf")).unwrap();
    assert!((0..10).all(|i| written.contains(&format!("chatops-b{i}"))));
}
