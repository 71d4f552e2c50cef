use cloud_chatops::domain::{Money, QuotaType};
use cloud_chatops::store::{self, Conflict, StoreError};

use crate::support::{counts, each_backend, new_project};

#[tokio::test]
async fn create_gives_a_provider_prefixed_id_and_default_quotas() {
    each_backend(|t| async move {
        let mut new = new_project(10, 20, "Production API");
        new.monthly_budget = Some(Money::from_dollars(1500));
        let p = store::projects::create(&t.db, new).await.unwrap();
        assert!(p.id.starts_with("gcp-") && p.id.len() == 10, "{}", p.id);
        assert!(p.id[4..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(p.monthly_budget_micros, Some(1_500_000_000));
        let quotas = store::quotas::usage(&t.db, &p.id).await.unwrap();
        let instances = quotas.iter().find(|q| q.resource_type == QuotaType::ComputeInstances).unwrap();
        assert_eq!(
            (instances.quota_limit, instances.used, instances.reserved, instances.region.as_str()),
            (10, 0, 0, "*")
        );
        // The eight default lines, and the budget as a line of micro-dollars a month.
        assert_eq!(quotas.len(), 9);
        let budget = quotas.iter().find(|q| q.resource_type == QuotaType::BudgetMonthly).unwrap();
        assert_eq!((budget.quota_limit, budget.used, budget.reserved), (1_500_000_000, 0, 0));
        assert_eq!(store::projects::get(&t.db, &p.id).await.unwrap(), p);
        t
    })
    .await;
}

#[tokio::test]
async fn duplicate_and_invalid_projects_are_refused_and_change_nothing() {
    each_backend(|t| async move {
        store::projects::create(&t.db, new_project(10, 20, "api")).await.unwrap();
        let before = counts(&t.db).await;
        let dup = store::projects::create(&t.db, new_project(10, 21, "api")).await;
        assert!(matches!(dup, Err(StoreError::Conflict(Conflict::Duplicate { entity: "project", .. }))), "{dup:?}");
        for bad in ["", "   ", "a\nb", &"x".repeat(101)] {
            let res = store::projects::create(&t.db, new_project(10, 20, bad)).await;
            assert!(matches!(res, Err(StoreError::InvalidInput(_))), "{bad:?}: {res:?}");
        }
        let mut negative = new_project(10, 20, "neg");
        negative.monthly_budget = Some(Money::from_micros(-1));
        assert!(matches!(store::projects::create(&t.db, negative).await, Err(StoreError::InvalidInput(_))));
        assert_eq!(counts(&t.db).await, before, "{}: refused creates changed nothing", t.backend);
        // Same name in another guild is fine.
        store::projects::create(&t.db, new_project(11, 20, "api")).await.unwrap();
        t
    })
    .await;
}

#[tokio::test]
async fn lookups_are_guild_scoped_and_unknown_ids_are_not_found() {
    each_backend(|t| async move {
        let mine = store::projects::create(&t.db, new_project(10, 20, "a")).await.unwrap();
        store::projects::create(&t.db, new_project(10, 21, "b")).await.unwrap();
        store::projects::create(&t.db, new_project(99, 20, "c")).await.unwrap();
        assert!(matches!(
            store::projects::get(&t.db, "gcp-ffffff").await,
            Err(StoreError::NotFound { entity: "project", .. })
        ));
        assert!(matches!(store::projects::get_in_guild(&t.db, 99, &mine.id).await, Err(StoreError::NotFound { .. })));
        assert_eq!(store::projects::get_in_guild(&t.db, 10, &mine.id).await.unwrap().id, mine.id);
        let names = |v: Vec<entities::cloud_projects::Model>| v.into_iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(names(store::projects::list_for_user(&t.db, 20, 10).await.unwrap()), ["a"]);
        assert_eq!(names(store::projects::list_for_guild(&t.db, 10).await.unwrap()), ["a", "b"]);
        t
    })
    .await;
}
