//! Whether a lobby's requester holds Discord's Administrator permission *now*, for an approval by
//! someone else. A requester without a grant acts as CloudAdmin only through that permission, and it
//! can be taken away between the opening and the click.
//!
//! The answer comes, in order, from the clicker when they are the requester (their click carries
//! it), from the front end (Discord: the member and the guild's roles over REST), or from the
//! latest command the requester ran in this process (the console, where `as` says who is an
//! administrator). When none can tell, the approval is refused, never granted.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::domain::Invoker;

/// The latest administrator flag seen from each member of each guild, in this process.
#[derive(Default)]
pub struct Sightings {
    seen: Mutex<HashMap<(i64, i64), bool>>,
}

/// Members remembered at most; beyond it the oldest knowledge is dropped wholesale (it is only a
/// fallback, and a missing entry refuses rather than grants).
const MAX_SIGHTINGS: usize = 100_000;

impl Sightings {
    /// Remembers `member`'s flag as their latest command or click carried it.
    pub fn saw(&self, member: Invoker) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= MAX_SIGHTINGS && !seen.contains_key(&(member.guild_id, member.user_id)) {
            seen.clear();
        }
        seen.insert((member.guild_id, member.user_id), member.is_guild_admin);
    }

    /// The latest flag seen from `user_id` in `guild_id`.
    pub fn latest(&self, guild_id: i64, user_id: i64) -> Option<bool> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).get(&(guild_id, user_id)).copied()
    }
}
