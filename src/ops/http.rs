//! The ops HTTP server (axum): `GET /healthz`, `GET /readyz`, `GET /metrics`, on `metrics.listen`.
//! Plain text, no authentication: it is meant for a private address (loopback, a pod network).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;

use super::health::Readiness;
use super::metrics;
use crate::actors::records::RecordsHandle;

/// What the endpoints answer from.
#[derive(Clone)]
pub struct Ops {
    /// The `/readyz` checks.
    pub readiness: Arc<Readiness>,
    /// The process's recorder (`None`: `/metrics` answers 404).
    pub metrics: Option<PrometheusHandle>,
    /// Where the quota gauges are read at each scrape (`None`: no quota gauges).
    pub quotas: Option<RecordsHandle>,
}

/// Why the server could not start; names the setting.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on `metrics.listen` {addr}: {source}")]
pub struct ListenError {
    addr: SocketAddr,
    source: std::io::Error,
}

/// The router of the three endpoints.
pub fn router(ops: Ops) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(scrape))
        .with_state(ops)
}

/// Binds `addr` now (a port in use fails the start-up) and serves until `stop` completes.
pub async fn serve(
    addr: SocketAddr,
    ops: Ops,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), ListenError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ListenError { addr, source })?;
    let bound = listener.local_addr().map_err(|source| ListenError { addr, source })?;
    tracing::info!(%bound, "serving /healthz, /readyz and /metrics");
    let server = axum::serve(listener, router(ops)).with_graceful_shutdown(stop);
    let join = tokio::spawn(async move {
        if let Err(e) = server.await {
            tracing::error!(error = %e, "the ops HTTP server stopped");
        }
    });
    Ok((bound, join))
}

fn text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n".to_owned())
}

async fn readyz(State(ops): State<Ops>) -> Response {
    let report = ops.readiness.report().await;
    let status = if report.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    text(status, report.body())
}

async fn scrape(State(ops): State<Ops>) -> Response {
    let Some(handle) = &ops.metrics else { return text(StatusCode::NOT_FOUND, "no metrics recorder\n".to_owned()) };
    if let Some(records) = &ops.quotas {
        // Read fresh at each scrape: the database is the truth, changed by every process sharing it.
        match records.all_quota_rows().await {
            Ok(rows) => {
                for row in rows {
                    let quota = row.resource_type.to_string();
                    // The budget line is micro-dollars in the database; the gauge is in USD.
                    let unit = if row.resource_type == crate::domain::QuotaType::BudgetMonthly { 1e-6 } else { 1.0 };
                    let [used, reserved, limit] = [row.used, row.reserved, row.quota_limit].map(|n| n as f64 * unit);
                    metrics::quota(&row.project_id, &quota, &row.region, used, reserved, limit);
                }
            }
            Err(e) => tracing::warn!(error = %e, "metrics: the quota gauges could not be refreshed"),
        }
    }
    let body = metrics::render(handle);
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;
    use crate::actors::BoxFuture;
    use crate::ops::health::Check;

    struct Down;

    impl Check for Down {
        fn name(&self) -> &'static str {
            "database"
        }
        fn check(&self) -> BoxFuture<'_, Result<(), String>> {
            Box::pin(async { Err("not reachable".to_owned()) })
        }
    }

    /// One GET over a plain socket: (status, body).
    fn get(addr: SocketAddr, path: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readyz_answers_503_with_the_failing_check_and_healthz_stays_200() {
        let ops = Ops { readiness: Arc::new(Readiness::new().with(Down)), metrics: None, quotas: None };
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (addr, join) = serve("127.0.0.1:0".parse().unwrap(), ops, async move {
            let _ = stop_rx.await;
        })
        .await
        .unwrap();
        let (healthz, readyz, scrape) =
            tokio::task::spawn_blocking(move || (get(addr, "/healthz"), get(addr, "/readyz"), get(addr, "/metrics")))
                .await
                .unwrap();
        assert_eq!(healthz, (200, "ok\n".to_owned()));
        assert_eq!(readyz, (503, "not ready\ndatabase: not reachable\n".to_owned()));
        assert_eq!(scrape.0, 404);
        stop_tx.send(()).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), join).await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_port_in_use_fails_naming_the_setting() {
        let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = taken.local_addr().unwrap();
        let ops = Ops { readiness: Arc::new(Readiness::new()), metrics: None, quotas: None };
        let err = serve(addr, ops, std::future::pending()).await.unwrap_err().to_string();
        assert!(err.contains("metrics.listen"), "{err}");
    }
}
