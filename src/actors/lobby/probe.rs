//! An optional instrumentation hook: when installed, every SessionActor reports the moment its
//! expiry timer fired beside the deadline it was scheduled for. `cloud-chatops bench` installs it to
//! measure expiry lag; nothing else does, and without it an expiry costs one atomic load more.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Receives (session id, scheduled deadline, time the timer fired).
pub type ExpiryProbe = Box<dyn Fn(Uuid, DateTime<Utc>, DateTime<Utc>) + Send + Sync>;

static PROBE: OnceLock<ExpiryProbe> = OnceLock::new();

/// Installs the probe for the rest of the process; false when one is already installed.
pub fn install_expiry_probe(probe: ExpiryProbe) -> bool {
    PROBE.set(probe).is_ok()
}

/// Called by a SessionActor as its expiry timer fires.
pub(super) fn expiry_fired(id: Uuid, deadline: DateTime<Utc>) {
    if let Some(probe) = PROBE.get() {
        probe(id, deadline, crate::store::now());
    }
}
