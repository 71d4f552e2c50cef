//! Roles and VM size classes.

use crate::text_enum;

/// A member's role for one provider in one guild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum Role {
    /// Read only.
    CloudViewer,
    /// VMs up to `medium`, databases, networks, storage; no Kubernetes, no deletes.
    CloudUser,
    /// Everything, no size limit, approves others' lobbies.
    CloudAdmin,
}

text_enum!(Role, "role", {
    CloudViewer => "CloudViewer",
    CloudUser => "CloudUser",
    CloudAdmin => "CloudAdmin",
});

impl Role {
    /// Parses either the full role name or the short form used by `/cloud-grant` (`viewer`, `user`, `admin`).
    pub fn parse_loose(s: &str) -> Result<Role, super::ParseError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::CloudViewer),
            "user" => Ok(Role::CloudUser),
            "admin" => Ok(Role::CloudAdmin),
            _ => s.parse(),
        }
    }
}

/// The size class of a machine type, ordered from smallest to largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum SizeClass {
    /// Shared-core, under 1 GB.
    Micro,
    /// Shared-core or 1-2 vCPUs, about 2 GB.
    Small,
    /// 2 vCPUs, about 4-8 GB.
    Medium,
    /// 4 vCPUs.
    Large,
    /// 8 vCPUs or more.
    Xlarge,
}

text_enum!(SizeClass, "size class", {
    Micro => "micro",
    Small => "small",
    Medium => "medium",
    Large => "large",
    Xlarge => "xlarge",
});
