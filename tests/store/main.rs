//! Store integration tests, each run on SQLite and (with `TEST_DATABASE_URL`) on PostgreSQL.

mod history;
mod migrations;
mod nodelay;
mod permissions;
mod policies;
mod projects;
mod quotas;
mod resources;
mod seed;
mod session_prefix;
mod sessions;
mod spec;
mod support;
