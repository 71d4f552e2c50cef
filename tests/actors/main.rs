//! Actor-level tests: the whole actor tree driven through the command layer, without Discord.

#[path = "../store/support.rs"]
#[allow(dead_code)]
mod support;

mod approved_is_written;
mod auth_matrix;
mod check;
mod checkpoint;
mod decommission;
mod harness;
mod lifecycle;
mod load;
mod race;
mod records;
mod retention;
mod stacks;
mod supervision;
mod trust;
mod user_errors;
