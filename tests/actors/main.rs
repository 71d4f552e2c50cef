//! Actor-level tests: the whole actor tree driven through the command layer, without Discord.

#[path = "../store/support.rs"]
#[allow(dead_code)]
mod support;

mod approved_is_written;
mod auth_matrix;
mod backup;
mod check;
mod checkpoint;
mod day_one;
mod decommission;
mod exposure;
mod harness;
mod lifecycle;
mod load;
mod preview;
mod race;
mod readiness;
mod records;
mod retention;
mod stacks;
mod suggest;
mod supervision;
mod trust;
mod user_errors;
