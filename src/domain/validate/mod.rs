//! The validator (the original design's `InfrastructurePolicyValidator`): a pure function from a deploy
//! request and everything it is judged against to a [`Verdict`].
//!
//! Every rule runs, so a member sees every problem of a request at once; the outcome is the worst effect.
//! Rules run in this order, which is the order of [`Verdict::violations`]:
//!
//! 1. the request's shape (`request.*`): count, node count, name, provider, region and size in the catalogue;
//! 2. the member's grant (`permission.*`): role, per-kind flag, VM size, allowed regions;
//! 3. the project's quota rows (`quota.<type>`);
//! 4. the member's and the project's monthly budgets (`budget.user`, `budget.project`);
//! 5. the guild's policies (`policy.<type>`), by priority (lower first), then id.
//!
//! No database, no clock, no I/O: the same input always gives the same verdict, so a lobby can re-validate
//! on approval and the history can record exactly what was decided.

mod budget;
mod input;
mod pattern;
mod permission;
mod plan;
mod policy;
mod quota;
mod request;
pub mod suggest;
mod verdict;

pub use input::{
    DeployRequest, MAX_COUNT, MAX_K8S_NODES, MIN_COUNT, Policy, ProjectContext, QuotaState, ValidationInput,
};
pub use pattern::{PatternTarget, ResourcePattern, glob_match};
pub use permission::{Member, Permissions};
pub use plan::{PlanInput, consumption_of, validate_plan};
pub use verdict::{Effect, ItemCost, Outcome, QuotaLine, Verdict, Violation};

use crate::domain::catalog::Quote;
use crate::domain::{Money, QuotaType, SizeClass};
use verdict::Findings;

#[cfg(test)]
mod tests;

/// Validates one deploy request; never panics, whatever the input.
pub fn validate(input: &ValidationInput<'_>) -> Verdict {
    let mut out = Findings::default();
    let (count, nodes) = request::check_counts(input, &mut out);
    request::check_identity(input, &mut out);
    let sizing = request::size(input, count, nodes, &mut out);
    let facts = Facts { input: *input, sizing };

    permission::check(&facts, &mut out);
    let quota = quota::check(&facts, &mut out);
    budget::check(&facts, &mut out);
    policy::check(&facts, &mut out);
    let egress = input.request.egress_hourly;
    if egress > Money::ZERO {
        out.warn(format!(
            "{} is the first machine on its network in {}: the Terraform adds a NAT gateway for its outbound \
             traffic, {}/h ({}/month, data processing extra), included in the cost",
            shown(&input.request.name),
            shown(&input.request.region),
            egress.rate(),
            egress.monthly_from_hourly().cents()
        ));
    }

    let hourly = facts.hourly().unwrap_or(Money::ZERO);
    Verdict {
        outcome: out.outcome(),
        violations: out.violations,
        quota,
        size_name: facts.size_name().map(str::to_owned),
        unit_hourly: facts.unit_hourly().unwrap_or(Money::ZERO),
        hourly,
        monthly: hourly.monthly_from_hourly(),
        warnings: out.warnings,
        hourly_before: None,
        items: Vec::new(),
    }
}

/// What the catalogue made of the request.
#[derive(Debug)]
struct Sizing {
    /// The quote; for an unknown region or size, a stand-in priced with the provider's defaults.
    quote: Option<Quote>,
    /// The size (and so the size class and quota amounts) is the one requested.
    size_known: bool,
    /// The price is the request's own (region and size both known).
    priced: bool,
}

/// The request and what was derived from it, shared by the checks.
struct Facts<'a> {
    input: ValidationInput<'a>,
    sizing: Sizing,
}

impl Facts<'_> {
    fn known_quote(&self) -> Option<&Quote> {
        self.sizing.quote.as_ref().filter(|_| self.sizing.size_known)
    }

    fn size_class(&self) -> Option<SizeClass> {
        self.known_quote().and_then(|q| q.size_class)
    }

    fn size_name(&self) -> Option<&str> {
        self.known_quote().and_then(|q| q.size_name.as_deref())
    }

    fn unit_hourly(&self) -> Option<Money> {
        self.sizing.quote.as_ref().filter(|_| self.sizing.priced).map(|q| q.unit_hourly)
    }

    /// All units, and the NAT gateway the request brings to its network.
    fn hourly(&self) -> Option<Money> {
        let egress = self.input.request.egress_hourly;
        self.sizing
            .quote
            .as_ref()
            .filter(|_| self.sizing.priced)
            .map(|q| Money::from_micros(q.total_hourly.micros().saturating_add(egress.micros())))
    }

    /// Quota consumed by all units, when the size is known.
    fn consumption(&self) -> &[(QuotaType, i64)] {
        self.known_quote().map(|q| q.consumption.as_slice()).unwrap_or_default()
    }

    /// The quota types consumed, known even when the size is not (the stand-in consumes the same types).
    fn consumed_types(&self) -> Vec<QuotaType> {
        let lines = self.sizing.quote.as_ref().map(|q| q.consumption.as_slice()).unwrap_or_default();
        lines.iter().filter(|(_, n)| *n > 0).map(|(q, _)| *q).collect()
    }
}

/// A user-supplied string as echoed in a message: at most 64 characters, so it cannot flood a lobby.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}
