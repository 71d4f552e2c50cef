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

/// A source keeps what it read and then reads only rows stamped with a later revision: after every
/// kind of change, through every write path, it must load what a fresh source loads.
#[tokio::test]
async fn a_source_that_remembers_loads_what_a_fresh_one_loads_after_every_change() {
    use cloud_chatops::store::writes::{Rows, Write, write_all};
    each_backend(|t| async move {
        seed::load(&t.db, &settings().quotas, &Catalog::builtin()).await.unwrap();
        let catalog = Arc::new(Catalog::builtin());
        let kept = StoreSpecSource::new(t.db.clone(), catalog.clone(), Default::default());
        let add = |kind, name: &str, size: &str| NewResource {
            project_id: seed::PROJECT_ID.into(),
            provider: Provider::Gcp,
            kind,
            name: name.into(),
            region: "us-central1".into(),
            config: serde_json::json!({ "size": size, "options": {} }),
            hourly_cost: Money::from_micros(1_000),
            created_by: seed::USER_ID,
            session_id: None,
        };
        let same = |step: &'static str| {
            let (db, catalog, kept) = (t.db.clone(), catalog.clone(), &kept);
            async move {
                let fresh = StoreSpecSource::new(db, catalog, Default::default());
                let (a, b) = (kept.load(seed::PROJECT_ID).await.unwrap(), fresh.load(seed::PROJECT_ID).await.unwrap());
                assert_eq!(a, b, "after {step}");
                // The seed's own resources aside.
                let mine = ["web", "orders", "api-1", "api-2", "api-3", "api-4"];
                a.resources
                    .iter()
                    .map(|r| r.name.as_str().to_owned())
                    .filter(|n| mine.contains(&n.as_str()))
                    .collect::<Vec<_>>()
            }
        };
        assert!(same("nothing").await.is_empty());
        let vm = store::resources::create(&t.db, add(ResourceKind::Vm, "web", "e2-small")).await.unwrap();
        let db = store::resources::create(&t.db, add(ResourceKind::Database, "orders", "db-f1-micro")).await.unwrap();
        // Kind (in `ResourceKind` order: VMs before databases), then name.
        assert_eq!(same("two created").await, ["web", "orders"]);
        let resized = serde_json::json!({ "size": "e2-medium" }).as_object().unwrap().clone();
        let resize = Change::Resize { set: resized, hourly_cost: Money::from_micros(2_000) };
        store::resources::change(&t.db, seed::PROJECT_ID, vm.id, false, Money::from_micros(1_000), &resize)
            .await
            .unwrap();
        let spec = kept.load(seed::PROJECT_ID).await.unwrap();
        let web = spec.resources.iter().find(|r| r.name.as_str() == "web").unwrap();
        assert_eq!(web.size.as_ref().map(|s| s.as_str()), Some("e2-medium"), "the resize is read");
        same("a resize").await;
        store::resources::change(
            &t.db,
            seed::PROJECT_ID,
            db.id,
            false,
            Money::from_micros(1_000),
            &Change::Decommission,
        )
        .await
        .unwrap();
        same("a decommission").await;
        // The QuotaActor's batched path: many requests' rows in one statement.
        let batch = |names: &[&str]| {
            names.iter().map(|n| Write::RecordResource(add(ResourceKind::Vm, n, "e2-small"))).collect::<Vec<_>>()
        };
        let (a, b) = (Rows::of(batch(&["api-1", "api-2"])).unwrap(), Rows::of(batch(&["api-3"])).unwrap());
        assert!(write_all(&t.db, &[&a, &b]).await.unwrap());
        // ... and its one-request-at-a-time path.
        Rows::of(batch(&["api-4"])).unwrap().write(&t.db).await.unwrap();
        assert_eq!(same("batched and single writes").await, ["api-1", "api-2", "api-3", "api-4", "web", "orders"]);
        store::resources::mark_deleted(&t.db, seed::PROJECT_ID, ResourceKind::Vm, "api-2").await.unwrap();
        store::resources::change(&t.db, seed::PROJECT_ID, db.id, true, Money::from_micros(1_000), &Change::Remove)
            .await
            .unwrap();
        assert_eq!(same("removals").await, ["api-1", "api-3", "api-4", "web"]);
        // A name removed and taken again is the new row.
        store::resources::create(&t.db, add(ResourceKind::Vm, "api-2", "e2-medium")).await.unwrap();
        assert_eq!(same("a name taken again").await, ["api-1", "api-2", "api-3", "api-4", "web"]);
        // ... and removed and taken again between two readings: the reading holds the new row only.
        store::resources::mark_deleted(&t.db, seed::PROJECT_ID, ResourceKind::Vm, "api-3").await.unwrap();
        store::resources::create(&t.db, add(ResourceKind::Vm, "api-3", "e2-medium")).await.unwrap();
        assert_eq!(same("a name passed on unread").await, ["api-1", "api-2", "api-3", "api-4", "web"]);
        let spec = kept.load(seed::PROJECT_ID).await.unwrap();
        let api3 = spec.resources.iter().find(|r| r.name.as_str() == "api-3").unwrap();
        assert_eq!(api3.size.as_ref().map(|s| s.as_str()), Some("e2-medium"));
        t
    })
    .await;
}
