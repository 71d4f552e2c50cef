//! The named options of one invocation, checked against the command's [`OptionSpec`]s and consumed
//! as the command is built: a command can only read an option its spec declares, with the limits
//! the spec gives, so the parser cannot drift from the registration and the help.

use std::collections::BTreeMap;
use std::str::FromStr;

use super::spec::{OptionKind, OptionSpec};
use super::{CommandError, MAX_OPTIONS, MAX_VALUE_LEN, parse_user};
use crate::domain::Money;

/// The options given, by name.
pub struct Args {
    command: String,
    spec: &'static [OptionSpec],
    values: BTreeMap<String, String>,
}

impl Args {
    /// Checks the raw pairs (count, length, control characters, duplicates, required options).
    pub fn new(command: &str, spec: &'static [OptionSpec], pairs: &[(String, String)]) -> Result<Args, CommandError> {
        if pairs.len() > MAX_OPTIONS {
            return Err(CommandError(format!("too many options (at most {MAX_OPTIONS})")));
        }
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            let name = name.trim().to_ascii_lowercase();
            if value.chars().count() > MAX_VALUE_LEN {
                return Err(too_long(&name, MAX_VALUE_LEN));
            }
            if value.chars().any(char::is_control) {
                return Err(CommandError(format!("`{}` contains control characters", short(&name))));
            }
            if values.insert(name.clone(), value.trim().to_owned()).is_some() {
                return Err(CommandError(format!("`{}` is given twice", short(&name))));
            }
        }
        let mut args = Args { command: command.to_owned(), spec, values };
        for option in spec.iter().filter(|o| o.required) {
            if args.values.get(option.name).is_none_or(|v| v.is_empty()) {
                return Err(args.missing(option.name));
            }
        }
        args.values.retain(|_, v| !v.is_empty());
        Ok(args)
    }

    fn missing(&self, name: &str) -> CommandError {
        CommandError(format!("/{} needs `{name}`", self.command))
    }

    /// The raw text of a declared option, checked against its kind's limits.
    fn take(&mut self, name: &'static str) -> Result<Option<(OptionKind, String)>, CommandError> {
        let Some(option) = self.spec.iter().find(|o| o.name == name) else {
            // A command reading an option its spec does not declare is a bug, caught by the tests.
            return Err(CommandError(format!("/{} does not declare `{name}`", self.command)));
        };
        let Some(value) = self.values.remove(name) else { return Ok(None) };
        if let OptionKind::Text { max_len } = option.kind
            && value.chars().count() > max_len
        {
            return Err(too_long(name, max_len));
        }
        Ok(Some((option.kind, value)))
    }

    /// A text option.
    pub fn text(&mut self, name: &'static str) -> Result<Option<String>, CommandError> {
        Ok(self.take(name)?.map(|(_, v)| v))
    }

    /// A required text option (the spec says it is required; [`Args::new`] checked it is there).
    pub fn required(&mut self, name: &'static str) -> Result<String, CommandError> {
        self.text(name)?.ok_or_else(|| self.missing(name))
    }

    /// A comma-separated list in a text option.
    pub fn list(&mut self, name: &'static str) -> Result<Vec<String>, CommandError> {
        Ok(self
            .text(name)?
            .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default())
    }

    /// An option parsed by the domain type's own rules (a choice may have aliases: `role:CloudUser`).
    pub fn parse<T: FromStr>(&mut self, name: &'static str) -> Result<Option<T>, CommandError>
    where
        T::Err: std::fmt::Display,
    {
        self.text(name)?.map(|v| v.parse::<T>().map_err(|e| CommandError(format!("`{name}`: {e}")))).transpose()
    }

    /// A fixed-choice option with no domain type: the canonical value of the choice given.
    pub fn choice(&mut self, name: &'static str) -> Result<Option<&'static str>, CommandError> {
        let Some((kind, value)) = self.take(name)? else { return Ok(None) };
        let OptionKind::Choice(choices) = kind else {
            return Err(CommandError(format!("/{} declares `{name}` without choices", self.command)));
        };
        let choices = choices();
        match choices.iter().find(|c| c.value.eq_ignore_ascii_case(&value)) {
            Some(c) => Ok(Some(c.value)),
            None => Err(CommandError(format!(
                "`{name}` must be one of {}",
                choices.iter().map(|c| c.value).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// An integer option, within the range its spec declares.
    pub fn integer(&mut self, name: &'static str) -> Result<Option<i64>, CommandError> {
        let Some((kind, text)) = self.take(name)? else { return Ok(None) };
        let OptionKind::Integer { min, max } = kind else {
            return Err(CommandError(format!("/{} declares `{name}` as no integer", self.command)));
        };
        match text.parse::<i64>() {
            Ok(n) if n >= min && n <= max => Ok(Some(n)),
            _ => Err(CommandError(format!("`{name}` must be a whole number from {min} to {max}"))),
        }
    }

    /// An amount of money, at least the minimum its spec declares.
    pub fn money(&mut self, name: &'static str) -> Result<Option<Money>, CommandError> {
        let Some((kind, text)) = self.take(name)? else { return Ok(None) };
        let OptionKind::Number { min, .. } = kind else {
            return Err(CommandError(format!("/{} declares `{name}` as no amount", self.command)));
        };
        let amount = text.parse::<Money>().map_err(|e| CommandError(format!("`{name}`: {e}")))?;
        if amount < min {
            return Err(if min == Money::ZERO {
                CommandError(format!("`{name}` must not be negative"))
            } else {
                CommandError(format!("`{name}` must be at least {}", min.cents()))
            });
        }
        Ok(Some(amount))
    }

    /// A boolean option.
    pub fn flag(&mut self, name: &'static str) -> Result<Option<bool>, CommandError> {
        match self.text(name)?.map(|v| v.to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) if ["true", "yes", "1", "on"].contains(&v.as_str()) => Ok(Some(true)),
            Some(v) if ["false", "no", "0", "off"].contains(&v.as_str()) => Ok(Some(false)),
            Some(_) => Err(CommandError(format!("`{name}` must be true or false"))),
        }
    }

    /// A member option (a mention or a numeric id).
    pub fn member(&mut self, name: &'static str) -> Result<Option<i64>, CommandError> {
        self.text(name)?.map(|v| parse_user(&v).map_err(|e| CommandError(format!("`{name}`: {e}")))).transpose()
    }

    /// Refuses options the command does not know, so a typo is not silently ignored.
    pub fn finish(self) -> Result<(), CommandError> {
        match self.values.keys().next() {
            None => Ok(()),
            Some(name) => Err(CommandError(format!("/{} has no option `{}`", self.command, short(name)))),
        }
    }
}

fn too_long(name: &str, max: usize) -> CommandError {
    CommandError(format!("`{}` is too long (at most {max} characters)", short(name)))
}

/// At most 32 characters of a name, for messages.
pub fn short(s: &str) -> String {
    s.chars().take(32).collect()
}
