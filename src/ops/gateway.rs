//! [`Gateway`]: whether Discord's gateway is connected, shard by shard, as the Discord front end
//! hears it (ready, resumed, stage changes). Readiness and systemd's READY=1 read it.
//!
//! A leaf like `metrics`: the front end reports into it without the ops layer knowing serenity.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::watch;

use super::metrics;

/// The shards' connection states, shared by the front end that reports them and whoever asks.
#[derive(Clone)]
pub struct Gateway {
    shards: Arc<watch::Sender<BTreeMap<u32, bool>>>,
}

impl Default for Gateway {
    fn default() -> Self {
        Self { shards: Arc::new(watch::Sender::new(BTreeMap::new())) }
    }
}

impl Gateway {
    /// No shard reported yet: not connected.
    pub fn new() -> Self {
        Self::default()
    }

    /// A shard's connection went up or down (also the `cloud_chatops_discord_gateway_connected` gauge).
    pub fn set(&self, shard: u32, connected: bool) {
        metrics::gateway(shard, connected);
        self.shards.send_if_modified(|shards| shards.insert(shard, connected) != Some(connected));
    }

    /// Every shard down (the client stopped).
    pub fn disconnect_all(&self) {
        let shards: Vec<u32> = self.shards.borrow().keys().copied().collect();
        for shard in shards {
            self.set(shard, false);
        }
    }

    /// Connected: at least one shard reported, and every shard that reported is up.
    pub fn connected(&self) -> bool {
        is_connected(&self.shards.borrow())
    }

    /// The shards that are down, for the readiness report.
    pub fn down(&self) -> Vec<u32> {
        self.shards.borrow().iter().filter(|(_, up)| !**up).map(|(shard, _)| *shard).collect()
    }

    /// Completes once [`connected`](Self::connected) holds.
    pub async fn wait_connected(&self) {
        let mut seen = self.shards.subscribe();
        // The sender lives as long as `self`: the wait cannot fail.
        let _ = seen.wait_for(is_connected).await;
    }
}

fn is_connected(shards: &BTreeMap<u32, bool>) -> bool {
    !shards.is_empty() && shards.values().all(|up| *up)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connected_once_every_reported_shard_is_up() {
        let gateway = Gateway::new();
        assert!(!gateway.connected(), "nothing reported yet");
        gateway.set(0, true);
        gateway.set(1, false);
        assert!(!gateway.connected());
        assert_eq!(gateway.down(), [1]);
        let waiting = tokio::spawn({
            let gateway = gateway.clone();
            async move { gateway.wait_connected().await }
        });
        gateway.set(1, true);
        tokio::time::timeout(std::time::Duration::from_secs(5), waiting).await.unwrap().unwrap();
        assert!(gateway.connected());
        gateway.disconnect_all();
        assert_eq!(gateway.down(), [0, 1]);
    }
}
