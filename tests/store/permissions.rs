use cloud_chatops::domain::{Money, Provider, Role, SizeClass};
use cloud_chatops::store::{self, StoreError, permissions::Grant};

use crate::support::{counts, each_backend};

#[tokio::test]
async fn grant_get_regrant_and_revoke() {
    each_backend(|t| async move {
        assert!(store::permissions::get(&t.db, 5, 1, Provider::Gcp).await.unwrap().is_none());
        let mut grant = Grant::for_role(5, 1, Provider::Gcp, Role::CloudUser, 9);
        grant.permissions.allowed_regions = Some(vec!["us-central1".into(), "asia-southeast1".into()]);
        grant.permissions.budget_limit = Some(Money::from_dollars(3000));
        let row = store::permissions::grant(&t.db, grant).await.unwrap();
        assert_eq!(row.role, cloud_chatops::domain::Role::CloudUser);
        assert!(row.can_create_vm && row.can_create_db && !row.can_create_k8s && !row.can_delete);
        assert_eq!(row.max_vm_size, Some(cloud_chatops::domain::SizeClass::Medium));
        assert_eq!(row.allowed_regions, Some(serde_json::json!(["us-central1", "asia-southeast1"])));
        assert_eq!(row.budget_limit_micros, Some(3_000_000_000));

        let before = counts(&t.db).await;
        let admin =
            store::permissions::grant(&t.db, Grant::for_role(5, 1, Provider::Gcp, Role::CloudAdmin, 9)).await.unwrap();
        assert_eq!(counts(&t.db).await, before, "re-grant replaces, it does not add a row");
        assert_eq!((admin.role.as_str(), admin.can_create_k8s, admin.max_vm_size), ("CloudAdmin", true, None));
        assert!(store::permissions::get(&t.db, 5, 1, Provider::Aws).await.unwrap().is_none(), "per provider");
        assert!(store::permissions::get(&t.db, 5, 2, Provider::Gcp).await.unwrap().is_none(), "per guild");
        assert_eq!(store::permissions::list_for_guild(&t.db, 1).await.unwrap().len(), 1);

        assert!(store::permissions::revoke(&t.db, 5, 1, Provider::Gcp).await.unwrap());
        assert!(!store::permissions::revoke(&t.db, 5, 1, Provider::Gcp).await.unwrap());
        assert!(store::permissions::get(&t.db, 5, 1, Provider::Gcp).await.unwrap().is_none());
        t
    })
    .await;
}

#[tokio::test]
async fn role_defaults_follow_the_design() {
    let viewer = Grant::for_role(1, 1, Provider::Aws, Role::CloudViewer, 1);
    assert!(
        !viewer.permissions.can_create_vm
            && !viewer.permissions.can_create_db
            && !viewer.permissions.can_create_storage
    );
    let user = Grant::for_role(1, 1, Provider::Aws, Role::CloudUser, 1);
    assert!(
        user.permissions.can_create_vm
            && user.permissions.can_create_network
            && user.permissions.can_create_storage
            && !user.permissions.can_create_k8s
    );
    assert_eq!(user.permissions.max_vm_size, Some(SizeClass::Medium));
    let admin = Grant::for_role(1, 1, Provider::Aws, Role::CloudAdmin, 1);
    assert!(
        admin.permissions.can_create_k8s && admin.permissions.can_delete && admin.permissions.max_vm_size.is_none()
    );
}

#[tokio::test]
async fn bad_grants_are_refused_and_change_nothing() {
    each_backend(|t| async move {
        let before = counts(&t.db).await;
        let mut negative = Grant::for_role(5, 1, Provider::Gcp, Role::CloudUser, 9);
        negative.permissions.budget_limit = Some(Money::from_micros(-5));
        assert!(matches!(store::permissions::grant(&t.db, negative).await, Err(StoreError::InvalidInput(_))));
        let mut flood = Grant::for_role(5, 1, Provider::Gcp, Role::CloudUser, 9);
        flood.permissions.allowed_regions = Some(vec!["r".into(); 100]);
        assert!(matches!(store::permissions::grant(&t.db, flood).await, Err(StoreError::InvalidInput(_))));
        assert_eq!(counts(&t.db).await, before);
        t
    })
    .await;
}
