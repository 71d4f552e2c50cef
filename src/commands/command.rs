//! `Command`: what a member asked for, typed. It only dispatches: each command is a type in its own
//! file with its [`CommandSpec`] (its options, defined once) and its parser; front ends build a
//! command from named options with [`Command::from_options`], so the console and Discord accept
//! exactly the same input.

use super::args::{Args, short};
use super::spec::{CommandSpec, Shape};
use super::{
    Deploy, Destroy, Grant, History, Init, List, Policy, Press, Preview, Projects, Quota, QuotaSet, Resize, Revoke,
    Stack, WhoAmI,
};

/// Longest option value accepted from a member.
pub const MAX_VALUE_LEN: usize = 100;
/// Most options one command may carry.
pub const MAX_OPTIONS: usize = 24;

/// Every slash command, in the order `help` and the Discord picker show them.
pub const SPECS: [&CommandSpec; 14] = [
    &Init::SPEC,
    &Deploy::SPEC,
    &Stack::SPEC,
    &Destroy::SPEC,
    &Resize::SPEC,
    &List::SPEC,
    &Quota::SPEC,
    &History::SPEC,
    &WhoAmI::SPEC,
    &Grant::SPEC,
    &Revoke::SPEC,
    &Projects::SPEC,
    &Policy::SPEC,
    &QuotaSet::SPEC,
];

/// Every command of every front end.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `/cloud-init`.
    Init(Init),
    /// `/cloud-deploy`.
    Deploy(Deploy),
    /// `/cloud-stack`.
    Stack(Stack),
    /// `/cloud-destroy`.
    Destroy(Destroy),
    /// `/cloud-resize`.
    Resize(Resize),
    /// `/cloud-list`.
    List(List),
    /// `/cloud-quota`.
    Quota(Quota),
    /// `/cloud-history`.
    History(History),
    /// `/cloud-whoami`.
    WhoAmI(WhoAmI),
    /// `/cloud-quota-set`.
    QuotaSet(QuotaSet),
    /// `/cloud-grant`.
    Grant(Grant),
    /// `/cloud-revoke`.
    Revoke(Revoke),
    /// `/cloud-projects`.
    Projects(Projects),
    /// `/cloud-policy add|list|remove`.
    Policy(Policy),
    /// A lobby button.
    Press(Press),
    /// A lobby's Terraform before approval (`preview`, "View Terraform").
    Preview(Preview),
}

/// Why options could not become a command; the text is safe to show the member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CommandError(pub String);

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
    pub const NAMES: [&'static str; SPECS.len()] = {
        let mut names = [""; SPECS.len()];
        let mut i = 0;
        while i < SPECS.len() {
            names[i] = SPECS[i].name;
            i += 1;
        }
        names
    };

    /// Builds a command from its name (without `/`; `cloud-policy add` for subcommands) and options.
    pub fn from_options(name: &str, pairs: &[(String, String)]) -> Result<Command, CommandError> {
        let form = name.trim().trim_start_matches('/').to_ascii_lowercase();
        let root = form.split(' ').next().unwrap_or_default();
        let Some(spec) = SPECS.iter().find(|s| s.name == root) else {
            return Err(CommandError(format!(
                "unknown command `/{}`; commands: /{}",
                short(&form),
                Command::NAMES.join(", /")
            )));
        };
        let Some(options) = spec.options_of(&form) else {
            return Err(match spec.shape {
                Shape::Subcommands(subs) => CommandError(format!(
                    "/{} needs a subcommand: {}",
                    spec.name,
                    or_list(&subs.iter().map(|s| s.name).collect::<Vec<_>>())
                )),
                Shape::Options(_) => CommandError(format!("unknown command `/{}`; type `help`", short(&form))),
            });
        };
        let mut args = Args::new(&form, options, pairs)?;
        let command = match spec.name {
            Init::NAME => Command::Init(Init::parse(&mut args)?),
            Deploy::NAME => Command::Deploy(Deploy::parse(&mut args)?),
            Destroy::NAME => Command::Destroy(Destroy::parse(&mut args)?),
            Resize::NAME => Command::Resize(Resize::parse(&mut args)?),
            Stack::NAME => Command::Stack(Stack::parse(&mut args)?),
            List::NAME => Command::List(List::parse(&mut args)?),
            Quota::NAME => Command::Quota(Quota::parse(&mut args)?),
            History::NAME => Command::History(History::parse(&mut args)?),
            WhoAmI::NAME => Command::WhoAmI(WhoAmI),
            QuotaSet::NAME => Command::QuotaSet(QuotaSet::parse(&mut args)?),
            Grant::NAME => Command::Grant(Grant::parse(&mut args)?),
            Revoke::NAME => Command::Revoke(Revoke::parse(&mut args)?),
            Projects::NAME => Command::Projects(Projects),
            Policy::NAME => Command::Policy(Policy::parse(&form, &mut args)?),
            other => return Err(CommandError(format!("/{other} cannot be parsed yet"))),
        };
        args.finish()?;
        Ok(command)
    }
}

/// `add, list or remove`.
fn or_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Provider, ResourceKind, Role};

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
            Command::Deploy(Deploy { count, size, kind, .. }) => {
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
        assert!(matches!(
            cmd,
            Ok(Command::Grant(Grant { user_id: 42, role: Role::CloudAdmin, provider: Provider::Aws, .. }))
        ));
    }

    #[test]
    fn subcommands_are_named_when_missing() {
        let err = Command::from_options("cloud-policy", &[]).unwrap_err().to_string();
        assert_eq!(err, "/cloud-policy needs a subcommand: add, list or remove");
        let err = Command::from_options("cloud-policy remove", &[]).unwrap_err().to_string();
        assert_eq!(err, "/cloud-policy remove needs `policy_id`");
    }

    /// Every option every command reads is declared in its spec: parsing each form with every
    /// declared option given a valid value succeeds (an undeclared read would fail it).
    #[test]
    fn every_command_reads_only_declared_options() {
        use super::super::spec::OptionKind;
        for spec in SPECS {
            for (form, _, options) in spec.forms() {
                let pairs: Vec<(String, String)> = options
                    .iter()
                    .map(|o| {
                        let value = match o.kind {
                            OptionKind::Text { .. } => "a".to_owned(),
                            OptionKind::Integer { min, .. } => min.max(1).to_string(),
                            OptionKind::Number { min, .. } => min.format(0).trim_start_matches('$').to_owned(),
                            OptionKind::Boolean => "true".to_owned(),
                            OptionKind::Member => "42".to_owned(),
                            OptionKind::Choice(c) => c()[0].value.to_owned(),
                        };
                        (o.name.to_owned(), value)
                    })
                    .collect();
                let parsed = Command::from_options(&form, &pairs);
                assert!(parsed.is_ok(), "/{form} {pairs:?}: {parsed:?}");
            }
        }
    }
}
