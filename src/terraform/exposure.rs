//! Who can reach a new resource once its Terraform is applied, as the templates write it: what the
//! lobby shows beside the cost, so a member approves exposure knowingly. Pure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::options::{Access, ResourceOptions};
use crate::domain::{Provider, ResourceKind};

/// How far a resource is reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// From its own network only.
    Private,
    /// From outside its network, but only from the listed ranges.
    Limited,
    /// From anywhere on the internet.
    Internet,
}

/// One resource's exposure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// How far it is reachable.
    pub reach: Reach,
    /// `access` as written: `private` or `public`.
    pub access: &'static str,
    /// The ranges a public endpoint admits.
    pub ingress: Vec<String>,
    /// In words: `public endpoint, only from 203.0.113.0/24, TLS enforced`.
    pub summary: String,
}

/// What the generated Terraform exposes of a resource of `kind` with `options` (already checked
/// by `check_options`); `None` for a kind that takes no traffic of its own (a network).
pub fn exposure_of(provider: Provider, kind: ResourceKind, options: &BTreeMap<String, String>) -> Option<Exposure> {
    let parsed = ResourceOptions::parse(provider, kind, options).unwrap_or_default();
    let ingress: Vec<String> = parsed.ingress.iter().map(ToString::to_string).collect();
    let private = |summary: &str| Exposure {
        reach: Reach::Private,
        access: "private",
        ingress: Vec::new(),
        summary: summary.into(),
    };
    Some(match kind {
        ResourceKind::Network => return None,
        ResourceKind::Database if parsed.access == Access::Public => {
            let world = parsed.ingress.iter().any(|c| c.is_world());
            let (reach, summary) = if world {
                (Reach::Internet, "public endpoint open to the whole internet (0.0.0.0/0), TLS enforced".to_owned())
            } else if ingress.is_empty() {
                (Reach::Limited, "public endpoint with no allowed range yet: no outside client can connect".to_owned())
            } else {
                (Reach::Limited, format!("public endpoint, only from {}, TLS enforced", ingress.join(", ")))
            };
            Exposure { reach, access: "public", ingress, summary }
        }
        ResourceKind::Database => private("private: reachable from its network only"),
        ResourceKind::LoadBalancer => match provider {
            Provider::Gcp => Exposure {
                reach: Reach::Internet,
                access: "public",
                ingress: vec!["0.0.0.0/0".into()],
                summary: "internet-facing: a global external load balancer, HTTP on port 80 from anywhere".into(),
            },
            Provider::Aws | Provider::Azure => private("internal: HTTP on port 80 from its network only"),
        },
        ResourceKind::Vm => private("private: no public IP address"),
        ResourceKind::K8s => private("private nodes; the control plane admits only the authorised networks"),
        ResourceKind::Storage => private("private: public access blocked"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_database_open_to_the_world_is_internet_reachable_and_a_narrow_one_limited() {
        let world = exposure_of(
            Provider::Gcp,
            ResourceKind::Database,
            &opts(&[("access", "public"), ("ingress", "0.0.0.0/0")]),
        );
        assert_eq!(world.unwrap().reach, Reach::Internet);
        let narrow = exposure_of(
            Provider::Azure,
            ResourceKind::Database,
            &opts(&[("access", "public"), ("ingress", "203.0.113.0/24")]),
        )
        .unwrap();
        assert_eq!(
            (narrow.reach, narrow.ingress.as_slice()),
            (Reach::Limited, ["203.0.113.0/24".to_owned()].as_slice())
        );
        assert_eq!(exposure_of(Provider::Aws, ResourceKind::Database, &opts(&[])).unwrap().reach, Reach::Private);
    }

    #[test]
    fn load_balancers_say_where_they_face() {
        assert_eq!(exposure_of(Provider::Gcp, ResourceKind::LoadBalancer, &opts(&[])).unwrap().reach, Reach::Internet);
        for provider in [Provider::Aws, Provider::Azure] {
            let lb = exposure_of(provider, ResourceKind::LoadBalancer, &opts(&[])).unwrap();
            assert_eq!(lb.reach, Reach::Private, "{provider}");
            assert!(lb.summary.starts_with("internal"), "{provider}");
        }
        assert!(exposure_of(Provider::Gcp, ResourceKind::Network, &opts(&[])).is_none());
    }
}
