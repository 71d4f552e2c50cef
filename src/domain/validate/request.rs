//! The request's own shape: count, node count, name, provider, and what the catalogue makes of its region
//! and size.

use super::input::{MAX_COUNT, MAX_K8S_NODES, MIN_COUNT, ValidationInput};
use super::verdict::Findings;
use super::{Sizing, shown};
use crate::domain::ResourceKind;
use crate::domain::catalog::CatalogError;

/// The count and node count the rest of the checks work with, reported when out of range.
///
/// Out-of-range values are clamped rather than abandoning validation, so the member still sees every other
/// problem in the same verdict, and the catalogue never multiplies a huge number.
pub(super) fn check_counts(input: &ValidationInput<'_>, out: &mut Findings) -> (u32, Option<u32>) {
    let request = input.request;
    if !(MIN_COUNT..=MAX_COUNT).contains(&request.count) {
        out.deny("request.count", format!("count must be between {MIN_COUNT} and {MAX_COUNT} (got {})", request.count));
    }
    let count = request.count.clamp(MIN_COUNT, MAX_COUNT);

    let nodes = match (request.kind, request.node_count) {
        (ResourceKind::K8s, Some(n)) => {
            if !(1..=MAX_K8S_NODES).contains(&n) {
                out.deny("request.node_count", format!("node_count must be between 1 and {MAX_K8S_NODES} (got {n})"));
            }
            Some(n.clamp(1, MAX_K8S_NODES))
        }
        (_, Some(_)) => {
            out.warn(format!("node_count applies only to Kubernetes clusters; ignored for a {}", request.kind));
            None
        }
        (_, None) => None,
    };
    (count, nodes)
}

/// The name must say something and the provider must be the project's; naming rules per provider are the
/// Terraform generator's, which knows them.
pub(super) fn check_identity(input: &ValidationInput<'_>, out: &mut Findings) {
    let request = input.request;
    if request.name.trim().is_empty() {
        out.deny("request.name", "resource name must not be empty");
    }
    if request.provider != input.project.provider {
        out.deny(
            "request.provider",
            format!(
                "project {} is {} project; it cannot deploy {} resources",
                shown(&input.project.project_id),
                crate::domain::words::with_article(input.project.provider),
                request.provider
            ),
        );
    }
    let sizeless = matches!(request.kind, ResourceKind::Storage | ResourceKind::Network | ResourceKind::LoadBalancer);
    if sizeless && request.size.is_some() {
        out.warn(format!("machine_type is ignored for a {}", request.kind.display_name()));
    }
}

/// Prices and sizes the request with the catalogue, reporting an unknown region or size with the
/// catalogue's own message (which lists the valid values).
///
/// When the region or size is unknown, the request is sized again with the provider's default region (and
/// default size), so rules that only need to know *what* is consumed (resource patterns) still run; the
/// price of such a stand-in is never shown or checked.
pub(super) fn size(input: &ValidationInput<'_>, count: u32, nodes: Option<u32>, out: &mut Findings) -> Sizing {
    let request = input.request;
    let catalog = input.catalog;
    let quote =
        |region: &str, size: Option<&str>| catalog.quote(request.provider, request.kind, region, size, nodes, count);
    let asked_size = request.size.as_deref();
    match quote(&request.region, asked_size) {
        Ok(q) => Sizing { quote: Some(q), size_known: true, priced: true },
        Err(first) => {
            out.deny(rule_of(&first), first.to_string());
            let default_region = catalog.provider(request.provider).default_region.as_str();
            match quote(default_region, asked_size) {
                Ok(q) => Sizing { quote: Some(q), size_known: true, priced: false },
                Err(second) => {
                    if second != first {
                        out.deny(rule_of(&second), second.to_string());
                    }
                    Sizing { quote: quote(default_region, None).ok(), size_known: false, priced: false }
                }
            }
        }
    }
}

fn rule_of(err: &CatalogError) -> &'static str {
    match err {
        CatalogError::UnknownRegion { .. } => "request.region",
        _ => "request.size",
    }
}
