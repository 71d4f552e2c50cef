use cloud_chatops::domain::{Catalog, QuotaType};
use cloud_chatops::{seed, store};

use crate::support::{counts, each_backend, settings};

#[tokio::test]
async fn seed_loads_the_sample_data_once() {
    each_backend(|t| async move {
        let s = settings();
        let created = seed::load(&t.db, &s.quotas, &Catalog::builtin()).await.unwrap();
        assert_eq!(created.len(), 3 + 1 + 3 + 4, "{created:?}");
        let after_first = counts(&t.db).await;
        let again = seed::load(&t.db, &s.quotas, &Catalog::builtin()).await.unwrap();
        assert!(again.is_empty(), "{again:?}");
        assert_eq!(counts(&t.db).await, after_first);

        let usage = store::quotas::usage(&t.db, seed::PROJECT_ID).await.unwrap();
        let get = |q: QuotaType| usage.iter().find(|r| r.resource_type == q).map(|r| (r.used, r.quota_limit));
        assert_eq!(get(QuotaType::ComputeInstances), Some((3, 10)));
        assert_eq!(get(QuotaType::ComputeCpus), Some((6, 24)));
        assert_eq!(get(QuotaType::ComputeRamGb), Some((10, 64)));
        let vms = store::resources::list(&t.db, seed::PROJECT_ID, None).await.unwrap();
        let sizes: Vec<(&str, Option<&str>)> =
            vms.iter().map(|r| (r.name.as_str(), r.config.get("size").and_then(|v| v.as_str()))).collect();
        assert_eq!(
            sizes,
            [
                ("api-server-01", Some("e2-medium")),
                ("api-server-02", Some("e2-medium")),
                ("worker-01", Some("e2-small"))
            ],
            "the size is stored as approvals store it, for /cloud-list and the generator"
        );
        let policies = store::policies::list_active(&t.db, seed::GUILD_ID).await.unwrap();
        let names: Vec<&str> = policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["No Public Databases", "Production Regions Only", "AWS Production Regions", "Max $0.50/hour per VM"]
        );
        t
    })
    .await;
}

/// The generator reads what the lobby priced: the seed's sizes, a cluster's default node count,
/// and the options it was approved with.
#[tokio::test]
async fn the_generator_reads_the_sizes_counts_and_options_that_were_priced() {
    use cloud_chatops::domain::{Money, Provider, ResourceKind};
    use cloud_chatops::store::resources::NewResource;
    use cloud_chatops::store::spec::StoreSpecSource;
    use cloud_chatops::terraform::SpecSource;
    use cloud_chatops::terraform::model::Access;
    use std::sync::Arc;

    each_backend(|t| async move {
        let s = settings();
        seed::load(&t.db, &s.quotas, &Catalog::builtin()).await.unwrap();
        let add = |kind, name: &str, config: serde_json::Value| NewResource {
            project_id: seed::PROJECT_ID.into(),
            provider: Provider::Gcp,
            kind,
            name: name.into(),
            region: "us-central1".into(),
            config,
            hourly_cost: Money::ZERO,
            created_by: seed::USER_ID,
            session_id: None,
        };
        // As approvals record them: the priced size, the request's node count (none) and options.
        let cluster = serde_json::json!({ "size": "e2-standard-2", "node_count": null, "options": {} });
        store::resources::create(&t.db, add(ResourceKind::K8s, "apps", cluster)).await.unwrap();
        let public = serde_json::json!({ "size": "db-g1-small", "options": { "access": "public", "ingress": "198.51.100.0/24" } });
        store::resources::create(&t.db, add(ResourceKind::Database, "orders", public)).await.unwrap();

        let source = StoreSpecSource::new(t.db.clone(), Arc::new(Catalog::builtin()), Default::default());
        let spec = source.load(seed::PROJECT_ID).await.unwrap();
        let get = |name: &str| spec.resources.iter().find(|r| r.name.as_str() == name).unwrap();
        assert_eq!(get("api-server-01").size.as_ref().map(|s| s.as_str()), Some("e2-medium"));
        assert_eq!(get("worker-01").size.as_ref().map(|s| s.as_str()), Some("e2-small"));
        assert_eq!(get("apps").node_count, Some(3), "the catalogue's default, which the lobby charged");
        assert_eq!(get("orders").options.access, Access::Public);
        assert_eq!(get("orders").options.ingress.iter().map(|c| c.to_string()).collect::<Vec<_>>(), ["198.51.100.0/24"]);

        // An option the generator cannot write stops the generation instead of being dropped.
        let bad = serde_json::json!({ "size": "e2-small", "options": { "access": "public" } });
        store::resources::create(&t.db, add(ResourceKind::Vm, "open-vm", bad)).await.unwrap();
        let err = source.load(seed::PROJECT_ID).await.unwrap_err();
        assert!(err.to_string().contains("access"), "{err}");
        t
    })
    .await;
}
