//! Lists as CSV (RFC 4180), for the attachment Discord sends beside a long list: every item, not
//! one page. A text cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR
//! first) is prefixed with `'`, so a resource or policy name cannot run in the reader's spreadsheet.

use super::Reply;

/// The reply's file name and CSV text, when it is a list.
pub fn of(reply: &Reply) -> Option<(String, String)> {
    let (name, header, rows): (String, &[&str], Vec<Vec<String>>) = match reply {
        Reply::Resources { project_id, resources } => (
            format!("resources-{}.csv", file_part(project_id)),
            &["resource_type", "name", "region", "size", "hourly_usd", "monthly_usd", "created_by"],
            resources
                .iter()
                .map(|r| {
                    vec![
                        text(&r.resource_type),
                        text(&r.name),
                        text(&r.region),
                        text(r.size.as_deref().unwrap_or("")),
                        usd(r.hourly),
                        usd(r.hourly.monthly_from_hourly()),
                        r.created_by.to_string(),
                    ]
                })
                .collect(),
        ),
        Reply::Quota { project_id, lines } => (
            format!("quota-{}.csv", file_part(project_id)),
            &["quota_type", "region", "used", "reserved", "limit", "available"],
            lines
                .iter()
                .map(|q| {
                    vec![
                        text(&q.quota_type),
                        text(&q.region),
                        q.used.to_string(),
                        q.reserved.to_string(),
                        q.limit.to_string(),
                        q.available.to_string(),
                    ]
                })
                .collect(),
        ),
        Reply::Projects { projects } => (
            "projects.csv".to_owned(),
            &["id", "name", "provider", "default_region", "owner_user_id", "monthly_budget_usd"],
            projects
                .iter()
                .map(|p| {
                    vec![
                        text(&p.id),
                        text(&p.name),
                        text(&p.provider),
                        text(&p.default_region),
                        p.owner_user_id.to_string(),
                        p.monthly_budget.map(usd).unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        Reply::Policies { policies } => (
            "policies.csv".to_owned(),
            &[
                "id",
                "name",
                "policy_type",
                "resource_pattern",
                "priority",
                "allowed_values",
                "denied_values",
                "max_cost_per_hour_usd",
                "require_approval",
            ],
            policies
                .iter()
                .map(|p| {
                    vec![
                        p.id.to_string(),
                        text(&p.name),
                        text(&p.policy_type),
                        text(&p.resource_pattern),
                        p.priority.to_string(),
                        text(&p.allowed_values.join(";")),
                        text(&p.denied_values.join(";")),
                        p.max_cost_per_hour.map(usd).unwrap_or_default(),
                        p.require_approval.to_string(),
                    ]
                })
                .collect(),
        ),
        Reply::History { project_id, entries } => (
            format!("history-{}.csv", file_part(project_id)),
            &[
                "at",
                "action",
                "outcome",
                "verdict",
                "requested_by",
                "decided_by",
                "resource_type",
                "resource_name",
                "hourly_usd",
                "session_id",
            ],
            entries
                .iter()
                .map(|h| {
                    vec![
                        h.at.clone(),
                        text(&h.action),
                        text(&h.outcome),
                        text(h.verdict.as_deref().unwrap_or("")),
                        h.requested_by.to_string(),
                        h.decided_by.map(|d| d.to_string()).unwrap_or_default(),
                        text(h.resource_type.as_deref().unwrap_or("")),
                        text(h.resource_name.as_deref().unwrap_or("")),
                        h.hourly.map(usd).unwrap_or_default(),
                        h.session_id.map(|s| s.to_string()).unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        _ => return None,
    };
    let mut out = String::new();
    line(&mut out, &header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
    for row in &rows {
        line(&mut out, row);
    }
    Some((name, out))
}

/// An amount in dollars without the sign: `0.0168`.
fn usd(m: crate::domain::Money) -> String {
    m.format(0).replacen('$', "", 1)
}

/// A text cell that no spreadsheet runs as a formula.
fn text(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

fn line(out: &mut String, cells: &[String]) {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| if c.contains([',', '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.clone() })
        .collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

/// A project id as part of a file name: letters, digits and `-` only.
fn file_part(id: &str) -> String {
    let part: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
    if part.is_empty() { "list".to_owned() } else { part }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::ResourceView;
    use crate::domain::Money;

    #[test]
    fn every_item_is_a_quoted_row_and_formulas_are_defused() {
        let resources = vec![
            ResourceView {
                resource_type: "vm".into(),
                name: "web, \"one\"".into(),
                region: "us-central1".into(),
                size: Some("e2-small".into()),
                hourly: Money::from_micros(16_800),
                created_by: 42,
            },
            ResourceView {
                resource_type: "vm".into(),
                name: "=HYPERLINK(\"x\")".into(),
                region: "us-central1".into(),
                size: None,
                hourly: Money::ZERO,
                created_by: 7,
            },
        ];
        let (name, csv) = of(&Reply::Resources { project_id: "gcp-abc123".into(), resources }).unwrap();
        assert_eq!(name, "resources-gcp-abc123.csv");
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "resource_type,name,region,size,hourly_usd,monthly_usd,created_by");
        assert_eq!(lines[1], "vm,\"web, \"\"one\"\"\",us-central1,e2-small,0.0168,12.264,42");
        assert_eq!(lines[2], "vm,\"'=HYPERLINK(\"\"x\"\")\",us-central1,,0,0,7");
        assert_eq!(lines.len(), 4, "header, two rows, and the final line break");
        assert_eq!(of(&Reply::error("no")), None);
    }
}
