//! `store::spec`: what the generator loads is what the Terraform must hold — live resources and
//! those being decommissioned (marked so), never removed ones.

use std::sync::Arc;

use cloud_chatops::domain::{Catalog, Money, Provider, ResourceKind};
use cloud_chatops::store::resources::{Change, NewResource};
use cloud_chatops::store::spec::StoreSpecSource;
use cloud_chatops::terraform::{SpecSource, render};
use cloud_chatops::{seed, store};

use crate::support::{each_backend, settings};

#[tokio::test]
async fn the_generator_loads_decommissioning_resources_marked_and_leaves_out_removed_ones() {
    each_backend(|t| async move {
        seed::load(&t.db, &settings().quotas, &Catalog::builtin()).await.unwrap();
        let add = |kind, name: &str| NewResource {
            project_id: seed::PROJECT_ID.into(),
            provider: Provider::Gcp,
            kind,
            name: name.into(),
            region: "us-central1".into(),
            config: serde_json::json!({ "options": {} }),
            hourly_cost: Money::ZERO,
            created_by: seed::USER_ID,
            session_id: None,
        };
        let db = store::resources::create(&t.db, add(ResourceKind::Database, "orders")).await.unwrap();
        let bucket = store::resources::create(&t.db, add(ResourceKind::Storage, "chatops-assets")).await.unwrap();
        let source = StoreSpecSource::new(t.db.clone(), Arc::new(Catalog::builtin()), Default::default());
        let decommissioning = |spec: &cloud_chatops::terraform::ProjectSpec, name: &str| {
            spec.resources.iter().find(|r| r.name.as_str() == name).map(|r| r.decommissioning)
        };
        let before = source.load(seed::PROJECT_ID).await.unwrap();
        assert_eq!(decommissioning(&before, "orders"), Some(false));

        store::resources::change(&t.db, seed::PROJECT_ID, db.id, false, Money::ZERO, &Change::Decommission)
            .await
            .unwrap();
        let spec = source.load(seed::PROJECT_ID).await.unwrap();
        assert_eq!(decommissioning(&spec, "orders"), Some(true), "still written, protection to be lifted");
        assert_eq!(decommissioning(&spec, "chatops-assets"), Some(false));
        assert!(
            store::resources::list(&t.db, seed::PROJECT_ID, None).await.unwrap().iter().all(|r| r.name != "orders"),
            "gone from the live list"
        );
        let files = render(&spec).unwrap();
        let database = files.iter().find(|f| f.name == "database.tf").unwrap();
        assert!(database.contents.contains("deletion_protection = false"), "{}", database.contents);

        // The second destroy removes the row; the bucket removed in one step goes with it.
        store::resources::change(&t.db, seed::PROJECT_ID, db.id, true, Money::ZERO, &Change::Remove).await.unwrap();
        store::resources::change(&t.db, seed::PROJECT_ID, bucket.id, false, Money::ZERO, &Change::Remove)
            .await
            .unwrap();
        let after = source.load(seed::PROJECT_ID).await.unwrap();
        assert_eq!(decommissioning(&after, "orders"), None);
        assert_eq!(decommissioning(&after, "chatops-assets"), None);
        let names: Vec<String> = render(&after).unwrap().into_iter().map(|f| f.name).collect();
        assert!(!names.iter().any(|n| n == "database.tf" || n == "storage.tf"), "{names:?}");
        t
    })
    .await;
}
