use chrono::TimeDelta;
use cloud_chatops::domain::Money;
use cloud_chatops::store::{self, StoreError, history::HistoryEntry};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};

use crate::support::{counts, each_backend};

fn entry(guild: i64, project: &str, action: &str) -> HistoryEntry {
    HistoryEntry {
        guild_id: guild,
        user_id: 111,
        project_id: Some(project.into()),
        action: action.into(),
        provider: Some(cloud_chatops::domain::Provider::Gcp),
        resource_type: Some(cloud_chatops::domain::ResourceKind::Vm),
        resource_name: Some("web-1".into()),
        outcome: "success".into(),
        cost_hourly: Some(Money::from_micros(16_800)),
        ..Default::default()
    }
}

#[tokio::test]
async fn append_list_and_purge_old_entries() {
    each_backend(|t| async move {
        let first = store::history::append(&t.db, entry(1, "gcp-000001", "deploy")).await.unwrap();
        store::history::append(&t.db, entry(1, "gcp-000002", "cancel")).await.unwrap();
        store::history::append(&t.db, entry(2, "gcp-000003", "deploy")).await.unwrap();
        assert_eq!(first.cost_hourly_micros, Some(16_800));
        assert_eq!(first.details, serde_json::json!({}));

        let actions: Vec<String> =
            store::history::list(&t.db, 1, 10).await.unwrap().into_iter().map(|h| h.action).collect();
        assert_eq!(actions, ["cancel", "deploy"], "newest first, guild-scoped");
        assert_eq!(store::history::list(&t.db, 1, 1).await.unwrap().len(), 1);
        assert_eq!(store::history::list_for_project(&t.db, "gcp-000001").await.unwrap().len(), 1);

        // Age the first entry by 91 days; a 90-day purge removes exactly it.
        let mut old = first.into_active_model();
        old.created_at = Set(store::now() - TimeDelta::days(91));
        old.update(&t.db).await.unwrap();
        assert_eq!(store::history::purge_older_than(&t.db, 90).await.unwrap(), 1);
        assert_eq!(store::history::purge_older_than(&t.db, 90).await.unwrap(), 0);
        assert!(store::history::list_for_project(&t.db, "gcp-000001").await.unwrap().is_empty());
        assert_eq!(store::history::list(&t.db, 1, 10).await.unwrap().len(), 1);
        t
    })
    .await;
}

#[tokio::test]
async fn bad_history_calls_change_nothing() {
    each_backend(|t| async move {
        let before = counts(&t.db).await;
        let mut blank = entry(1, "p", "");
        blank.outcome = String::new();
        assert!(matches!(store::history::append(&t.db, blank).await, Err(StoreError::InvalidInput(_))));
        assert!(matches!(store::history::purge_older_than(&t.db, 0).await, Err(StoreError::InvalidInput(_))));
        let mut long = entry(1, "p", "deploy");
        long.error = Some("e".repeat(10_000));
        let row = store::history::append(&t.db, long).await.unwrap();
        assert_eq!(row.error.unwrap().len(), store::history::MAX_ERROR_LEN);
        assert_eq!(
            counts(&t.db).await.iter().map(|(_, n)| n).sum::<i64>(),
            before.iter().map(|(_, n)| n).sum::<i64>() + 1
        );
        t
    })
    .await;
}
