use cloud_chatops::domain::{Catalog, QuotaType};
use cloud_chatops::{seed, store};

use crate::support::{counts, each_backend, settings};

#[tokio::test]
async fn seed_loads_the_sample_data_once() {
    each_backend(|t| async move {
        let s = settings();
        let created = seed::load(&t.db, &s.quotas, &Catalog::builtin()).await.unwrap();
        assert_eq!(created.len(), 3 + 1 + 3 + 3, "{created:?}");
        let after_first = counts(&t.db).await;
        let again = seed::load(&t.db, &s.quotas, &Catalog::builtin()).await.unwrap();
        assert!(again.is_empty(), "{again:?}");
        assert_eq!(counts(&t.db).await, after_first);

        let usage = store::quotas::usage(&t.db, seed::PROJECT_ID).await.unwrap();
        let get = |q: QuotaType| usage.iter().find(|r| r.resource_type == q).map(|r| (r.used, r.quota_limit));
        assert_eq!(get(QuotaType::ComputeInstances), Some((3, 10)));
        assert_eq!(get(QuotaType::ComputeCpus), Some((6, 24)));
        assert_eq!(get(QuotaType::ComputeRamGb), Some((10, 64)));
        assert_eq!(store::resources::list(&t.db, seed::PROJECT_ID, None).await.unwrap().len(), 3);
        let policies = store::policies::list_active(&t.db, seed::GUILD_ID).await.unwrap();
        let names: Vec<&str> = policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["No Public Databases", "Production Regions Only", "Max $0.50/hour per VM"]);
        t
    })
    .await;
}
