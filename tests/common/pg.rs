//! A fresh PostgreSQL database per multi-process test, on the `TEST_DATABASE_URL` server.

use sea_orm::ConnectionTrait;

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base.rsplit_once('/').expect("a database URL has a path");
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// Runs `body` with the URL of a fresh database (`<prefix>_<uuid>`) of the `TEST_DATABASE_URL`
/// PostgreSQL server, dropped afterwards even when `body` fails; nothing when that variable does not
/// name a PostgreSQL server.
pub async fn on_fresh_database<F, Fut>(prefix: &str, body: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(admin_url) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) else {
        eprintln!("TEST_DATABASE_URL is not a PostgreSQL URL: `{prefix}` has nothing to run against");
        return;
    };
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let admin = cloud_chatops::store::connect(&admin_url).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    let url = with_database(&admin_url, &name);
    // The body runs in its own task so the database is dropped even when an assertion fails.
    let result = tokio::spawn(body(url)).await;
    admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
