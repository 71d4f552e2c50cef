//! Stack templates (`config/stacks.toml`): named sets of resources one `/cloud-stack` lobby
//! deploys all or none, named after the stack and wired together (network, load balancer
//! targets, database clients).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::plan::Stack;
use super::validate::DeployRequest;
use super::{Provider, ResourceKind, ResourceName};

/// The templates shipped with the product.
const BUILTIN_STACKS: &str = include_str!("../../config/stacks.toml");

/// What a member may set on a stack.
pub const STACK_OPTIONS: [&str; 3] = ["region", "machine_type", "database_tier"];

/// Every template, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackCatalog {
    templates: BTreeMap<String, StackTemplate>,
}

/// One template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackTemplate {
    /// One line for help and autocomplete.
    pub description: String,
    /// Which of [`STACK_OPTIONS`] a member may set.
    #[serde(default)]
    pub options: Vec<String>,
    /// Its resources, in creation order.
    pub resources: Vec<StackItem>,
}

/// One resource of a template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackItem {
    /// What follows the stack's name.
    pub suffix: String,
    /// Kind.
    pub kind: ResourceKind,
    /// The member's option that sets its size (`machine_type`, `database_tier`).
    #[serde(default)]
    pub size: Option<String>,
    /// Suffix of the stack network it joins.
    #[serde(default)]
    pub network: Option<String>,
    /// A load balancer's backends (suffixes of VMs).
    #[serde(default)]
    pub targets: Vec<String>,
    /// A database's clients (suffixes of VMs).
    #[serde(default)]
    pub clients: Vec<String>,
}

/// What a member chose for a stack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackChoices {
    /// Region of every resource.
    pub region: String,
    /// `machine_type`, `database_tier`, when given.
    pub sizes: BTreeMap<String, String>,
}

/// A template file that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("stack templates: {0}")]
pub struct StackError(pub String);

impl StackCatalog {
    /// Parses and checks a template file: known options, unique suffixes, links to resources of
    /// the right kind listed before the resource.
    pub fn from_toml(text: &str) -> Result<Self, StackError> {
        let templates: BTreeMap<String, StackTemplate> =
            toml::from_str(text).map_err(|e| StackError(e.message().to_owned()))?;
        for (id, t) in &templates {
            t.check().map_err(|why| StackError(format!("template `{id}`: {why}")))?;
        }
        Ok(Self { templates })
    }

    /// The shipped templates.
    pub fn builtin() -> Self {
        Self::from_toml(BUILTIN_STACKS).expect("the shipped stack templates are valid (tested)")
    }

    /// Template ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }

    /// A template by id.
    pub fn get(&self, id: &str) -> Option<&StackTemplate> {
        self.templates.get(id)
    }
}

impl StackTemplate {
    fn check(&self) -> Result<(), String> {
        if self.resources.is_empty() {
            return Err("no resources".into());
        }
        for option in self.options.iter().chain(self.resources.iter().filter_map(|r| r.size.as_ref())) {
            if !STACK_OPTIONS.contains(&option.as_str()) {
                return Err(format!("unknown option `{option}` (expected one of {})", STACK_OPTIONS.join(", ")));
            }
        }
        let mut seen: BTreeMap<&str, ResourceKind> = BTreeMap::new();
        for r in &self.resources {
            let linked = r.network.iter().map(|n| (n, ResourceKind::Network, "network"));
            let linked = linked
                .chain(r.targets.iter().map(|n| (n, ResourceKind::Vm, "targets")))
                .chain(r.clients.iter().map(|n| (n, ResourceKind::Vm, "clients")));
            for (suffix, kind, key) in linked {
                if seen.get(suffix.as_str()) != Some(&kind) {
                    return Err(format!(
                        "`{}` {key} `{suffix}`: not a {} listed before it",
                        r.suffix,
                        kind.display_name()
                    ));
                }
            }
            if seen.insert(&r.suffix, r.kind).is_some() {
                return Err(format!("suffix `{}` used twice", r.suffix));
            }
        }
        Ok(())
    }

    /// The stack `name` of this template at `provider`, as the requests a lobby validates; a
    /// refusal naming the option or name at fault.
    pub fn expand(&self, id: &str, provider: Provider, name: &str, choices: &StackChoices) -> Result<Stack, String> {
        for key in choices.sizes.keys() {
            if !self.options.contains(key) {
                return Err(format!("the `{id}` stack has no option `{key}` (it takes: {})", self.options.join(", ")));
            }
        }
        let names: BTreeMap<&str, String> = self
            .resources
            .iter()
            .map(|r| (r.suffix.as_str(), member_name(provider, r.kind, name, &r.suffix)))
            .collect();
        let joined =
            |suffixes: &[String]| suffixes.iter().map(|s| names[s.as_str()].clone()).collect::<Vec<_>>().join(",");
        let mut items = Vec::with_capacity(self.resources.len());
        for r in &self.resources {
            let full = names[r.suffix.as_str()].clone();
            ResourceName::parse(provider, r.kind, &full).map_err(|e| format!("stack name `{name}`: {e}"))?;
            let mut links = BTreeMap::new();
            if let Some(net) = &r.network {
                links.insert("network".to_owned(), names[net.as_str()].clone());
            }
            if !r.targets.is_empty() {
                links.insert("targets".to_owned(), joined(&r.targets));
            }
            if !r.clients.is_empty() {
                links.insert("clients".to_owned(), joined(&r.clients));
            }
            items.push(DeployRequest {
                provider,
                kind: r.kind,
                name: full,
                region: choices.region.clone(),
                size: r.size.as_ref().and_then(|option| choices.sizes.get(option)).cloned(),
                node_count: None,
                count: 1,
                options: BTreeMap::new(),
                links,
                egress_hourly: super::Money::ZERO,
            });
        }
        Ok(Stack { template: id.to_owned(), name: name.to_owned(), items })
    }
}

/// `<stack>-<suffix>`, or without separators where the kind's names allow none (Azure storage).
fn member_name(provider: Provider, kind: ResourceKind, stack: &str, suffix: &str) -> String {
    if (provider, kind) == (Provider::Azure, ResourceKind::Storage) {
        format!("{stack}{suffix}").chars().filter(char::is_ascii_alphanumeric).collect()
    } else {
        format!("{stack}-{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(region: &str) -> StackChoices {
        StackChoices { region: region.into(), sizes: BTreeMap::new() }
    }

    #[test]
    fn the_shipped_templates_load_and_expand_for_every_provider() {
        let stacks = StackCatalog::builtin();
        assert_eq!(stacks.ids().collect::<Vec<_>>(), ["web", "worker"]);
        for provider in [Provider::Gcp, Provider::Aws, Provider::Azure] {
            for id in stacks.ids() {
                let stack = stacks.get(id).unwrap().expand(id, provider, "shop", &choices("r")).unwrap();
                assert!(stack.items.len() >= 4, "{id}");
                assert_eq!(stack.items[0].kind, ResourceKind::Network, "networks first");
            }
        }
    }

    #[test]
    fn web_names_and_wires_its_resources_after_the_stack() {
        let web = StackCatalog::builtin();
        let mut c = choices("us-central1");
        c.sizes.insert("machine_type".into(), "e2-small".into());
        let stack = web.get("web").unwrap().expand("web", Provider::Gcp, "shop", &c).unwrap();
        let names: Vec<&str> = stack.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["shop-net", "shop-vm-1", "shop-vm-2", "shop-lb", "shop-db"]);
        assert_eq!(stack.items[1].size.as_deref(), Some("e2-small"));
        assert_eq!(stack.items[4].size, None, "the catalogue's default tier");
        assert_eq!(stack.items[3].links["targets"], "shop-vm-1,shop-vm-2");
        assert_eq!(stack.items[4].links["clients"], "shop-vm-1,shop-vm-2");
        assert_eq!(stack.items[4].links["network"], "shop-net");
        assert!(stack.items.iter().all(|i| i.region == "us-central1"));
    }

    #[test]
    fn azure_storage_accounts_take_the_name_without_hyphens() {
        let stack = StackCatalog::builtin()
            .get("worker")
            .unwrap()
            .expand("worker", Provider::Azure, "etl-2", &choices("westeurope"))
            .unwrap();
        assert_eq!(stack.items[3].name, "etl2jobs");
    }

    #[test]
    fn bad_names_and_options_are_refused_with_the_reason() {
        let web = StackCatalog::builtin();
        let web = web.get("web").unwrap();
        let err = web.expand("web", Provider::Gcp, "Shop\u{1b}[2J", &choices("us-central1")).unwrap_err();
        assert!(err.contains("stack name"), "{err}");
        let mut c = choices("us-central1");
        c.sizes.insert("node_count".into(), "3".into());
        assert!(web.expand("web", Provider::Gcp, "shop", &c).unwrap_err().contains("no option `node_count`"));
        let worker = StackCatalog::builtin();
        let mut c = choices("us-central1");
        c.sizes.insert("database_tier".into(), "db-g1-small".into());
        assert!(worker.get("worker").unwrap().expand("worker", Provider::Gcp, "w", &c).is_err());
    }

    #[test]
    fn a_template_that_links_what_is_not_there_is_refused() {
        let bad = r#"
            [x]
            description = "d"
            resources = [{ suffix = "vm", kind = "vm", network = "net" }, { suffix = "net", kind = "network" }]
        "#;
        assert!(StackCatalog::from_toml(bad).unwrap_err().0.contains("not a network listed before it"));
        let twice = r#"
            [x]
            description = "d"
            resources = [{ suffix = "a", kind = "vm" }, { suffix = "a", kind = "storage" }]
        "#;
        assert!(StackCatalog::from_toml(twice).unwrap_err().0.contains("used twice"));
        let option = r#"
            [x]
            description = "d"
            options = ["colour"]
            resources = [{ suffix = "a", kind = "vm" }]
        "#;
        assert!(StackCatalog::from_toml(option).unwrap_err().0.contains("unknown option"));
    }
}
