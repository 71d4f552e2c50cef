//! The slash command definitions Discord shows in its picker.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption, InteractionContext, Permissions};

use crate::domain::{PolicyKind, Provider, ResourceKind, SizeClass};

fn opt(kind: CommandOptionType, name: &str, description: &str, required: bool) -> CreateCommandOption {
    CreateCommandOption::new(kind, name, description).required(required)
}

fn text(name: &str, description: &str, required: bool) -> CreateCommandOption {
    opt(CommandOptionType::String, name, description, required).max_length(100)
}

fn provider() -> CreateCommandOption {
    Provider::ALL
        .iter()
        .fold(text("provider", "Cloud provider", true), |o, p| o.add_string_choice(p.display_name(), p.as_str()))
}

fn project_id() -> CreateCommandOption {
    text("project_id", "Project, e.g. gcp-3f9a1c", true).set_autocomplete(true)
}

fn resource_type(required: bool) -> CreateCommandOption {
    ResourceKind::ALL.iter().fold(text("resource_type", "Kind of resource", required), |o, k| {
        o.add_string_choice(k.display_name(), k.as_str())
    })
}

fn guild_only(command: CreateCommand) -> CreateCommand {
    command.contexts(vec![InteractionContext::Guild])
}

fn admin_only(command: CreateCommand) -> CreateCommand {
    guild_only(command).default_member_permissions(Permissions::MANAGE_GUILD)
}

/// Every command of the bot.
pub fn commands() -> Vec<CreateCommand> {
    vec![
        guild_only(
            CreateCommand::new("cloud-init")
                .description("Create a cloud project with the default quotas")
                .add_option(provider())
                .add_option(text("project_name", "A name for the project", true))
                .add_option(text("region", "Default region (from the catalogue)", false).set_autocomplete(true))
                .add_option(
                    opt(CommandOptionType::Number, "budget_limit", "Monthly budget in USD", false)
                        .min_number_value(0.0),
                ),
        ),
        guild_only(
            CreateCommand::new("cloud-deploy")
                .description("Open a deployment lobby: verdict, quota and cost, with Approve and Cancel")
                .add_option(project_id())
                .add_option(resource_type(true))
                .add_option(text("resource_name", "Name of the resource (provider naming rules apply)", true))
                .add_option(
                    text("machine_type", "Machine type, database tier or node type", false).set_autocomplete(true),
                )
                .add_option(text("region", "Region (default: the project's)", false).set_autocomplete(true))
                .add_option(
                    opt(CommandOptionType::Integer, "count", "How many identical resources (1-10)", false)
                        .min_int_value(1)
                        .max_int_value(10),
                )
                .add_option(
                    opt(CommandOptionType::Integer, "node_count", "Kubernetes nodes (1-100)", false)
                        .min_int_value(1)
                        .max_int_value(100),
                )
                .add_option(
                    text("access", "Exposure", false)
                        .add_string_choice("private", "private")
                        .add_string_choice("public", "public"),
                ),
        ),
        guild_only(
            CreateCommand::new("cloud-list")
                .description("List a project's resources")
                .add_option(project_id())
                .add_option(resource_type(false)),
        ),
        guild_only(
            CreateCommand::new("cloud-quota").description("Show a project's quota usage").add_option(project_id()),
        ),
        guild_only(CreateCommand::new("cloud-projects").description("List the projects you can see")),
        admin_only(
            CreateCommand::new("cloud-grant")
                .description("Give a member a role for a provider (administrators)")
                .add_option(opt(CommandOptionType::User, "user", "Member", true))
                .add_option(provider())
                .add_option(
                    text("role", "Role", true)
                        .add_string_choice("CloudViewer (read only)", "viewer")
                        .add_string_choice("CloudUser (VMs up to medium, no Kubernetes)", "user")
                        .add_string_choice("CloudAdmin (everything, approves)", "admin"),
                )
                .add_option(SizeClass::ALL.iter().fold(text("max_vm_size", "Largest VM size", false), |o, s| {
                    o.add_string_choice(s.as_str(), s.as_str())
                }))
                .add_option(text("regions", "Allowed regions, comma-separated", false))
                .add_option(
                    opt(CommandOptionType::Number, "budget_limit", "Monthly budget in USD", false)
                        .min_number_value(0.0),
                ),
        ),
        admin_only(
            CreateCommand::new("cloud-revoke")
                .description("Remove a member's role for a provider (administrators)")
                .add_option(opt(CommandOptionType::User, "user", "Member", true))
                .add_option(provider()),
        ),
        admin_only(
            CreateCommand::new("cloud-policy")
                .description("Manage infrastructure policies (administrators)")
                .add_option(
                    opt(CommandOptionType::SubCommand, "add", "Add a policy", false)
                        .add_sub_option(text("name", "Policy name", true))
                        .add_sub_option(
                            PolicyKind::ALL.iter().fold(text("policy_type", "What it checks", true), |o, k| {
                                o.add_string_choice(k.as_str(), k.as_str())
                            }),
                        )
                        .add_sub_option(text(
                            "resource_pattern",
                            "*, type:vm, type:compute.instances, name:web-*",
                            false,
                        ))
                        .add_sub_option(text("allowed_values", "Allowed values, comma-separated", false))
                        .add_sub_option(text("denied_values", "Denied values, comma-separated", false))
                        .add_sub_option(
                            opt(CommandOptionType::Number, "max_cost_per_hour", "Cost limit in USD per hour", false)
                                .min_number_value(0.0),
                        )
                        .add_sub_option(opt(
                            CommandOptionType::Boolean,
                            "require_approval",
                            "Violations need a CloudAdmin's approval instead of a denial",
                            false,
                        ))
                        .add_sub_option(
                            opt(CommandOptionType::Integer, "priority", "Lower runs first", false)
                                .min_int_value(0)
                                .max_int_value(10_000),
                        ),
                )
                .add_option(opt(CommandOptionType::SubCommand, "list", "List active policies", false))
                .add_option(
                    opt(CommandOptionType::SubCommand, "remove", "Deactivate a policy", false).add_sub_option(
                        opt(CommandOptionType::Integer, "policy_id", "Policy id", true).min_int_value(1),
                    ),
                ),
        ),
    ]
}
