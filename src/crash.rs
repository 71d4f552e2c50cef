//! Test-only crash points: `CLOUD_CHATOPS_CRASH_AT=<step>` makes a debug build abort the process at
//! that step of an approval, so the crash-recovery tests can kill it exactly there. Release builds
//! ignore the variable. (Not `CHATOPS_*`: that prefix is the settings namespace, which refuses
//! unknown keys so a mistyped setting stops start-up.)

use std::sync::OnceLock;

/// The steps that can be crashed at, in the order an approval passes them.
pub const STEPS: [&str; 4] = ["after_reserve", "after_commit", "during_terraform", "after_history"];

/// Aborts the process (no unwinding, no destructors: as close to SIGKILL as Rust gets) when the
/// crash step is `step`.
pub fn point(step: &str) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    let at = AT.get_or_init(|| std::env::var("CLOUD_CHATOPS_CRASH_AT").ok().filter(|_| cfg!(debug_assertions)));
    if at.as_deref() == Some(step) {
        eprintln!("crash point {step}: aborting");
        std::process::abort();
    }
}
