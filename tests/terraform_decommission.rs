//! Decommissioning (issue 16): a protected resource being decommissioned is still written, with
//! its protection lifted and a comment saying so, so that `terraform apply` can delete it once the
//! second destroy removes it; a removed resource leaves the files entirely.

mod common;

use cloud_chatops::domain::{Provider, ResourceKind, ResourceName};
use cloud_chatops::terraform::render;
use common::*;

/// The protection attribute of each protected main block and the value it takes when live.
fn protections(provider: Provider) -> Vec<(&'static str, ResourceKind, &'static str, bool)> {
    use ResourceKind as K;
    match provider {
        Provider::Gcp => vec![
            ("google_sql_database_instance", K::Database, "deletion_protection", true),
            ("google_container_cluster", K::K8s, "deletion_protection", true),
            ("google_storage_bucket", K::Storage, "force_destroy", false),
        ],
        Provider::Aws => vec![
            ("aws_db_instance", K::Database, "deletion_protection", true),
            ("aws_lb", K::LoadBalancer, "enable_deletion_protection", true),
            ("aws_s3_bucket", K::Storage, "force_destroy", false),
        ],
        Provider::Azure => vec![],
    }
}

fn main_block(spec: &cloud_chatops::terraform::ProjectSpec, ty: &str, kind: ResourceKind) -> hcl::Body {
    let label = ResourceName::parse(spec.provider, kind, &name(spec.provider, kind, 1)).unwrap().tf_label();
    resources(spec)
        .into_iter()
        .find(|(_, t, l, _)| t == ty && *l == label)
        .map(|(.., body)| body)
        .unwrap_or_else(|| panic!("{}: no {ty}.{label}", spec.provider))
}

#[test]
fn a_decommissioning_resource_is_written_with_its_protection_lifted() {
    for provider in [Provider::Gcp, Provider::Aws] {
        let (live, going) = (everything(provider), decommissioning(provider));
        for (ty, kind, key, protected) in protections(provider) {
            assert_eq!(attr(&main_block(&live, ty, kind), key), Some(&b(protected)), "{provider} live {ty}.{key}");
            assert_eq!(attr(&main_block(&going, ty, kind), key), Some(&b(!protected)), "{provider} going {ty}.{key}");
        }
    }
    // RDS keeps taking its final snapshot on the way out (named like the instance, with the
    // project's suffix): the data survives the destroy.
    let rds = main_block(&decommissioning(Provider::Aws), "aws_db_instance", ResourceKind::Database);
    assert_eq!(attr(&rds, "skip_final_snapshot"), Some(&b(false)));
    assert_eq!(attr(&rds, "final_snapshot_identifier"), Some(&s("orders-db-1-3f9a1c-final")));
}

#[test]
fn only_the_resource_being_decommissioned_loses_its_protection() {
    for provider in [Provider::Gcp, Provider::Aws] {
        let region = default_region(provider);
        let mut going = resource(provider, ResourceKind::Database, &name(provider, ResourceKind::Database, 1), region);
        going.decommissioning = true;
        let kept = resource(provider, ResourceKind::Database, &name(provider, ResourceKind::Database, 2), region);
        let spec = spec(provider, vec![going, kept]);
        let ty = protections(provider)[0].0;
        let by_label: Vec<(String, Option<hcl::Expression>)> = resources(&spec)
            .into_iter()
            .filter(|(_, t, ..)| t == ty)
            .map(|(_, _, l, body)| (l, attr(&body, "deletion_protection").cloned()))
            .collect();
        let label = |n| {
            ResourceName::parse(provider, ResourceKind::Database, &name(provider, ResourceKind::Database, n))
                .unwrap()
                .tf_label()
        };
        assert_eq!(by_label, [(label(1), Some(b(false))), (label(2), Some(b(true)))], "{provider}");
    }
}

#[test]
fn every_decommissioning_resource_says_what_happens_next_and_live_ones_say_nothing() {
    const NOTE: &str = "# Being decommissioned: its protection is lifted";
    for provider in PROVIDERS {
        let count = |spec: &cloud_chatops::terraform::ProjectSpec| -> usize {
            render(spec).unwrap().iter().map(|f| f.contents.matches(NOTE).count()).sum()
        };
        let going = decommissioning(provider);
        // Networks are never protected, so never decommissioned: every other resource carries the note.
        let expected = going.resources.iter().filter(|r| r.kind != ResourceKind::Network).count();
        assert_eq!(count(&going), expected, "{provider}");
        assert_eq!(count(&everything(provider)), 0, "{provider}");
        let files = render(&going).unwrap();
        let db = files.iter().find(|f| f.name == "database.tf").unwrap();
        assert!(db.contents.contains("next\n# destroy of `orders-db-1` in chat removes it"), "{}", db.contents);
    }
}

#[test]
fn a_removed_resource_leaves_the_files_entirely() {
    for provider in PROVIDERS {
        for kind in [ResourceKind::Database, ResourceKind::Storage, ResourceKind::LoadBalancer, ResourceKind::K8s] {
            let gone = name(provider, kind, 1);
            let label = ResourceName::parse(provider, kind, &gone).unwrap().tf_label();
            let mut spec = decommissioning(provider);
            spec.resources.retain(|r| !(r.kind == kind && r.name.as_str() == gone));
            for f in render(&spec).unwrap() {
                for line in f.contents.lines() {
                    let mentions = line.contains(&format!("\"{label}")) || line.contains(&format!(".{label}"));
                    assert!(!mentions && !line.contains(&gone), "{provider}/{kind}: {} still has `{line}`", f.name);
                }
            }
        }
    }
}
