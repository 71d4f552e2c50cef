use cloud_chatops::domain::{Money, PolicyKind};
use cloud_chatops::store::{self, Conflict, StoreError, policies::NewPolicy};

use crate::support::{counts, each_backend};

fn policy(guild: i64, name: &str, priority: i32) -> NewPolicy {
    NewPolicy {
        guild_id: guild,
        name: name.into(),
        kind: PolicyKind::Region,
        resource_pattern: "*".into(),
        allowed_values: vec!["us-central1".into()],
        denied_values: vec![],
        max_cost_per_hour: None,
        require_approval: false,
        priority,
        created_by: 7,
    }
}

#[tokio::test]
async fn active_policies_come_back_by_priority_and_deactivate_is_guild_scoped() {
    each_backend(|t| async move {
        let late = store::policies::create(&t.db, policy(1, "late", 50)).await.unwrap();
        let early = store::policies::create(&t.db, policy(1, "early", 5)).await.unwrap();
        let mut cost = policy(1, "cost", 10);
        cost.kind = PolicyKind::Cost;
        cost.max_cost_per_hour = Some(Money::from_micros(500_000));
        cost.require_approval = true;
        let cost = store::policies::create(&t.db, cost).await.unwrap();
        store::policies::create(&t.db, policy(2, "other guild", 1)).await.unwrap();
        assert_eq!(cost.max_cost_per_hour_micros, Some(500_000));
        assert!(cost.require_approval && cost.is_active);
        assert_eq!(cost.allowed_values, serde_json::json!(["us-central1"]));

        let ids = |v: Vec<entities::infrastructure_policies::Model>| v.into_iter().map(|p| p.id).collect::<Vec<_>>();
        assert_eq!(ids(store::policies::list_active(&t.db, 1).await.unwrap()), [early.id, cost.id, late.id]);

        assert!(matches!(store::policies::deactivate(&t.db, 2, early.id).await, Err(StoreError::NotFound { .. })));
        store::policies::deactivate(&t.db, 1, early.id).await.unwrap();
        assert!(matches!(
            store::policies::deactivate(&t.db, 1, early.id).await,
            Err(StoreError::Conflict(Conflict::InvalidState { .. }))
        ));
        assert!(matches!(store::policies::deactivate(&t.db, 1, 999_999).await, Err(StoreError::NotFound { .. })));
        assert_eq!(ids(store::policies::list_active(&t.db, 1).await.unwrap()), [cost.id, late.id]);
        t
    })
    .await;
}

#[tokio::test]
async fn hostile_policies_are_refused_and_change_nothing() {
    each_backend(|t| async move {
        let before = counts(&t.db).await;
        let mut cases = vec![policy(1, "", 1), policy(1, &"n".repeat(101), 1), policy(1, "line\nbreak", 1)];
        let mut many = policy(1, "many", 1);
        many.denied_values = vec!["x".into(); 33];
        cases.push(many);
        let mut negative = policy(1, "neg", 1);
        negative.max_cost_per_hour = Some(Money::from_micros(-1));
        cases.push(negative);
        for case in cases {
            let res = store::policies::create(&t.db, case.clone()).await;
            assert!(matches!(res, Err(StoreError::InvalidInput(_))), "{case:?}");
        }
        assert_eq!(counts(&t.db).await, before);
        t
    })
    .await;
}
