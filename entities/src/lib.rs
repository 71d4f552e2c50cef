//! sea-orm entities of the seven cloud-chatops tables, one file per table.
//!
//! Money columns hold exact micro-dollars (`*_micros`), snowflake ids are `i64`, times are UTC.

pub mod cloud_projects;
pub mod cloud_quotas;
pub mod cloud_resources;
pub mod deployment_history;
pub mod deployment_sessions;
pub mod infrastructure_policies;
pub mod kinds;
pub mod prelude;
pub mod user_cloud_permissions;
