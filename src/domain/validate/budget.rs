//! Monthly budgets: the member's (`budget_limit` of the grant) and the project's.

use super::Facts;
use super::verdict::Findings;
use crate::domain::Money;

/// Share of a budget (in percent) above which a warning is given.
const WARN_PERCENT: i128 = 80;

/// What already runs plus this request, per month, must stay within each budget that is set.
pub(super) fn check(facts: &Facts<'_>, out: &mut Findings) {
    // An unpriced request is already refused for its region or size; a stand-in price would mislead.
    let Some(hourly) = facts.hourly() else { return };
    let input = &facts.input;
    if let Some(limit) = input.actor.effective_permissions().and_then(|p| p.budget_limit) {
        against(out, "budget.user", "your monthly budget", input.user_hourly_spend, Money::ZERO, hourly, limit);
    }
    if let Some(limit) = input.project.monthly_budget {
        let what = format!("the monthly budget of project {}", super::shown(&input.project.project_id));
        let project = &input.project;
        against(out, "budget.project", &what, project.current_hourly_spend, project.reserved_monthly, hourly, limit);
    }
}

/// What runs (`current_hourly`) plus what open lobbies hold (`held_monthly`) plus this request must
/// stay within `limit` per month.
fn against(
    out: &mut Findings,
    rule: &str,
    what: &str,
    current_hourly: Money,
    held_monthly: Money,
    request_hourly: Money,
    limit: Money,
) {
    let current = current_hourly.monthly_from_hourly();
    let after = Money::from_micros(
        Money::from_micros(current_hourly.micros().saturating_add(request_hourly.micros()))
            .monthly_from_hourly()
            .micros()
            .saturating_add(held_monthly.micros()),
    );
    if after > limit {
        let held = if held_monthly > Money::ZERO {
            format!(" and {held_monthly} held by other open lobbies")
        } else {
            String::new()
        };
        out.deny(
            rule,
            format!(
                "This request adds {}/month; with {} already running{held} that is {after}, over {what} of {limit}",
                request_hourly.monthly_from_hourly(),
                current
            ),
        );
    } else if i128::from(after.micros()) * 100 > i128::from(limit.micros()) * WARN_PERCENT {
        out.warn(format!("{after} of {what} of {limit} is committed after this request"));
    }
}
