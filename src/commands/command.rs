//! `Command`: what a member asked for, typed, and who asked. Front ends build it from named options
//! with [`Command::from_options`], so the console and Discord accept exactly the same input.

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::domain::validate::{MAX_COUNT, MAX_K8S_NODES, MIN_COUNT};
use crate::domain::{LobbyAction, Money, PolicyKind, Provider, ResourceKind, Role, SizeClass};

/// Longest option value accepted from a member.
pub const MAX_VALUE_LEN: usize = 100;
/// Most options one command may carry.
pub const MAX_OPTIONS: usize = 24;

/// Every command of every front end.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `/cloud-init provider region project_name [budget_limit]`.
    Init { provider: Provider, region: Option<String>, project_name: String, budget: Option<Money> },
    /// `/cloud-deploy project_id resource_type resource_name [machine_type] [region] [count] [node_count] [access]`.
    Deploy {
        project_id: String,
        kind: ResourceKind,
        name: String,
        size: Option<String>,
        region: Option<String>,
        count: u32,
        node_count: Option<u32>,
        options: BTreeMap<String, String>,
    },
    /// `/cloud-list project_id [resource_type]`.
    List { project_id: String, kind: Option<ResourceKind> },
    /// `/cloud-quota project_id`.
    Quota { project_id: String },
    /// `/cloud-grant user provider role [max_vm_size] [regions] [budget_limit]`.
    Grant {
        user_id: i64,
        provider: Provider,
        role: Role,
        max_vm_size: Option<SizeClass>,
        regions: Option<Vec<String>>,
        budget: Option<Money>,
    },
    /// `/cloud-revoke user provider`.
    Revoke { user_id: i64, provider: Provider },
    /// `/cloud-projects`.
    Projects,
    /// `/cloud-policy add ...`.
    PolicyAdd {
        name: String,
        kind: PolicyKind,
        pattern: String,
        allowed: Vec<String>,
        denied: Vec<String>,
        max_cost: Option<Money>,
        require_approval: bool,
        priority: i32,
    },
    /// `/cloud-policy list`.
    PolicyList,
    /// `/cloud-policy remove policy_id`.
    PolicyRemove { policy_id: i64 },
    /// A lobby button.
    Press { session_id: Uuid, action: LobbyAction },
}

/// Why options could not become a command; the text is safe to show the member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CommandError(pub String);

/// The named options of one invocation, consumed as the command is built.
struct Options {
    command: String,
    values: BTreeMap<String, String>,
}

impl Options {
    fn new(command: &str, pairs: &[(String, String)]) -> Result<Options, CommandError> {
        if pairs.len() > MAX_OPTIONS {
            return Err(CommandError(format!("too many options (at most {MAX_OPTIONS})")));
        }
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            let name = name.trim().to_ascii_lowercase();
            if value.chars().count() > MAX_VALUE_LEN {
                return Err(CommandError(format!(
                    "`{}` is too long (at most {MAX_VALUE_LEN} characters)",
                    short(&name)
                )));
            }
            if value.chars().any(char::is_control) {
                return Err(CommandError(format!("`{}` contains control characters", short(&name))));
            }
            if values.insert(name.clone(), value.trim().to_owned()).is_some() {
                return Err(CommandError(format!("`{}` is given twice", short(&name))));
            }
        }
        Ok(Options { command: command.to_owned(), values })
    }

    fn take(&mut self, name: &str) -> Option<String> {
        self.values.remove(name).filter(|v| !v.is_empty())
    }

    fn required(&mut self, name: &str) -> Result<String, CommandError> {
        self.take(name).ok_or_else(|| CommandError(format!("/{} needs `{name}`", self.command)))
    }

    fn parsed<T: std::str::FromStr>(&mut self, name: &str) -> Result<Option<T>, CommandError>
    where
        T::Err: std::fmt::Display,
    {
        self.take(name).map(|v| v.parse::<T>().map_err(|e| CommandError(format!("`{name}`: {e}")))).transpose()
    }

    fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
        &mut self,
        name: &str,
        min: T,
        max: T,
    ) -> Result<Option<T>, CommandError> {
        let Some(text) = self.take(name) else { return Ok(None) };
        match text.parse::<T>() {
            Ok(n) if n >= min && n <= max => Ok(Some(n)),
            _ => Err(CommandError(format!("`{name}` must be a whole number from {min} to {max}"))),
        }
    }

    fn flag(&mut self, name: &str) -> Result<Option<bool>, CommandError> {
        match self.take(name).map(|v| v.to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) if ["true", "yes", "1", "on"].contains(&v.as_str()) => Ok(Some(true)),
            Some(v) if ["false", "no", "0", "off"].contains(&v.as_str()) => Ok(Some(false)),
            Some(_) => Err(CommandError(format!("`{name}` must be true or false"))),
        }
    }

    fn list(&mut self, name: &str) -> Vec<String> {
        self.take(name)
            .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }

    /// Refuses options the command does not know, so a typo is not silently ignored.
    fn finish(self) -> Result<(), CommandError> {
        match self.values.keys().next() {
            None => Ok(()),
            Some(name) => Err(CommandError(format!("/{} has no option `{}`", self.command, short(name)))),
        }
    }
}

fn short(s: &str) -> String {
    s.chars().take(32).collect()
}

/// Parses a member id: a number or a Discord mention (`<@123>`).
pub fn parse_user(text: &str) -> Result<i64, CommandError> {
    let digits = text.trim().trim_start_matches("<@").trim_start_matches('!').trim_end_matches('>');
    match digits.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(CommandError(format!("`{}` is not a member (use a mention or a numeric id)", short(text)))),
    }
}

impl Command {
    /// Every command name, as typed after `/`.
    pub const NAMES: [&'static str; 8] = [
        "cloud-init",
        "cloud-deploy",
        "cloud-list",
        "cloud-quota",
        "cloud-grant",
        "cloud-revoke",
        "cloud-projects",
        "cloud-policy",
    ];

    /// Builds a command from its name (without `/`; `cloud-policy add` for subcommands) and options.
    pub fn from_options(name: &str, pairs: &[(String, String)]) -> Result<Command, CommandError> {
        let name = name.trim().trim_start_matches('/').to_ascii_lowercase();
        let mut o = Options::new(&name, pairs)?;
        let command = match name.as_str() {
            "cloud-init" => Command::Init {
                provider: o.required("provider")?.parse().map_err(|e| CommandError(format!("`provider`: {e}")))?,
                region: o.take("region"),
                project_name: o.required("project_name")?,
                budget: non_negative(o.parsed::<Money>("budget_limit")?, "budget_limit")?,
            },
            "cloud-deploy" => Command::Deploy {
                project_id: o.required("project_id")?,
                kind: o
                    .required("resource_type")?
                    .parse()
                    .map_err(|e| CommandError(format!("`resource_type`: {e}")))?,
                name: o.required("resource_name")?,
                size: o.take("machine_type"),
                region: o.take("region"),
                count: o.number("count", MIN_COUNT, MAX_COUNT)?.unwrap_or(1),
                node_count: o.number("node_count", 1, MAX_K8S_NODES)?,
                options: ["access", "ingress"].iter().filter_map(|k| o.take(k).map(|v| ((*k).to_owned(), v))).collect(),
            },
            "cloud-list" => Command::List { project_id: o.required("project_id")?, kind: o.parsed("resource_type")? },
            "cloud-quota" => Command::Quota { project_id: o.required("project_id")? },
            "cloud-projects" => Command::Projects,
            "cloud-grant" => Command::Grant {
                user_id: parse_user(&o.required("user")?)?,
                provider: o.required("provider")?.parse().map_err(|e| CommandError(format!("`provider`: {e}")))?,
                role: Role::parse_loose(&o.required("role")?).map_err(|e| CommandError(format!("`role`: {e}")))?,
                max_vm_size: o.parsed("max_vm_size")?,
                regions: Some(o.list("regions")).filter(|r| !r.is_empty()),
                budget: non_negative(o.parsed::<Money>("budget_limit")?, "budget_limit")?,
            },
            "cloud-revoke" => Command::Revoke {
                user_id: parse_user(&o.required("user")?)?,
                provider: o.required("provider")?.parse().map_err(|e| CommandError(format!("`provider`: {e}")))?,
            },
            "cloud-policy add" => Command::PolicyAdd {
                name: o.required("name")?,
                kind: o.required("policy_type")?.parse().map_err(|e| CommandError(format!("`policy_type`: {e}")))?,
                pattern: o.take("resource_pattern").unwrap_or_else(|| "*".to_owned()),
                allowed: o.list("allowed_values"),
                denied: o.list("denied_values"),
                max_cost: non_negative(o.parsed::<Money>("max_cost_per_hour")?, "max_cost_per_hour")?,
                require_approval: o.flag("require_approval")?.unwrap_or(false),
                priority: o.number("priority", -10_000, 10_000)?.unwrap_or(100),
            },
            "cloud-policy list" => Command::PolicyList,
            "cloud-policy remove" => Command::PolicyRemove {
                policy_id: o
                    .number("policy_id", 1, i64::MAX)?
                    .ok_or_else(|| CommandError("/cloud-policy remove needs `policy_id`".into()))?,
            },
            "cloud-policy" => return Err(CommandError("/cloud-policy needs a subcommand: add, list or remove".into())),
            other => {
                return Err(CommandError(format!(
                    "unknown command `/{}`; commands: /{}",
                    short(other),
                    Command::NAMES.join(", /")
                )));
            }
        };
        o.finish()?;
        Ok(command)
    }
}

fn non_negative(value: Option<Money>, name: &str) -> Result<Option<Money>, CommandError> {
    match value {
        Some(m) if m < Money::ZERO => Err(CommandError(format!("`{name}` must not be negative"))),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn deploy_parses_with_defaults() {
        let cmd = Command::from_options(
            "cloud-deploy",
            &opts(&[
                ("project_id", "gcp-abc123"),
                ("resource_type", "vm"),
                ("resource_name", "web-1"),
                ("machine_type", "e2-medium"),
            ]),
        )
        .unwrap();
        match cmd {
            Command::Deploy { count, size, kind, .. } => {
                assert_eq!((count, size.as_deref(), kind), (1, Some("e2-medium"), ResourceKind::Vm));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_options_are_clear_errors() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            ("cloud-deploy", &[("project_id", "p")], "resource_type"),
            (
                "cloud-deploy",
                &[("project_id", "p"), ("resource_type", "vm"), ("resource_name", "a"), ("count", "11")],
                "count",
            ),
            (
                "cloud-deploy",
                &[("project_id", "p"), ("resource_type", "tank"), ("resource_name", "a")],
                "resource_type",
            ),
            ("cloud-init", &[("provider", "ibm"), ("project_name", "x")], "provider"),
            ("cloud-init", &[("provider", "gcp"), ("project_name", "x"), ("budget_limit", "-5")], "budget_limit"),
            ("cloud-quota", &[("project_id", "p"), ("colour", "red")], "colour"),
            ("cloud-grant", &[("user", "bob"), ("provider", "gcp"), ("role", "user")], "member"),
            ("cloud-nope", &[], "unknown command"),
        ];
        for (name, pairs, needle) in cases {
            let err = Command::from_options(name, &opts(pairs)).unwrap_err().to_string();
            assert!(err.contains(needle), "{name} {pairs:?}: `{err}` should mention {needle}");
        }
        let long = "x".repeat(MAX_VALUE_LEN + 1);
        assert!(Command::from_options("cloud-quota", &opts(&[("project_id", &long)])).is_err());
    }

    #[test]
    fn mentions_and_roles_parse() {
        let cmd =
            Command::from_options("cloud-grant", &opts(&[("user", "<@!42>"), ("provider", "aws"), ("role", "admin")]));
        assert!(matches!(cmd, Ok(Command::Grant { user_id: 42, role: Role::CloudAdmin, provider: Provider::Aws, .. })));
    }
}
