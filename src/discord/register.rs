//! The slash command definitions Discord shows in its picker, derived from the command layer's
//! specs (`commands::SPECS`): the options Discord offers are exactly those the parser accepts,
//! with the same limits.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption, InteractionContext, Permissions};

use crate::commands::SPECS;
use crate::commands::spec::{CommandSpec, OptionKind, OptionSpec, Shape};

/// The largest integer bound Discord takes.
const DISCORD_INT: i64 = 1 << 53;

/// Every command of the bot.
pub fn commands() -> Vec<CreateCommand> {
    SPECS.iter().map(|spec| command(spec)).collect()
}

fn command(spec: &CommandSpec) -> CreateCommand {
    let mut command =
        CreateCommand::new(spec.name).description(spec.description).contexts(vec![InteractionContext::Guild]);
    if spec.admin_only {
        command = command.default_member_permissions(Permissions::MANAGE_GUILD);
    }
    match spec.shape {
        Shape::Options(options) => options.iter().fold(command, |c, o| c.add_option(option(o))),
        Shape::Subcommands(subs) => subs.iter().fold(command, |c, sub| {
            let group = CreateCommandOption::new(CommandOptionType::SubCommand, sub.name, sub.description);
            c.add_option(sub.options.iter().fold(group, |g, o| g.add_sub_option(option(o))))
        }),
    }
}

fn option(o: &OptionSpec) -> CreateCommandOption {
    let kind = match o.kind {
        OptionKind::Text { .. } | OptionKind::Choice(_) => CommandOptionType::String,
        OptionKind::Integer { .. } => CommandOptionType::Integer,
        OptionKind::Number { .. } => CommandOptionType::Number,
        OptionKind::Boolean => CommandOptionType::Boolean,
        OptionKind::Member => CommandOptionType::User,
    };
    let option = CreateCommandOption::new(kind, o.name, o.description).required(o.required);
    match o.kind {
        OptionKind::Text { max_len } => option.max_length(max_len.min(6_000) as u16).set_autocomplete(o.autocomplete),
        // Discord's integers are doubles within ±2^53 (serenity's integer bounds cannot be negative).
        OptionKind::Integer { min, max } => option
            .min_number_value(min.clamp(-DISCORD_INT, DISCORD_INT) as f64)
            .max_number_value(max.clamp(-DISCORD_INT, DISCORD_INT) as f64)
            .set_autocomplete(o.autocomplete),
        OptionKind::Number { min, .. } => option.min_number_value(min.micros() as f64 / 1e6),
        OptionKind::Choice(choices) => {
            choices().iter().fold(option.max_length(100), |opt, c| opt.add_string_choice(c.label, c.value))
        }
        OptionKind::Boolean | OptionKind::Member => option,
    }
}
