//! A denied deploy offers the nearest request that would pass, judged with the member's real grant,
//! the guild's policies and the project's quotas; asking for it opens an allowed lobby.

use cloud_chatops::commands::Reply;
use cloud_chatops::console::render;
use cloud_chatops::domain::validate::Outcome;

use crate::harness::{USER, VIEWER, start};
use crate::support::{each_backend, settings};

#[tokio::test]
async fn a_cloud_user_denied_a_large_machine_is_offered_a_medium_one_that_passes() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let denied = app.open_vm(USER, "big-web", "e2-standard-8").await;
        assert_eq!(denied.verdict.outcome, Outcome::Denied);
        let offer = denied.suggestion.clone().expect("an alternative");
        assert_eq!(offer.size.as_deref(), Some("e2-standard-2"), "{offer:?}");
        assert_eq!(offer.region, denied.region, "the region was not at fault");
        assert!(offer.hourly > cloud_chatops::domain::Money::ZERO && !offer.needs_approval);
        let text = render(&Reply::Lobby(denied.clone()), false);
        assert!(text.contains("nearest allowed: e2-standard-2 in"), "{text}");

        // The line it prints asks for it in one step, and that lobby is allowed at the price shown.
        let line = text.lines().find(|l| l.contains("nearest allowed")).unwrap();
        let command = line.split("-> ").nth(1).unwrap().replace("big-web", "big-web-2");
        let again = app.run(USER, &command).await;
        let Reply::Lobby(lobby) = again else { panic!("{command}: {again:?}") };
        assert_eq!(lobby.verdict.outcome, Outcome::Allowed, "{:?}", lobby.verdict);
        assert_eq!(lobby.verdict.hourly, offer.hourly);
        assert_eq!(lobby.suggestion, None, "nothing to suggest for an allowed lobby");

        // A viewer may deploy nothing: no size or region helps.
        assert_eq!(app.open_vm(VIEWER, "viewer-web", "e2-small").await.suggestion, None);
        app.stop().await
    })
    .await;
}
