//! The project's quota rows: every row a consumption line falls under must have room for it.

use super::verdict::{Findings, QuotaLine};
use super::{Facts, shown};
use crate::domain::quota::ANY_REGION;

/// Share of a limit (in percent) above which a warning is given.
const WARN_PERCENT: i128 = 80;

/// Checks `used + reserved + requested <= limit` for each row that applies (the project-wide `*` row and the
/// request's region row), and returns those rows as quota lines.
pub(super) fn check(facts: &Facts<'_>, out: &mut Findings) -> Vec<QuotaLine> {
    let region = facts.input.request.region.as_str();
    let mut lines = Vec::new();
    for &(quota_type, requested) in facts.consumption() {
        let rows: Vec<_> = facts
            .input
            .quotas
            .iter()
            .filter(|row| row.quota_type == quota_type && (row.region == ANY_REGION || row.region == region))
            .collect();
        if rows.is_empty() {
            // A project created before a quota type existed has no row for it; refusing would block work that
            // nobody decided to limit.
            out.warn(format!("No {quota_type} quota is set for this project; {requested} requested is not limited"));
            continue;
        }
        for row in rows {
            let line = QuotaLine {
                quota_type,
                region: row.region.clone(),
                used: row.used,
                reserved: row.reserved,
                requested,
                limit: row.limit,
            };
            let place = place(&line);
            if !line.fits() {
                out.deny(format!("quota.{quota_type}"), shortfall(&line));
            } else if i128::from(line.after()) * 100 > i128::from(line.limit) * WARN_PERCENT {
                out.warn(format!(
                    "{quota_type}{place} will be at {} of {} after this request",
                    line.after(),
                    line.limit
                ));
            }
            lines.push(line);
        }
    }
    lines
}

/// " in <region>" for a regional row, nothing for the project-wide one.
fn place(line: &QuotaLine) -> String {
    if line.region == ANY_REGION { String::new() } else { format!(" in {}", shown(&line.region)) }
}

/// Why `line` does not fit, in the line's own figures (a resize states them with the resource's
/// current consumption counted as used and only the difference requested).
pub(super) fn shortfall(line: &QuotaLine) -> String {
    format!(
        "Project has {} {} available{} ({} used + {} reserved of {}), {} requested",
        line.available(),
        line.quota_type,
        place(line),
        line.used,
        line.reserved,
        line.limit,
        line.requested
    )
}
