//! Terraform regeneration of a project with many resources through the GeneratorActor (read the
//! project from the database, render, write the changed files as one set with fsyncs) after one
//! more resource each time, as an approval does; the same with nothing changed; rendering alone.

use std::sync::Arc;
use std::time::Instant;

use super::db::Target;
use super::substrate::big_project;
use super::{Figure, Scale, millis, quantile};
use crate::actors::generator::{GeneratorArgs, GeneratorHandle};
use crate::domain::{Money, Provider, ResourceKind};
use crate::store::resources::{self, NewResource};
use crate::store::spec::StoreSpecSource;
use crate::terraform::{SpecSource, render};

pub async fn run(target: &Target, scale: &Scale) -> anyhow::Result<Vec<Figure>> {
    let bench = target.fresh().await?;
    let project = big_project(&bench.db, "terraform").await?;
    let n = scale.tf_resources;
    for i in 0..n {
        // Mostly VMs, with buckets and networks, as a real project is.
        let (kind, name, config) = match i % 10 {
            0 => (ResourceKind::Storage, format!("chatops-assets-{i}"), serde_json::json!({})),
            1 => (ResourceKind::Network, format!("net-{i}"), serde_json::json!({})),
            _ => (ResourceKind::Vm, format!("web-{i}"), serde_json::json!({ "size": "e2-small" })),
        };
        let new = NewResource {
            project_id: project.clone(),
            provider: Provider::Gcp,
            kind,
            name,
            region: if i % 3 == 0 { "europe-west1".into() } else { "us-central1".into() },
            config,
            hourly_cost: Money::from_micros(16_800),
            created_by: 1,
            session_id: None,
        };
        resources::create(&bench.db, new).await?;
    }

    let catalog = Arc::new(crate::domain::Catalog::builtin());
    let source = Arc::new(StoreSpecSource::new(bench.db.clone(), catalog, Default::default()));
    let spec = source.load(&project).await?;
    anyhow::ensure!(spec.resources.len() == n, "the project holds {} resources", spec.resources.len());
    let mut render_only = Vec::with_capacity(scale.tf_runs);
    for _ in 0..scale.tf_runs {
        let t = Instant::now();
        std::hint::black_box(render(&spec)?);
        render_only.push(millis(t.elapsed()));
    }

    let root = std::env::temp_dir().join(format!("cloud-chatops-bench-gen-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&root)?;
    let (generator, join) = GeneratorHandle::spawn(GeneratorArgs::new(root.clone(), source)).await?;
    generator.generate(&project).await?;
    // As after an approval: one more VM each time, so compute.tf and outputs.tf change (the
    // generator writes only the files that changed).
    let mut regenerate = Vec::with_capacity(scale.tf_runs);
    for i in 0..scale.tf_runs {
        let new = NewResource {
            project_id: project.clone(),
            provider: Provider::Gcp,
            kind: ResourceKind::Vm,
            name: format!("approved-{i}"),
            region: "us-central1".into(),
            config: serde_json::json!({ "size": "e2-small" }),
            hourly_cost: Money::from_micros(16_800),
            created_by: 1,
            session_id: None,
        };
        resources::create(&bench.db, new).await?;
        let t = Instant::now();
        generator.generate(&project).await?;
        regenerate.push(millis(t.elapsed()));
    }
    // The same state again: nothing changed, nothing is written.
    let mut unchanged = Vec::with_capacity(scale.tf_runs);
    for _ in 0..scale.tf_runs {
        let t = Instant::now();
        generator.generate(&project).await?;
        unchanged.push(millis(t.elapsed()));
    }
    if let Some(actor) = generator.actor() {
        actor.stop(None);
    }
    join.await.ok();
    std::fs::remove_dir_all(&root).ok();
    bench.drop().await;
    Ok(vec![
        Figure::new(format!("terraform_regenerate_p50_{n}_resources"), quantile(&mut regenerate, 0.5), "ms"),
        Figure::new(format!("terraform_regenerate_p99_{n}_resources"), quantile(&mut regenerate, 0.99), "ms"),
        Figure::new(format!("terraform_regenerate_unchanged_p50_{n}_resources"), quantile(&mut unchanged, 0.5), "ms"),
        Figure::new(format!("terraform_render_only_p50_{n}_resources"), quantile(&mut render_only, 0.5), "ms"),
    ])
}
