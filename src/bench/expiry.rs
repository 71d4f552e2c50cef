//! Expiry lag for the whole fleet expiring over the scale's window, two ways: when each lobby's timer
//! fired minus its deadline (the expiry probe), and when the front end heard that it expired (its
//! release, final status and audit entry committed) minus its deadline.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::fixture::Fleet;
use super::{Figure, Scale, quantile};

pub async fn run(mut fleet: Fleet, scale: &Scale) -> anyhow::Result<Vec<Figure>> {
    let n = fleet.deadlines.len();
    let deadlines: HashMap<_, _> = fleet.deadlines.iter().copied().collect();
    let last = fleet.deadlines.iter().map(|(_, d)| *d).max().unwrap_or_else(crate::store::now);
    let give_up = (last - crate::store::now()).to_std().unwrap_or_default() + scale.expiry_patience;
    let mut closed = Vec::with_capacity(n);
    let waited = tokio::time::timeout(give_up, async {
        while closed.len() < n {
            let Some((id, at)) = fleet.closed.recv().await else { break };
            if let Some(deadline) = deadlines.get(&id) {
                closed.push(lag_ms(*deadline, at));
            }
        }
    })
    .await;
    let missing = n - closed.len();
    if waited.is_err() {
        eprintln!("{missing} lobbies had not expired {:?} after the last deadline", scale.expiry_patience);
    }
    // First firing per lobby (a failed expiry fires again later).
    let mut fired: HashMap<uuid::Uuid, f64> = HashMap::with_capacity(n);
    while let Ok((id, deadline, at)) = fleet.fired.try_recv() {
        if deadlines.contains_key(&id) {
            fired.entry(id).or_insert_with(|| lag_ms(deadline, at));
        }
    }
    let mut fired: Vec<f64> = fired.into_values().collect();
    fleet.sample.finish().await;
    let tag = format!("{n}_over_{}s", scale.expiry_spread.as_secs());
    Ok(vec![
        Figure::new(format!("expiry_timer_lag_p50_{tag}"), quantile(&mut fired, 0.5), "ms"),
        Figure::new(format!("expiry_timer_lag_p99_{tag}"), quantile(&mut fired, 0.99), "ms"),
        Figure::new(format!("expiry_closed_lag_p50_{tag}"), quantile(&mut closed, 0.5), "ms"),
        Figure::new(format!("expiry_closed_lag_p99_{tag}"), quantile(&mut closed, 0.99), "ms"),
        Figure::new(format!("expiry_not_expired_{tag}"), missing as f64, "lobbies"),
    ])
}

fn lag_ms(deadline: DateTime<Utc>, at: DateTime<Utc>) -> f64 {
    (at - deadline).num_microseconds().unwrap_or(i64::MAX) as f64 / 1_000.0
}
