//! Autocomplete: what Discord offers as a member types an option. Every list is what the member
//! could see with the matching command (their projects, the project's live resources, the guild's
//! policies, the stack templates), filtered by what is typed and cut at Discord's 25 choices; catalogue entries carry
//! their size and price in the region chosen (or the project's).

use crate::commands::{Command, Invoker, List, Policy, Projects, Reply, Services, execute};
use crate::domain::{Catalog, Provider, ResourceKind};

/// Choices Discord shows at most.
pub const MAX_CHOICES: usize = 25;
/// Characters in a choice's label or value.
const MAX_CHOICE: usize = 100;

/// A choice's value, typed as the option is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string option.
    Text(String),
    /// An integer option.
    Int(i64),
}

/// One choice: its label and value.
pub type Choice = (String, Value);

/// The choices for the focused option `focused` (typed so far: `typed`) of a command whose other
/// options are `pairs`.
pub async fn choices(
    services: &Services,
    invoker: Invoker,
    focused: &str,
    typed: &str,
    pairs: &[(String, String)],
) -> Vec<Choice> {
    let typed = typed.trim().to_ascii_lowercase();
    let option = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut out: Vec<Choice> = match focused {
        "project_id" => {
            // The projects this member can see, exactly as /cloud-projects lists them.
            let Reply::Projects { projects } = execute(services, invoker, Command::Projects(Projects)).await else {
                return Vec::new();
            };
            projects
                .into_iter()
                .filter(|p| p.id.contains(&typed) || p.name.to_ascii_lowercase().contains(&typed))
                .map(|p| (format!("{} · {} · {}", p.id, p.name, p.default_region), Value::Text(p.id)))
                .collect()
        }
        "template" => services
            .stacks
            .ids()
            .filter(|id| id.to_ascii_lowercase().contains(&typed))
            .map(|id| {
                let what = services.stacks.get(id).map(|t| t.description.clone()).unwrap_or_default();
                (format!("{id} · {what}"), Value::Text(id.to_owned()))
            })
            .collect(),
        "region" | "machine_type" | "database_tier" => {
            let project = match option("project_id") {
                Some(id) => services.records.project(invoker.guild_id, &id).await.ok(),
                None => None,
            };
            let provider =
                option("provider").and_then(|p| p.parse::<Provider>().ok()).or(project.as_ref().map(|p| p.provider));
            let Some(provider) = provider else { return Vec::new() };
            let catalog = &services.catalog;
            if focused == "region" {
                regions(catalog, provider, &typed)
            } else {
                let kind = if focused == "database_tier" {
                    ResourceKind::Database
                } else {
                    option("resource_type").and_then(|k| k.parse::<ResourceKind>().ok()).unwrap_or(ResourceKind::Vm)
                };
                let region = option("region")
                    .or(project.map(|p| p.default_region))
                    .unwrap_or_else(|| catalog.provider(provider).default_region.clone());
                sizes(catalog, provider, kind, &region, &typed)
            }
        }
        "resource_name" => {
            // The project's live resources, as /cloud-list shows them to this member.
            let Some(project_id) = option("project_id") else { return Vec::new() };
            let kind = option("resource_type").and_then(|k| k.parse::<ResourceKind>().ok());
            let list = Command::List(List { project_id, kind });
            let Reply::Resources { resources, .. } = execute(services, invoker, list).await else {
                return Vec::new();
            };
            resources
                .into_iter()
                .filter(|r| r.name.to_ascii_lowercase().contains(&typed))
                .map(|r| {
                    let size = r.size.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
                    let label =
                        format!("{} · {}{size} · {} · {}/h", r.name, r.resource_type, r.region, r.hourly.rate());
                    (label, Value::Text(r.name))
                })
                .collect()
        }
        "policy_id" => {
            // The guild's active policies, as /cloud-policy list shows them (administrators only).
            let Reply::Policies { policies } = execute(services, invoker, Command::Policy(Policy::List)).await else {
                return Vec::new();
            };
            policies
                .into_iter()
                .filter(|p| p.id.to_string().contains(&typed) || p.name.to_ascii_lowercase().contains(&typed))
                .map(|p| {
                    (format!("#{} · {} · {} on {}", p.id, p.name, p.policy_type, p.resource_pattern), Value::Int(p.id))
                })
                .collect()
        }
        _ => Vec::new(),
    };
    out.truncate(MAX_CHOICES);
    out.retain(|(_, v)| !matches!(v, Value::Text(t) if t.chars().count() > MAX_CHOICE));
    for (label, _) in &mut out {
        *label = label.chars().take(MAX_CHOICE).collect();
    }
    out
}

/// The provider's regions, with their price factor: `europe-west1 · prices x1.1`.
fn regions(catalog: &Catalog, provider: Provider, typed: &str) -> Vec<Choice> {
    catalog
        .provider(provider)
        .regions
        .iter()
        .filter(|r| r.name.to_ascii_lowercase().contains(typed))
        .map(|r| {
            let factor = format!("{}.{:03}", r.price_permille / 1000, r.price_permille % 1000);
            let factor = factor.trim_end_matches('0').trim_end_matches('.');
            (format!("{} · prices x{factor}", r.name), Value::Text(r.name.clone()))
        })
        .collect()
}

/// The kind's sizes with what they are and cost in `region`: `e2-medium · medium · 2 vCPU, 4 GB · $0.0335/h`.
fn sizes(catalog: &Catalog, provider: Provider, kind: ResourceKind, region: &str, typed: &str) -> Vec<Choice> {
    let p = catalog.provider(provider);
    p.size_names(kind)
        .into_iter()
        .filter(|n| n.to_ascii_lowercase().contains(typed))
        .map(|name| {
            let what = match kind {
                ResourceKind::Database => {
                    p.database_tier(provider, name).map(|t| format!("{} vCPU, {} GB", t.vcpus, t.ram_gb)).ok()
                }
                _ => p
                    .machine_type(provider, name)
                    .map(|m| format!("{} · {} vCPU, {} GB", m.size, m.vcpus, m.ram_gb))
                    .ok(),
            };
            let price = catalog.quote(provider, kind, region, Some(name), None, 1).ok().map(|q| q.unit_hourly);
            let mut label = name.to_owned();
            if let Some(what) = what {
                label.push_str(&format!(" · {what}"));
            }
            if let Some(price) = price {
                label.push_str(&format!(" · {}/h", price.rate()));
            }
            (label, Value::Text(name.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_labelled_with_what_they_are_and_their_price() {
        let catalog = Catalog::builtin();
        let region = &catalog.provider(Provider::Gcp).default_region.clone();
        let all = sizes(&catalog, Provider::Gcp, ResourceKind::Vm, region, "");
        assert!(!all.is_empty());
        let medium = all.iter().find(|(_, v)| *v == Value::Text("e2-medium".into())).expect("e2-medium offered");
        assert!(medium.0.starts_with("e2-medium · medium · 2 vCPU, 4 GB · $"), "{}", medium.0);
        let filtered = sizes(&catalog, Provider::Gcp, ResourceKind::Vm, region, "standard-8");
        assert!(filtered.iter().all(|(l, _)| l.contains("standard-8")) && !filtered.is_empty(), "{filtered:?}");
        let dbs = sizes(&catalog, Provider::Gcp, ResourceKind::Database, region, "");
        assert!(dbs.iter().all(|(l, _)| l.contains("vCPU") && l.contains("/h")), "{dbs:?}");
        let gcp = regions(&catalog, Provider::Gcp, "");
        assert!(!gcp.is_empty());
        assert!(gcp.iter().all(|(l, _)| l.contains(" · prices x")), "{gcp:?}");
    }
}
