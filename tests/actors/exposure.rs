//! Exposure on the card: a lobby shows who can reach each new resource once its Terraform is
//! applied (access, ingress, internet-facing load balancers), and warns for the whole internet.

use cloud_chatops::commands::{Invoker, Reply};
use cloud_chatops::terraform::exposure::Reach;

use crate::harness::{ADMIN, start};
use crate::support::{each_backend, settings};

const GUILD_ADMIN: Invoker = Invoker { is_guild_admin: true, ..ADMIN };

#[tokio::test]
async fn a_database_open_to_the_world_says_so_on_its_card() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let line = "/cloud-deploy project_id:gcp-abc123 resource_type:database resource_name:orders access:public ingress:0.0.0.0/0";
        let reply = app.run(ADMIN, line).await;
        let Reply::Lobby(view) = &reply else { panic!("{reply:?}") };
        let orders = &view.exposure[0];
        assert_eq!((orders.resource.as_str(), orders.exposure.reach), ("orders", Reach::Internet));
        assert_eq!((orders.exposure.access, orders.exposure.ingress.as_slice()), ("public", ["0.0.0.0/0".to_owned()].as_slice()));
        let text = cloud_chatops::console::render(&reply, false);
        assert!(text.contains("exposure orders: public endpoint open to the whole internet"), "{text}");
        assert!(text.contains("warning: orders will be reachable from the whole internet"), "{text}");
        let json = serde_json::to_value(&reply).unwrap();
        assert_eq!(json["exposure"][0]["reach"], "internet", "{json}");
        assert_eq!(json["exposure"][0]["ingress"][0], "0.0.0.0/0", "{json}");

        let narrow = "/cloud-deploy project_id:gcp-abc123 resource_type:database resource_name:reports access:public ingress:203.0.113.0/24";
        let Reply::Lobby(view) = app.run(ADMIN, narrow).await else { panic!() };
        assert_eq!(view.exposure[0].exposure.reach, Reach::Limited);
        assert!(view.exposure[0].exposure.summary.contains("only from 203.0.113.0/24"));
        let private = "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:quiet-1 machine_type:e2-small";
        let reply = app.run(ADMIN, private).await;
        let Reply::Lobby(view) = &reply else { panic!() };
        assert_eq!(view.exposure[0].exposure.reach, Reach::Private);
        assert!(!cloud_chatops::console::render(&reply, false).contains("whole internet"));
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn the_same_stack_shows_where_its_load_balancer_faces_on_each_cloud() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        for (provider, region, reach) in [
            ("gcp", "us-central1", Reach::Internet),
            ("aws", "us-east-1", Reach::Private),
            ("azure", "eastus", Reach::Private),
        ] {
            let init = format!("/cloud-init provider:{provider} project_name:\"Edge {provider}\" region:{region}");
            let Reply::ProjectCreated { project } = app.run(GUILD_ADMIN, &init).await else { panic!("{provider}") };
            let line = format!("/cloud-stack project_id:{} template:web name:edge", project.id);
            let reply = app.run(GUILD_ADMIN, &line).await;
            let Reply::Lobby(view) = &reply else { panic!("{provider}: {reply:?}") };
            let lb = view
                .exposure
                .iter()
                .find(|e| e.resource == "edge-lb")
                .unwrap_or_else(|| panic!("{provider}: {view:?}"));
            assert_eq!(lb.exposure.reach, reach, "{provider}: {}", lb.exposure.summary);
            let db = view.exposure.iter().find(|e| e.resource == "edge-db").unwrap();
            assert_eq!(db.exposure.reach, Reach::Private, "{provider}");
        }
        app.stop().await
    })
    .await;
}
