//! Discord shards: which guilds a process serves when the bot is split across processes.

use serde::{Deserialize, Serialize};

/// Shards `first..=last` of `total`, as `CHATOPS_DISCORD__SHARDS=first-last/total` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardRange {
    /// First shard served.
    pub first: u32,
    /// Last shard served (inclusive).
    pub last: u32,
    /// Shards of the whole bot.
    pub total: u32,
}

impl ShardRange {
    /// The shard Discord puts a guild on: `(guild_id >> 22) % total`.
    pub fn shard_of(guild_id: i64, total: u32) -> u32 {
        let total = u64::from(total.max(1));
        ((guild_id as u64 >> 22) % total) as u32
    }

    /// Whether a guild's interactions arrive on one of these shards.
    pub fn serves(&self, guild_id: i64) -> bool {
        (self.first..=self.last).contains(&Self::shard_of(guild_id, self.total))
    }
}

#[cfg(test)]
mod tests {
    use super::ShardRange;

    #[test]
    fn guilds_land_on_discords_shard() {
        // 41771983423143937 >> 22 = 9959216934: shard 0 of 2, 0 of 3, 4 of 5.
        let guild = 41_771_983_423_143_937;
        assert_eq!(ShardRange::shard_of(guild, 2), 0);
        assert_eq!(ShardRange::shard_of(guild, 5), 4);
        assert_eq!(ShardRange::shard_of(123_456_789 << 22 | 5, 2), 1, "low bits do not decide");
        assert!(!ShardRange { first: 1, last: 1, total: 2 }.serves(guild));
        assert!(ShardRange { first: 0, last: 1, total: 2 }.serves(guild));
        assert!(ShardRange { first: 3, last: 4, total: 5 }.serves(guild));
    }
}
