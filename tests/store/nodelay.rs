//! PostgreSQL connections run with `TCP_NODELAY` (see `store::nodelay`): without it a multi-row INSERT
//! waited 40 ms for the server's delayed ACK.

use sea_orm::ConnectionTrait;

use cloud_chatops::store::{self, nodelay};

/// With `TEST_DATABASE_URL` over TCP: after connecting and querying, every TCP socket of this test
/// process has `TCP_NODELAY`, and there is at least one (the pool's connection).
#[tokio::test]
async fn postgres_connections_have_tcp_nodelay() {
    let Some(url) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else { return };
    let db = store::connect(&url).await.expect("connect");
    db.execute_unprepared("SELECT 1").await.expect("query");
    if cfg!(target_os = "linux") && !url.contains("%2F") {
        // Other tests of this binary connect at the same time: a socket of theirs can be caught between
        // its connect and the hook that sets the option, so the condition is awaited, not sampled once.
        let mut sockets = nodelay::tcp_sockets_nodelay();
        for _ in 0..100 {
            if !sockets.is_empty() && sockets.iter().all(|(_, on)| *on) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            sockets = nodelay::tcp_sockets_nodelay();
        }
        assert!(!sockets.is_empty(), "the pool holds a TCP connection");
        assert!(sockets.iter().all(|(_, on)| *on), "every TCP socket has TCP_NODELAY: {sockets:?}");
    }
    db.close().await.ok();
}
