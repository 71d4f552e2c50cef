//! The one definition of each command's options. The parser ([`super::Command::from_options`]),
//! the Discord registration (`discord::register`) and the console's `help` are all derived from
//! these specs, so an option cannot be accepted by one front end and missing from another.

use serde::Serialize;

use crate::domain::Money;

/// A slash command as members see it.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// Name without the slash (`cloud-deploy`).
    pub name: &'static str,
    /// One line for the picker and `help`.
    pub description: &'static str,
    /// Hidden from members without Manage Server (the command layer still refuses them itself).
    pub admin_only: bool,
    /// Its options, or its subcommands.
    pub shape: Shape,
}

/// What follows a command's name.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Named options.
    Options(&'static [OptionSpec]),
    /// Subcommands (`/cloud-policy add ...`), each with its options.
    Subcommands(&'static [SubcommandSpec]),
}

/// A subcommand.
#[derive(Debug, Clone, Copy)]
pub struct SubcommandSpec {
    /// Name (`add`).
    pub name: &'static str,
    /// One line.
    pub description: &'static str,
    /// Its options.
    pub options: &'static [OptionSpec],
}

/// One named option.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// Name as typed (`project_id`).
    pub name: &'static str,
    /// One line.
    pub description: &'static str,
    /// What values it takes.
    pub kind: OptionKind,
    /// Must be given.
    pub required: bool,
    /// Discord offers suggestions as the member types.
    pub autocomplete: bool,
}

/// The values an option takes, with their limits.
#[derive(Debug, Clone, Copy)]
pub enum OptionKind {
    /// Text of at most `max_len` characters.
    Text { max_len: usize },
    /// A whole number in `min..=max`.
    Integer { min: i64, max: i64 },
    /// An exact amount of US dollars, at least `min`.
    Number {
        /// The least amount accepted.
        min: Money,
        /// What the number is, in words for `help`: `an amount in USD per hour`.
        what: &'static str,
    },
    /// `true` or `false`.
    Boolean,
    /// A guild member (a mention or a numeric id).
    Member,
    /// One of a fixed list.
    Choice(fn() -> Vec<Choice>),
}

/// One value of a [`OptionKind::Choice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// Shown in Discord's picker.
    pub label: &'static str,
    /// What the parser receives.
    pub value: &'static str,
}

impl OptionSpec {
    /// An optional text option of at most [`super::MAX_VALUE_LEN`] characters.
    pub const fn text(name: &'static str, description: &'static str) -> OptionSpec {
        OptionSpec::of(name, description, OptionKind::Text { max_len: super::MAX_VALUE_LEN })
    }

    /// An optional option of `kind`.
    pub const fn of(name: &'static str, description: &'static str, kind: OptionKind) -> OptionSpec {
        OptionSpec { name, description, kind, required: false, autocomplete: false }
    }

    /// Must be given.
    pub const fn required(mut self) -> OptionSpec {
        self.required = true;
        self
    }

    /// Offers suggestions in Discord.
    pub const fn autocomplete(mut self) -> OptionSpec {
        self.autocomplete = true;
        self
    }

    /// How `help` shows the value: `<text>`, `1..10`, `gcp|aws|azure`, ...
    pub fn placeholder(&self) -> String {
        match self.kind {
            OptionKind::Text { .. } => "..".to_owned(),
            OptionKind::Integer { min, max } => format!("{min}..{max}"),
            OptionKind::Number { .. } => "<number>".to_owned(),
            OptionKind::Boolean => "true|false".to_owned(),
            OptionKind::Member => "<member>".to_owned(),
            OptionKind::Choice(choices) => choices().iter().map(|c| c.value).collect::<Vec<_>>().join("|"),
        }
    }

    /// The limits in words, for `help`: `at most 100 characters`, `from 1 to 10`, ...
    pub fn limits(&self) -> String {
        match self.kind {
            OptionKind::Text { max_len } => format!("at most {max_len} characters"),
            OptionKind::Integer { min, max } => format!("a whole number from {min} to {max}"),
            OptionKind::Number { min, what } => format!("{what}, at least {}", min.format(0)),
            OptionKind::Boolean => "true or false".to_owned(),
            OptionKind::Member => "a mention or a numeric member id".to_owned(),
            OptionKind::Choice(choices) => {
                format!("one of {}", choices().iter().map(|c| c.value).collect::<Vec<_>>().join(", "))
            }
        }
    }
}

impl CommandSpec {
    /// Every invocable form: (`cloud-policy add`, its options), or (`cloud-quota`, its options).
    pub fn forms(&self) -> Vec<(String, &'static str, &'static [OptionSpec])> {
        match self.shape {
            Shape::Options(options) => vec![(self.name.to_owned(), self.description, options)],
            Shape::Subcommands(subs) => {
                subs.iter().map(|s| (format!("{} {}", self.name, s.name), s.description, s.options)).collect()
            }
        }
    }

    /// The options of one form (`cloud-policy add`), if the command has it.
    pub fn options_of(&self, form: &str) -> Option<&'static [OptionSpec]> {
        match self.shape {
            Shape::Options(options) => (form == self.name).then_some(options),
            Shape::Subcommands(subs) => {
                let sub = form.strip_prefix(self.name)?.strip_prefix(' ')?;
                subs.iter().find(|s| s.name == sub).map(|s| s.options)
            }
        }
    }
}

/// One usage line: `/cloud-quota project_id:..`, optional options in brackets.
pub fn usage(form: &str, options: &[OptionSpec]) -> String {
    let mut line = format!("/{form}");
    for o in options {
        let piece = format!("{}:{}", o.name, o.placeholder());
        if o.required {
            line.push_str(&format!(" {piece}"));
        } else {
            line.push_str(&format!(" [{piece}]"));
        }
    }
    line
}

/// A command's help as data (the console's `help` under `--json`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommandHelp {
    /// `cloud-policy add`.
    pub name: String,
    /// One line.
    pub description: String,
    /// The usage line.
    pub usage: String,
    /// Each option.
    pub options: Vec<OptionHelp>,
}

/// An option's help as data.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OptionHelp {
    /// Name.
    pub name: String,
    /// One line.
    pub description: String,
    /// Must be given.
    pub required: bool,
    /// The limits in words.
    pub accepts: String,
}

/// Every command's help, in the order of [`super::SPECS`].
pub fn help() -> Vec<CommandHelp> {
    super::SPECS
        .iter()
        .flat_map(|spec| spec.forms())
        .map(|(name, description, options)| CommandHelp {
            usage: usage(&name, options),
            name,
            description: description.to_owned(),
            options: options
                .iter()
                .map(|o| OptionHelp {
                    name: o.name.to_owned(),
                    description: o.description.to_owned(),
                    required: o.required,
                    accepts: o.limits(),
                })
                .collect(),
        })
        .collect()
}

/// Choices of the providers.
pub fn providers() -> Vec<Choice> {
    crate::domain::Provider::ALL.iter().map(|p| Choice { label: p.display_name(), value: p.as_str() }).collect()
}

/// Choices of the resource kinds.
pub fn resource_kinds() -> Vec<Choice> {
    crate::domain::ResourceKind::ALL.iter().map(|k| Choice { label: k.display_name(), value: k.as_str() }).collect()
}
