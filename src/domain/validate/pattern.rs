//! Resource patterns: which requests a policy applies to.
//!
//! | pattern | matches |
//! | --- | --- |
//! | `*` | every request |
//! | `type:vm`, `type:database`, ... | requests of that resource kind |
//! | `type:compute.instances` | requests that consume that quota type (a VM, or a cluster's nodes) |
//! | `type:compute` or `type:compute.*` | requests that consume any `compute.*` quota type |
//! | `name:web-*` | requests whose resource name matches the glob (`*` is any run of characters) |
//! | `provider:azure` | requests for that provider's projects (`gcp`, `aws`, `azure`) |
//!
//! A kind wins over a quota family of the same name: `type:network` is network requests only, while
//! `type:network.*` also covers load balancers (`network.load_balancers`). Matching ignores ASCII case.

use std::fmt;
use std::str::FromStr;

use crate::domain::{ParseError, Provider, QuotaType, ResourceKind};

const EXPECTED: &str = "`*`, `type:<kind>` (vm, database, k8s, storage, network, load_balancer), \
                        `type:<quota type>` (compute.instances, ...), `type:compute`, `name:<glob>` \
                        or `provider:<gcp|aws|azure>`";

/// A parsed `resource_pattern`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourcePattern {
    /// `*`.
    Any,
    /// `type:<kind>`.
    Kind(ResourceKind),
    /// `type:<quota type>`.
    Quota(QuotaType),
    /// `type:<family>` or `type:<family>.*`: any quota type named `<family>.<something>`.
    QuotaFamily(String),
    /// `name:<glob>`.
    Name(String),
    /// `provider:<provider>`.
    Provider(Provider),
}

/// What a pattern is matched against.
#[derive(Debug, Clone, Copy)]
pub struct PatternTarget<'a> {
    /// Kind of the request.
    pub kind: ResourceKind,
    /// Resource name of the request.
    pub name: &'a str,
    /// Quota types the request consumes (a positive amount of).
    pub consumes: &'a [QuotaType],
    /// The project's provider.
    pub provider: Provider,
}

impl ResourcePattern {
    /// Whether a request falls under this pattern.
    pub fn matches(&self, target: &PatternTarget<'_>) -> bool {
        match self {
            ResourcePattern::Any => true,
            ResourcePattern::Kind(kind) => *kind == target.kind,
            ResourcePattern::Quota(quota) => target.consumes.contains(quota),
            ResourcePattern::QuotaFamily(family) => target.consumes.iter().any(|q| in_family(*q, family)),
            ResourcePattern::Name(glob) => glob_match(glob, target.name),
            ResourcePattern::Provider(provider) => *provider == target.provider,
        }
    }
}

impl FromStr for ResourcePattern {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        let err = || ParseError::new("resource pattern", s, EXPECTED);
        let text = s.trim();
        if text == "*" {
            return Ok(ResourcePattern::Any);
        }
        let (prefix, rest) = text.split_once(':').ok_or_else(err)?;
        let rest = rest.trim();
        match prefix.trim().to_ascii_lowercase().as_str() {
            "name" if !rest.is_empty() => Ok(ResourcePattern::Name(rest.to_owned())),
            "provider" => {
                rest.to_ascii_lowercase().parse::<Provider>().map(ResourcePattern::Provider).map_err(|_| err())
            }
            "type" => {
                if let Ok(kind) = rest.parse::<ResourceKind>() {
                    return Ok(ResourcePattern::Kind(kind));
                }
                if let Ok(quota) = rest.parse::<QuotaType>() {
                    return Ok(ResourcePattern::Quota(quota));
                }
                let family = rest.strip_suffix(".*").unwrap_or(rest).to_ascii_lowercase();
                // Only a family some quota type belongs to, so a typo is refused rather than matching nothing.
                if QuotaType::ALL.iter().any(|q| in_family(*q, &family)) {
                    Ok(ResourcePattern::QuotaFamily(family))
                } else {
                    Err(err())
                }
            }
            _ => Err(err()),
        }
    }
}

impl fmt::Display for ResourcePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourcePattern::Any => f.write_str("*"),
            ResourcePattern::Kind(kind) => write!(f, "type:{kind}"),
            ResourcePattern::Quota(quota) => write!(f, "type:{quota}"),
            ResourcePattern::QuotaFamily(family) => write!(f, "type:{family}.*"),
            ResourcePattern::Name(glob) => write!(f, "name:{glob}"),
            ResourcePattern::Provider(provider) => write!(f, "provider:{provider}"),
        }
    }
}

fn in_family(quota: QuotaType, family: &str) -> bool {
    quota.as_str().strip_prefix(family).is_some_and(|rest| rest.starts_with('.'))
}

/// Matches `text` against a glob where `*` is any run of characters, ignoring ASCII case.
///
/// Greedy with one backtrack point, so the cost stays `O(len(glob) * len(text))` whatever the input.
pub fn glob_match(glob: &str, text: &str) -> bool {
    let glob: Vec<char> = glob.chars().map(|c| c.to_ascii_lowercase()).collect();
    let text: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut g, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if g < glob.len() && glob[g] == '*' {
            star = Some((g, t));
            g += 1;
        } else if g < glob.len() && glob[g] == text[t] {
            g += 1;
            t += 1;
        } else if let Some((star_g, star_t)) = star {
            // Let the last `*` swallow one more character and retry from there.
            g = star_g + 1;
            t = star_t + 1;
            star = Some((star_g, star_t + 1));
        } else {
            return false;
        }
    }
    glob[g..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target<'a>(kind: ResourceKind, name: &'a str, consumes: &'a [QuotaType]) -> PatternTarget<'a> {
        PatternTarget { kind, name, consumes, provider: Provider::Gcp }
    }

    #[test]
    fn pattern_table() {
        use QuotaType::*;
        use ResourceKind::*;
        let vm: &[QuotaType] = &[ComputeInstances, ComputeCpus, ComputeRamGb];
        let k8s: &[QuotaType] = &[KubernetesClusters, ComputeInstances, ComputeCpus, ComputeRamGb];
        let db: &[QuotaType] = &[DatabaseInstances];
        let lb: &[QuotaType] = &[NetworkLoadBalancers];
        let cases: &[(&str, PatternTarget<'_>, bool)] = &[
            ("*", target(Vm, "web-1", vm), true),
            ("*", target(Storage, "b", &[StorageBuckets]), true),
            ("type:vm", target(Vm, "web-1", vm), true),
            ("type:vm", target(K8s, "c", k8s), false),
            ("type:database", target(Database, "db", db), true),
            ("type:database", target(Vm, "db", vm), false),
            ("TYPE:Database", target(Database, "db", db), true),
            ("type:compute.instances", target(Vm, "web-1", vm), true),
            ("type:compute.instances", target(K8s, "c", k8s), true),
            ("type:compute.instances", target(Database, "db", db), false),
            ("type:compute", target(Vm, "web-1", vm), true),
            ("type:compute.*", target(K8s, "c", k8s), true),
            ("type:compute", target(Storage, "b", &[StorageBuckets]), false),
            ("type:network", target(LoadBalancer, "lb", lb), false),
            ("type:network.*", target(LoadBalancer, "lb", lb), true),
            ("type:kubernetes", target(K8s, "c", k8s), true),
            ("name:web-*", target(Vm, "web-server-01", vm), true),
            ("name:web-*", target(Vm, "api-web-01", vm), false),
            ("name:*-prod", target(Database, "orders-PROD", db), true),
            ("name:exact", target(Vm, "exact", vm), true),
            ("name:exact", target(Vm, "exactly", vm), false),
            ("provider:gcp", target(Vm, "web-1", vm), true),
            ("provider:GCP", target(Database, "db", db), true),
            ("provider:azure", target(Vm, "web-1", vm), false),
        ];
        for (pattern, t, expected) in cases {
            let parsed: ResourcePattern = pattern.parse().unwrap_or_else(|e| panic!("{pattern}: {e}"));
            assert_eq!(parsed.matches(t), *expected, "{pattern} against {:?} {}", t.kind, t.name);
        }
    }

    #[test]
    fn bad_patterns_are_refused_with_the_valid_forms() {
        for bad in [
            "",
            "vm",
            "type:",
            "type:databse",
            "type:comp",
            "name:",
            "kind:vm",
            "type:compute.cpu",
            "provider:ibm",
            "provider:",
        ] {
            let err = bad.parse::<ResourcePattern>().expect_err(bad);
            assert!(err.to_string().contains("type:<kind>"), "{bad}: {err}");
        }
    }

    #[test]
    fn patterns_print_canonically() {
        for (text, canonical) in [
            ("*", "*"),
            ("type:VM", "type:vm"),
            ("type:compute", "type:compute.*"),
            ("name:a*", "name:a*"),
            ("provider:Azure", "provider:azure"),
        ] {
            assert_eq!(text.parse::<ResourcePattern>().unwrap().to_string(), canonical);
        }
    }

    #[test]
    fn glob_handles_stars_anywhere_and_backtracks() {
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYbZc"));
        assert!(!glob_match("a*b*c", "aXXbYYbZ"));
        assert!(glob_match("**x", "yyx"));
        assert!(!glob_match("", "x"));
        assert!(glob_match("us-*1", "us-central1"));
        // Pathological input finishes quickly (quadratic at worst, not exponential).
        let text = "a".repeat(2000);
        assert!(!glob_match(&format!("{}b", "*a".repeat(50)), &text));
    }
}
