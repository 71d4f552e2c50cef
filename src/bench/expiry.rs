//! Expiry lag: when the front end hears that a lobby expired (its release, final status and audit
//! entry committed) minus its deadline, for the whole fleet expiring over the scale's window.

use std::collections::HashMap;
use std::time::Duration;

use super::fixture::Fleet;
use super::{Figure, Scale, quantile};

pub async fn run(mut fleet: Fleet, scale: &Scale) -> anyhow::Result<Vec<Figure>> {
    let n = fleet.deadlines.len();
    let deadlines: HashMap<_, _> = fleet.deadlines.iter().copied().collect();
    let last = fleet.deadlines.iter().map(|(_, d)| *d).max().unwrap_or_else(crate::store::now);
    let give_up = (last - crate::store::now()).to_std().unwrap_or_default() + Duration::from_secs(60);
    let mut lags = Vec::with_capacity(n);
    let waited = tokio::time::timeout(give_up, async {
        while lags.len() < n {
            let Some((id, at)) = fleet.closed.recv().await else { break };
            if let Some(deadline) = deadlines.get(&id) {
                lags.push((at - *deadline).num_microseconds().unwrap_or(i64::MAX) as f64 / 1_000.0);
            }
        }
    })
    .await;
    let missing = n - lags.len();
    fleet.sample.finish().await;
    if waited.is_err() {
        eprintln!("{missing} lobbies had not expired a minute after the last deadline");
    }
    let spread = scale.expiry_spread.as_secs();
    Ok(vec![
        Figure::new(format!("expiry_lag_p50_{n}_over_{spread}s"), quantile(&mut lags, 0.5), "ms"),
        Figure::new(format!("expiry_lag_p99_{n}_over_{spread}s"), quantile(&mut lags, 0.99), "ms"),
        Figure::new(format!("expiry_lag_max_{n}_over_{spread}s"), quantile(&mut lags, 1.0), "ms"),
        Figure::new("expiry_not_expired", missing as f64, "lobbies"),
    ])
}
