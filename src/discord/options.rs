//! Interactions to commands: the command name (with its subcommand) and its options as text
//! pairs, which `Command::from_options` validates exactly as it does for the console.

use serenity::all::{CommandDataOption, CommandDataOptionValue, CommandInteraction, Member, Permissions};

use crate::commands::Invoker;

/// The name (`cloud-policy add` for subcommands) and the options of a slash command.
pub fn command_options(interaction: &CommandInteraction) -> (String, Vec<(String, String)>) {
    let mut name = interaction.data.name.clone();
    let mut pairs = Vec::new();
    flatten(&interaction.data.options, &mut name, &mut pairs);
    (name, pairs)
}

fn flatten(options: &[CommandDataOption], name: &mut String, pairs: &mut Vec<(String, String)>) {
    for option in options {
        match &option.value {
            CommandDataOptionValue::SubCommand(inner) | CommandDataOptionValue::SubCommandGroup(inner) => {
                name.push(' ');
                name.push_str(&option.name);
                flatten(inner, name, pairs);
            }
            value => pairs.push((option.name.clone(), text(value))),
        }
    }
}

/// An option's value as the text the command layer parses.
pub fn text(value: &CommandDataOptionValue) -> String {
    match value {
        CommandDataOptionValue::String(s) => s.clone(),
        CommandDataOptionValue::Integer(i) => i.to_string(),
        // Money options: at most six decimals, never an exponent.
        CommandDataOptionValue::Number(f) if f.is_finite() => {
            let fixed = format!("{f:.6}");
            fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        CommandDataOptionValue::Number(_) => "not a number".to_owned(),
        CommandDataOptionValue::Boolean(b) => b.to_string(),
        CommandDataOptionValue::User(id) => id.get().to_string(),
        CommandDataOptionValue::Autocomplete { value, .. } => value.clone(),
        _ => String::new(),
    }
}

/// Who sent a slash command or autocomplete request (`None` outside a guild).
pub fn command_invoker(cmd: &CommandInteraction) -> Option<Invoker> {
    invoker(cmd.guild_id.map(|g| g.get()), cmd.channel_id.get(), cmd.user.id.get(), cmd.member.as_deref())
}

/// Who acts: the member, the guild, the channel and whether they administer the guild.
pub fn invoker(guild_id: Option<u64>, channel_id: u64, user_id: u64, member: Option<&Member>) -> Option<Invoker> {
    let guild_id = i64::try_from(guild_id?).ok()?;
    let is_guild_admin = member
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.contains(Permissions::ADMINISTRATOR) || p.contains(Permissions::MANAGE_GUILD));
    Some(Invoker {
        user_id: i64::try_from(user_id).ok()?,
        guild_id,
        channel_id: i64::try_from(channel_id).ok()?,
        is_guild_admin,
    })
}

#[cfg(test)]
mod tests {
    use serenity::all::{CommandDataOptionValue as V, UserId};

    use super::text;

    #[test]
    fn option_values_become_the_text_the_console_would_type() {
        assert_eq!(text(&V::Number(3000.0)), "3000");
        assert_eq!(text(&V::Number(0.5)), "0.5");
        assert_eq!(text(&V::Number(0.0168)), "0.0168");
        assert_eq!(text(&V::Number(1e-9)), "0");
        assert_eq!(text(&V::Number(f64::NAN)), "not a number");
        assert_eq!(text(&V::Integer(-3)), "-3");
        assert_eq!(text(&V::Boolean(true)), "true");
        assert_eq!(text(&V::User(UserId::new(42))), "42");
        assert_eq!(text(&V::String("web-01".into())), "web-01");
    }
}
