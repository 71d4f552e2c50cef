//! CIDR slots that stay put when other networks come and go.

use std::collections::BTreeSet;

use super::GenerateError;

/// CIDRs are `10.<slot>.0.0/16`, so slots must fit an octet.
pub(crate) const MAX_NETWORKS: usize = 250;

/// FNV-1a of `key`: tiny, and stable across Rust versions (unlike `DefaultHasher`), so what it
/// places (CIDR slots, shards, shortened names) stays put from one release to the next.
pub(crate) fn fnv1a(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Hands out CIDR slots derived from a stable key (a name), so adding or removing one network
/// does not renumber, and so replace, the others; collisions probe to the next free slot.
#[derive(Default)]
pub(crate) struct Slots(BTreeSet<usize>);

impl Slots {
    /// The slot for `key`: its hash, or the next free one after it.
    pub(crate) fn take(&mut self, key: &str) -> Result<usize, GenerateError> {
        if self.0.len() >= MAX_NETWORKS {
            return Err(GenerateError::Conflict(format!(
                "more than {MAX_NETWORKS} networks or clusters in one project"
            )));
        }
        let hash = fnv1a(key);
        let mut slot = (hash % MAX_NETWORKS as u64) as usize;
        while !self.0.insert(slot) {
            slot = (slot + 1) % MAX_NETWORKS;
        }
        Ok(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_stable_per_key_and_never_shared() {
        let mut a = Slots::default();
        let core = a.take("core").unwrap();
        let mut b = Slots::default();
        b.take("aaa").unwrap();
        let core_again = b.take("core").unwrap();
        if core_again != core {
            // Only a collision with `aaa` may move it, and then to the next free slot.
            assert_eq!(core_again, (core + 1) % MAX_NETWORKS);
        }
        let mut full = Slots::default();
        let taken: BTreeSet<usize> = (0..MAX_NETWORKS).map(|i| full.take(&i.to_string()).unwrap()).collect();
        assert_eq!(taken.len(), MAX_NETWORKS);
        assert!(taken.iter().all(|s| *s < MAX_NETWORKS));
        assert!(matches!(full.take("one-more"), Err(GenerateError::Conflict(_))));
    }
}
