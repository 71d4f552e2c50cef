//! What the validator answers: the outcome, every violation with the rule that produced it, quota figures,
//! cost and warnings. Stored with the lobby and the history, and rendered the same way by every front end.

use serde::{Deserialize, Serialize};

use super::input::Policy;
use crate::domain::{Money, QuotaType};

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing was violated: the requester (or a CloudAdmin) may approve.
    Allowed,
    /// Only approval-requiring policies were violated: a CloudAdmin other than the requester must approve.
    NeedsApproval,
    /// At least one rule refuses the request.
    Denied,
}

/// What one violation does to the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Refuses the request.
    Deny,
    /// Lets the request through only with a CloudAdmin's approval.
    RequireApproval,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Rule id: `request.count`, `permission.can_create_vm`, `quota.compute.instances`, `policy.region`, ...
    pub rule: String,
    /// The policy that produced it, for `policy.*` rules.
    pub policy_id: Option<i64>,
    /// That policy's name.
    pub policy_name: Option<String>,
    /// What is wrong, for the member.
    pub message: String,
    /// Refusal or approval.
    pub effect: Effect,
}

/// One quota row the request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaLine {
    /// What is counted.
    pub quota_type: QuotaType,
    /// `*` or the request's region.
    pub region: String,
    /// Consumed before this request.
    pub used: i64,
    /// Reserved by other open lobbies before this request.
    pub reserved: i64,
    /// What this request needs (all `count` units).
    pub requested: i64,
    /// The limit.
    pub limit: i64,
}

impl QuotaLine {
    /// What is left before this request (`limit - used - reserved`, never below zero).
    pub fn available(&self) -> i64 {
        clamp_i64(i128::from(self.limit) - i128::from(self.used) - i128::from(self.reserved)).max(0)
    }

    /// `used + reserved + requested` once this request is granted.
    pub fn after(&self) -> i64 {
        clamp_i64(i128::from(self.used) + i128::from(self.reserved) + i128::from(self.requested))
    }

    /// Whether this request fits in what is left.
    pub fn fits(&self) -> bool {
        i128::from(self.used) + i128::from(self.reserved) + i128::from(self.requested) <= i128::from(self.limit)
    }
}

/// The validator's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The worst effect among the violations.
    pub outcome: Outcome,
    /// Every violation, in the order the rules ran (built-in rules, then policies by priority and id).
    pub violations: Vec<Violation>,
    /// The quota rows the request counts against, figures before the request.
    pub quota: Vec<QuotaLine>,
    /// Machine type, tier or node type priced (the catalogue default when the request named none).
    pub size_name: Option<String>,
    /// Hourly price of one unit; zero when the request could not be priced (a `request.*` violation says why).
    pub unit_hourly: Money,
    /// Hourly price of all units.
    pub hourly: Money,
    /// Monthly price of all units (730 hours).
    pub monthly: Money,
    /// Things worth knowing that do not block (quota or budget nearly used, unlimited quota types, ...).
    pub warnings: Vec<String>,
    /// What the resource costs per hour before the change (a destroy or a resize; `None` for new
    /// resources). `hourly` is then what it costs after.
    #[serde(default)]
    pub hourly_before: Option<Money>,
    /// Each resource of a stack with its price (empty for a single resource).
    #[serde(default)]
    pub items: Vec<ItemCost>,
}

/// One resource of a stack lobby and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCost {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: crate::domain::ResourceKind,
    /// Machine type, tier or node type priced.
    pub size: Option<String>,
    /// Hourly price.
    pub hourly: Money,
}

impl Verdict {
    /// Whether the lobby may be approved by the requester.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }

    /// One line for a lobby title or a console reply, naming the first decisive problem.
    pub fn summary(&self) -> String {
        let decisive = match self.outcome {
            Outcome::Allowed => return "✅ Validation passed - Ready to deploy".to_owned(),
            Outcome::NeedsApproval => Effect::RequireApproval,
            Outcome::Denied => Effect::Deny,
        };
        let Some(first) = self.violations.iter().find(|v| v.effect == decisive) else {
            // Only reachable for a hand-built verdict; say something true rather than nothing.
            return "⛔ Validation failed".to_owned();
        };
        let headline = match decisive {
            Effect::RequireApproval => "⚠️ APPROVAL REQUIRED",
            Effect::Deny => match first.rule.split('.').next().unwrap_or_default() {
                "permission" => "⛔ PERMISSION DENIED",
                "quota" => "⛔ QUOTA EXCEEDED",
                "budget" => "⛔ BUDGET EXCEEDED",
                "request" => "⛔ INVALID REQUEST",
                _ => "⛔ POLICY VIOLATION",
            },
        };
        let others = self.violations.len() - 1;
        let more = if others == 0 { String::new() } else { format!(" (+{others} more)") };
        format!("{headline}: {}{more}", first.message)
    }
}

/// Collects violations and warnings while the checks run, then decides the outcome.
#[derive(Debug, Default)]
pub(super) struct Findings {
    pub violations: Vec<Violation>,
    pub warnings: Vec<String>,
}

impl Findings {
    /// Records a built-in rule's refusal.
    pub fn deny(&mut self, rule: impl Into<String>, message: impl Into<String>) {
        self.violations.push(Violation {
            rule: rule.into(),
            policy_id: None,
            policy_name: None,
            message: message.into(),
            effect: Effect::Deny,
        });
    }

    /// Records a policy's violation, with the effect the policy asks for.
    pub fn policy(&mut self, policy: &Policy, message: impl Into<String>) {
        self.violations.push(Violation {
            rule: format!("policy.{}", policy.policy_type),
            policy_id: Some(policy.id),
            policy_name: Some(policy.name.clone()),
            message: message.into(),
            effect: if policy.require_approval { Effect::RequireApproval } else { Effect::Deny },
        });
    }

    /// Records something worth knowing that does not block.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// The worst effect wins: one refusal denies, otherwise one approval-requiring violation asks for approval.
    pub fn outcome(&self) -> Outcome {
        if self.violations.iter().any(|v| v.effect == Effect::Deny) {
            Outcome::Denied
        } else if self.violations.is_empty() {
            Outcome::Allowed
        } else {
            Outcome::NeedsApproval
        }
    }
}

/// Narrows a wide intermediate to `i64`, saturating; quota figures come from the database and may be anything.
pub(super) fn clamp_i64(n: i128) -> i64 {
    i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}
