//! The guild's policies: each applies to the requests its resource pattern matches, in priority order.
//!
//! A policy that cannot be evaluated (a bad pattern, a missing limit) counts as violated, with its own
//! effect: a broken guard must not silently let everything through. [`Policy::check`] lets `/cloud-policy add`
//! refuse such a policy before it is stored.

use super::input::Policy;
use super::pattern::{PatternTarget, ResourcePattern, glob_match};
use super::verdict::Findings;
use super::{Facts, shown};
use crate::domain::{Money, PolicyKind, Role};

impl Policy {
    /// Checks that the policy can be evaluated; the error says what to fix.
    pub fn check(&self) -> Result<(), String> {
        compile(self).map(|_| ())
    }
}

/// Evaluates every policy whose pattern matches, lower priority first, ties by id.
pub(super) fn check(facts: &Facts<'_>, out: &mut Findings) {
    for (policy, compiled) in covering(facts) {
        match compiled {
            Ok(compiled) => {
                if let Some(problem) = compiled.rule.violation(facts) {
                    out.policy(policy, format!("{problem} (policy '{}')", shown(&policy.name)));
                }
            }
            Err(reason) => out.policy(
                policy,
                format!(
                    "Policy '{}' cannot be evaluated: {reason}; a CloudAdmin must fix or remove it",
                    shown(&policy.name)
                ),
            ),
        }
    }
}

/// For removing or resizing an existing resource: every policy whose pattern covers it, by priority.
/// A permission policy decides as for a deploy; any other policy only protects: one with
/// `require_approval` that would flag the resource as it stands (its cost above the limit, its
/// region or an option denied) makes removing or resizing it need a CloudAdmin's approval. A policy
/// without `require_approval` never blocks a removal: taking away what breaks a rule is welcome.
pub(super) fn check_removal(facts: &Facts<'_>, out: &mut Findings) {
    let request = facts.input.request;
    for (policy, compiled) in covering(facts) {
        // One that cannot be evaluated is reported by the deploy check; a removal passes it by.
        let Ok(compiled) = compiled else { continue };
        match &compiled.rule {
            Rule::Permission { .. } => {
                if let Some(problem) = compiled.rule.violation(facts) {
                    out.policy(policy, format!("{problem} (policy '{}')", shown(&policy.name)));
                }
            }
            // A policy that would flag the resource as it stands protects it when it asks for approval.
            _ if policy.require_approval => {
                if let Some(problem) = compiled.rule.violation(facts) {
                    out.policy(
                        policy,
                        format!(
                            "Policy '{}' flags this {} ({problem}): changing it needs a CloudAdmin's approval",
                            shown(&policy.name),
                            request.kind.display_name()
                        ),
                    );
                }
            }
            _ => {}
        }
    }
}

/// The policies whose pattern covers the request, lower priority first, ties by id, each compiled
/// (a policy that cannot be compiled is kept, with the reason, since no pattern says it does not
/// apply).
fn covering<'p>(facts: &Facts<'p>) -> Vec<(&'p Policy, Result<Compiled, String>)> {
    let request = facts.input.request;
    let consumes = facts.consumed_types();
    let target = PatternTarget {
        kind: request.kind,
        name: &request.name,
        consumes: &consumes,
        provider: facts.input.project.provider,
    };
    let mut policies: Vec<&Policy> = facts.input.policies.iter().collect();
    policies.sort_by_key(|p| (p.priority, p.id));
    policies
        .into_iter()
        .map(|policy| (policy, compile(policy)))
        .filter(|(_, compiled)| compiled.as_ref().map_or(true, |c| c.pattern.matches(&target)))
        .collect()
}

/// A policy parsed into what it checks.
struct Compiled {
    pattern: ResourcePattern,
    rule: Rule,
}

enum Rule {
    Permission { allowed: Vec<Principal>, denied: Vec<Principal> },
    Quota { max_units: u32 },
    Region { allowed: Vec<String>, denied: Vec<String> },
    Cost { max: Money },
    Security { denied: Vec<DeniedOption> },
}

/// Who a permission policy names: a role, or one member.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Principal {
    Role(Role),
    User(u64),
}

/// A security policy's denied entry: any option's value, or one option's value (`access=public`).
enum DeniedOption {
    Value(String),
    Pair(String, String),
}

fn compile(policy: &Policy) -> Result<Compiled, String> {
    let pattern: ResourcePattern = policy.resource_pattern.parse().map_err(|e| format!("{e}"))?;
    let allowed = cleaned(&policy.allowed_values);
    let denied = cleaned(&policy.denied_values);
    let rule = match policy.policy_type {
        PolicyKind::Permission => {
            if allowed.is_empty() && denied.is_empty() {
                return Err(
                    "a permission policy needs allowed_values (roles) or denied_values (roles or user ids)".into()
                );
            }
            Rule::Permission { allowed: principals(&allowed)?, denied: principals(&denied)? }
        }
        PolicyKind::Quota => match allowed.as_slice() {
            [n] => Rule::Quota {
                max_units: n
                    .parse()
                    .map_err(|_| format!("allowed_values `{}` is not a whole number of units", shown(n)))?,
            },
            _ => return Err("a quota policy needs exactly one allowed_values entry: the most units per request".into()),
        },
        PolicyKind::Region => {
            if allowed.is_empty() && denied.is_empty() {
                return Err("a region policy needs allowed_values or denied_values".into());
            }
            Rule::Region { allowed, denied }
        }
        PolicyKind::Cost => match policy.max_cost_per_hour {
            Some(max) if max >= Money::ZERO => Rule::Cost { max },
            Some(_) => return Err("max_cost_per_hour must not be negative".into()),
            None => return Err("a cost policy needs max_cost_per_hour".into()),
        },
        PolicyKind::Security => {
            if denied.is_empty() {
                return Err("a security policy needs denied_values (such as public, 0.0.0.0/0)".into());
            }
            let denied = denied
                .into_iter()
                .map(|d| match d.split_once('=') {
                    Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                        DeniedOption::Pair(k.trim().to_owned(), v.trim().to_owned())
                    }
                    _ => DeniedOption::Value(d),
                })
                .collect();
            Rule::Security { denied }
        }
    };
    Ok(Compiled { pattern, rule })
}

/// Trimmed, non-empty values: stored lists come from comma-separated input and may hold blanks.
fn cleaned(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

fn principals(values: &[String]) -> Result<Vec<Principal>, String> {
    values
        .iter()
        .map(|v| {
            Role::parse_loose(v).map(Principal::Role).or_else(|_| v.parse().map(Principal::User)).map_err(|_| {
                format!("`{}` is neither a role (CloudViewer, CloudUser, CloudAdmin) nor a user id", shown(v))
            })
        })
        .collect()
}

impl Rule {
    /// What is wrong with the request under this rule, if anything.
    fn violation(&self, facts: &Facts<'_>) -> Option<String> {
        let request = facts.input.request;
        match self {
            Rule::Permission { allowed, denied } => {
                let actor = facts.input.actor;
                let role = actor.role();
                let is = |p: &Principal| match *p {
                    Principal::Role(r) => role == Some(r),
                    Principal::User(u) => u == actor.user_id,
                };
                if let Some(hit) = denied.iter().find(|p| is(p)) {
                    return Some(match hit {
                        Principal::Role(r) => format!("Role {r} may not deploy a {}", request.kind.display_name()),
                        Principal::User(u) => format!("User {u} may not deploy a {}", request.kind.display_name()),
                    });
                }
                (!allowed.is_empty() && !allowed.iter().any(is)).then(|| {
                    let names: Vec<String> = allowed
                        .iter()
                        .map(|p| match p {
                            Principal::Role(r) => r.to_string(),
                            Principal::User(u) => format!("user {u}"),
                        })
                        .collect();
                    format!("Only {} may deploy a {}", names.join(", "), request.kind.display_name())
                })
            }
            Rule::Quota { max_units } => (request.count > *max_units)
                .then(|| format!("{} units requested, at most {max_units} allowed per request", request.count)),
            Rule::Region { allowed, denied } => {
                let region = request.region.trim();
                if denied.iter().any(|d| glob_match(d, region)) {
                    Some(format!("Region {} is denied", shown(region)))
                } else if !allowed.is_empty() && !allowed.iter().any(|a| glob_match(a, region)) {
                    Some(format!("Region {} is not allowed (allowed: {})", shown(region), allowed.join(", ")))
                } else {
                    None
                }
            }
            Rule::Cost { max } => {
                // Unpriced requests are already refused for their region or size.
                let unit = facts.unit_hourly()?;
                (unit > *max)
                    .then(|| format!("{} per unit per hour exceeds the {}/hour allowed", unit.rate(), max.rate()))
            }
            Rule::Security { denied } => {
                let hits: Vec<String> = request
                    .options
                    .iter()
                    .filter(|(key, value)| option_pieces(value).any(|piece| denied.iter().any(|d| d.hits(key, piece))))
                    .map(|(key, value)| format!("{}={}", shown(key), shown(value)))
                    .collect();
                (!hits.is_empty()).then(|| format!("Denied option {}", hits.join(", ")))
            }
        }
    }
}

/// An option's value whole, and each of its comma- or space-separated parts (`"10.0.0.0/8, 0.0.0.0/0"`).
fn option_pieces(value: &str) -> impl Iterator<Item = &str> {
    std::iter::once(value.trim())
        .chain(value.split(|c: char| c == ',' || c.is_whitespace()).map(str::trim))
        .filter(|p| !p.is_empty())
}

impl DeniedOption {
    fn hits(&self, key: &str, piece: &str) -> bool {
        match self {
            DeniedOption::Value(v) => v.eq_ignore_ascii_case(piece),
            DeniedOption::Pair(k, v) => k.eq_ignore_ascii_case(key.trim()) && v.eq_ignore_ascii_case(piece),
        }
    }
}
