//! Terraform that applies in a real account (issue 29, item 1): zones are the account's own, and
//! what was placed in a zone stays there when the list of zones changes.
//! - AWS: zone names differ between accounts (ap-northeast-1 has no `1b` in new accounts), so the
//!   zones are looked up without fixed names, and every subnet ignores later changes to its zone.
//! - GCP: a VM takes the first zone that is up and keeps it; an instance group sits in its
//!   members' zone (not a second lookup that could disagree); GKE nodes keep their zone.
//! - Azure writes no zone: VMs and clusters are regional, and the database ignores its zone.
//!
//! And (item 2) names AWS keeps unique per account and region carry the project's suffix, unless
//! the resource was created before that rule and its name is pinned.

mod common;

use cloud_chatops::domain::{Provider, ResourceKind};
use common::*;

fn ignores(body: &hcl::Body, field: &str) -> bool {
    block(body, "lifecycle")
        .and_then(|l| attr(l, "ignore_changes"))
        .is_some_and(|e| e.to_string().split(|c: char| !c.is_ascii_alphanumeric() && c != '_').any(|w| w == field))
}

#[test]
fn aws_zones_are_looked_up_per_account_and_subnets_never_move() {
    let spec = everything(Provider::Aws);
    let files = render_parsed(&spec);
    let mut lookups = 0;
    for (file, body) in &files {
        for data in body.blocks().filter(|b| b.identifier() == "data") {
            if data.labels()[0].as_str() != "aws_availability_zones" {
                continue;
            }
            lookups += 1;
            let filters: Vec<&hcl::Body> =
                data.body().blocks().filter(|b| b.identifier() == "filter").map(|b| b.body()).collect();
            let names: Vec<String> = filters.iter().filter_map(|f| attr(f, "name")).map(|e| e.to_string()).collect();
            assert!(
                !names.iter().any(|n| n.contains("zone-name") || n.contains("zone-id")),
                "{file}: zones filtered by fixed names, which differ between accounts: {names:?}"
            );
            assert!(
                names.iter().any(|n| n.contains("opt-in-status")),
                "{file}: Local and Wavelength Zones (opt-in) must be left out: {names:?}"
            );
            assert_eq!(attr(data.body(), "state").map(|e| e.to_string()), Some("\"available\"".to_owned()));
        }
    }
    assert!(lookups > 0, "no aws_availability_zones lookup in the output");
    let subnets: Vec<_> = resources(&spec).into_iter().filter(|(_, ty, _, _)| ty == "aws_subnet").collect();
    assert!(subnets.len() >= 3, "expected private and public subnets, got {}", subnets.len());
    for (file, _, label, body) in subnets {
        assert!(ignores(&body, "availability_zone"), "{file}: aws_subnet.{label} would move when the zones change");
    }
}

#[test]
fn gcp_machines_groups_and_nodes_keep_their_zone() {
    let spec = web_stack(Provider::Gcp);
    let mut all = resources(&spec);
    all.extend(resources(&single(Provider::Gcp, ResourceKind::K8s)));
    let mut seen = (0, 0, 0);
    for (file, ty, label, body) in &all {
        match ty.as_str() {
            "google_compute_instance" => {
                seen.0 += 1;
                assert!(ignores(body, "zone"), "{file}: {ty}.{label} would be replaced when the zones change");
            }
            "google_compute_instance_group" => {
                seen.1 += 1;
                let zone = attr(body, "zone").map(|e| e.to_string()).unwrap_or_default();
                assert!(
                    zone.starts_with("google_compute_instance.") && zone.ends_with(".zone"),
                    "{file}: {ty}.{label} must sit in its members' zone, not a lookup of its own: {zone}"
                );
            }
            "google_container_node_pool" => {
                seen.2 += 1;
                assert!(ignores(body, "node_locations"), "{file}: {ty}.{label} would move its nodes");
            }
            _ => {}
        }
    }
    assert!(seen.0 > 0 && seen.1 > 0 && seen.2 > 0, "VMs, instance groups and node pools expected: {seen:?}");
}

#[test]
fn azure_writes_no_zone_that_could_move() {
    for (file, ty, label, body) in resources(&everything(Provider::Azure)) {
        if attr(&body, "zone").is_some() || attr(&body, "zones").is_some() {
            assert!(ignores(&body, "zone"), "{file}: {ty}.{label} pins a zone and would move when it changes");
        }
    }
}

#[test]
fn aws_names_unique_per_account_carry_the_suffix_and_pinned_ones_keep_their_name() {
    use cloud_chatops::domain::ResourceName;
    let named = |kind, name: &str| ResourceName::parse(Provider::Aws, kind, name).unwrap();
    let mut spec = everything(Provider::Aws);
    // The fixture's names, before and after.
    let fields: [(&str, &str, &[&str]); 6] = [
        ("aws_db_instance", "identifier", &["final_snapshot_identifier"]),
        ("aws_db_subnet_group", "name", &[]),
        ("aws_db_parameter_group", "name", &[]),
        ("aws_lb", "name", &[]),
        ("aws_lb_target_group", "name", &[]),
        ("aws_eks_cluster", "name", &[]),
    ];
    let written = |spec: &cloud_chatops::terraform::ProjectSpec| {
        let mut out = Vec::new();
        for (_, ty, _, body) in resources(spec) {
            for (want, field, more) in &fields {
                if ty == *want {
                    out.push((ty.clone(), compact(attr(&body, field))));
                    for m in *more {
                        out.push((format!("{ty}.{m}"), compact(attr(&body, m))));
                    }
                }
            }
        }
        out
    };
    let suffixed = written(&spec);
    assert_eq!(suffixed.len(), 7, "{suffixed:?}");
    for (what, name) in &suffixed {
        let expected = if what.ends_with("final_snapshot_identifier") { "-3f9a1c-final\"" } else { "-3f9a1c\"" };
        assert!(name.ends_with(expected), "{what}: {name}");
    }
    for r in &mut spec.resources {
        if matches!(r.kind, ResourceKind::Database | ResourceKind::LoadBalancer | ResourceKind::K8s) {
            r.physical = Some(named(r.kind, r.name.as_str()));
        }
    }
    let pinned = written(&spec);
    for ((what, before), (_, after)) in suffixed.iter().zip(&pinned) {
        assert_eq!(before.replace("-3f9a1c", ""), *after, "{what}: a pinned name is written as created");
    }
}
