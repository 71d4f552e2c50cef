//! Session ids found by a prefix (the console's `approve 1b1e`), on both backends: each stores a
//! uuid its own way (SQLite as 16 bytes, PostgreSQL as a uuid).

use chrono::TimeDelta;
use cloud_chatops::domain::{Provider, ResourceKind};
use cloud_chatops::store::{self, sessions::NewSession};
use uuid::Uuid;

use crate::support::{each_backend, new_project};

const P: &str = "gcp-00cafe";

fn lobby(id: Uuid, guild_id: i64) -> NewSession {
    NewSession {
        id,
        project_id: P.into(),
        user_id: 111,
        guild_id,
        channel_id: 42,
        provider: Provider::Gcp,
        kind: ResourceKind::Vm,
        request: serde_json::json!({}).into(),
        verdict: serde_json::json!({ "outcome": "allowed" }).into(),
        reservation: Vec::new(),
        expires_at: store::now() + TimeDelta::minutes(30),
        target: None,
    }
}

#[tokio::test]
async fn a_prefix_finds_the_guilds_lobbies_that_start_with_it() {
    each_backend(|t| async move {
        store::projects::create_with_id(&t.db, P, new_project(1, 111, "prefix")).await.unwrap();
        let a = Uuid::parse_str("1b1e0000-0000-4000-8000-000000000001").unwrap();
        let b = Uuid::parse_str("1b1e0000-0000-4000-8000-000000000002").unwrap();
        let c = Uuid::parse_str("1b2f0000-0000-4000-8000-000000000003").unwrap();
        let other_guild = Uuid::parse_str("1b1e9999-0000-4000-8000-000000000004").unwrap();
        for (id, guild) in [(a, 1), (b, 1), (c, 1), (other_guild, 2)] {
            store::sessions::create(&t.db, lobby(id, guild)).await.unwrap();
        }
        let find = |prefix: &'static str| {
            let db = t.db.clone();
            async move { store::sessions::ids_with_prefix(&db, 1, prefix, 3).await }
        };
        assert_eq!(find("1b2").await.unwrap(), [c], "{}", t.backend);
        assert_eq!(find("1B1E").await.unwrap(), [a, b], "{}: case does not matter", t.backend);
        assert_eq!(find("1b1e0000-0000-4000-8000-000000000002").await.unwrap(), [b], "{}", t.backend);
        // The dash is where the id has one, not anywhere in the hex digits.
        assert!(find("1b1e0-000").await.unwrap().is_empty(), "{}", t.backend);
        assert!(find("1b1e9").await.unwrap().is_empty(), "{}: another guild's lobby", t.backend);
        assert!(find("ffff").await.unwrap().is_empty(), "{}", t.backend);
        assert!(find("1b' OR 1=1 --").await.is_err(), "{}: not a prefix", t.backend);
        t
    })
    .await;
}
