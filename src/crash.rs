//! Test-only crash points: `CLOUD_CHATOPS_CRASH_AT=<step>` makes a build with the `test-hooks`
//! feature (the test suite's) abort the process at that step of an approval, so the
//! crash-recovery tests can kill it exactly there. Other builds carry no crash point at all.
//! (Not `CHATOPS_*`: that prefix is the settings namespace, which refuses unknown keys so a
//! mistyped setting stops start-up.)

/// The steps that can be crashed at, in the order an approval passes them.
pub const STEPS: [&str; 4] = ["after_reserve", "after_commit", "during_terraform", "before_reply"];

/// Aborts the process (no unwinding, no destructors: as close to SIGKILL as Rust gets) when the
/// crash step is `step`.
#[cfg(feature = "test-hooks")]
pub fn point(step: &str) {
    use std::sync::OnceLock;
    static AT: OnceLock<Option<String>> = OnceLock::new();
    let at = AT.get_or_init(|| std::env::var("CLOUD_CHATOPS_CRASH_AT").ok());
    if at.as_deref() == Some(step) {
        eprintln!("crash point {step}: aborting");
        std::process::abort();
    }
}

/// Without the `test-hooks` feature a crash point is nothing.
#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn point(_step: &str) {}
