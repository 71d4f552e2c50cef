//! Who asks and what their grant lets them do: role defaults, per-kind flags, VM size and regions.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::Facts;
use super::verdict::Findings;
use crate::domain::{Money, ResourceKind, Role, SizeClass};

/// A member's grant for one provider in one guild (`user_cloud_permissions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// The role the flags were derived from.
    pub role: Role,
    /// May deploy VMs.
    pub can_create_vm: bool,
    /// May deploy managed databases.
    pub can_create_db: bool,
    /// May deploy Kubernetes clusters.
    pub can_create_k8s: bool,
    /// May deploy networks and load balancers.
    pub can_create_network: bool,
    /// May deploy storage buckets.
    pub can_create_storage: bool,
    /// May delete resources.
    pub can_delete: bool,
    /// Largest VM (and Kubernetes node) size class; `None` is no limit.
    pub max_vm_size: Option<SizeClass>,
    /// Regions the member may deploy in; `None` or an empty list is every region.
    pub allowed_regions: Option<Vec<String>>,
    /// Most the member's resources may cost per month; `None` is no limit.
    pub budget_limit: Option<Money>,
}

impl Permissions {
    /// The defaults of a role, before any narrowing by the grant.
    pub fn for_role(role: Role) -> Permissions {
        let (user, admin) = (role >= Role::CloudUser, role == Role::CloudAdmin);
        Permissions {
            role,
            can_create_vm: user,
            can_create_db: user,
            can_create_k8s: admin,
            can_create_network: user,
            can_create_storage: user,
            can_delete: admin,
            max_vm_size: if role == Role::CloudUser { Some(SizeClass::Medium) } else { None },
            allowed_regions: None,
            budget_limit: None,
        }
    }

    /// The flag that governs creating a kind, with its name as shown in messages and rule ids.
    pub fn create_flag(&self, kind: ResourceKind) -> (&'static str, bool) {
        match kind {
            ResourceKind::Vm => ("can_create_vm", self.can_create_vm),
            ResourceKind::Database => ("can_create_db", self.can_create_db),
            ResourceKind::K8s => ("can_create_k8s", self.can_create_k8s),
            ResourceKind::Network | ResourceKind::LoadBalancer => ("can_create_network", self.can_create_network),
            ResourceKind::Storage => ("can_create_storage", self.can_create_storage),
        }
    }

    /// Whether the grant lets the member deploy in `region` (ASCII case ignored).
    pub fn allows_region(&self, region: &str) -> bool {
        match &self.allowed_regions {
            Some(list) if !list.is_empty() => list.iter().any(|r| r.trim().eq_ignore_ascii_case(region.trim())),
            _ => true,
        }
    }
}

/// The member asking, as the front end and the store know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Discord user id.
    pub user_id: u64,
    /// Their grant for the project's provider in this guild, if any.
    pub permissions: Option<Permissions>,
    /// Whether they hold Discord's Administrator permission in the guild.
    pub is_guild_admin: bool,
}

impl Member {
    /// The permissions that apply: the grant if there is one (it may narrow even an administrator), else
    /// CloudAdmin defaults for a guild administrator, else none.
    pub fn effective_permissions(&self) -> Option<Cow<'_, Permissions>> {
        match &self.permissions {
            Some(grant) => Some(Cow::Borrowed(grant)),
            None if self.is_guild_admin => Some(Cow::Owned(Permissions::for_role(Role::CloudAdmin))),
            None => None,
        }
    }

    /// The role that applies, if any (see [`Member::effective_permissions`]).
    pub fn role(&self) -> Option<Role> {
        self.effective_permissions().map(|p| p.role)
    }
}

/// Role, per-kind flag, VM size and allowed regions.
pub(super) fn check(facts: &Facts<'_>, out: &mut Findings) {
    let request = facts.input.request;
    let actor = facts.input.actor;
    let Some(perms) = actor.effective_permissions() else {
        out.deny(
            "permission.role",
            format!(
                "User {} has no cloud role for {} in this guild; a guild administrator can grant one with /cloud-grant",
                actor.user_id, request.provider
            ),
        );
        return;
    };
    if actor.permissions.is_none() {
        out.warn("Acting as CloudAdmin through the Discord Administrator permission (no cloud grant)");
    }

    let (flag, granted) = perms.create_flag(request.kind);
    if !granted {
        out.deny(format!("permission.{flag}"), format!("User lacks {flag} permission"));
    } else if perms.role == Role::CloudViewer {
        // A viewer row with a create flag set is inconsistent; the read-only role wins.
        out.deny("permission.role", "CloudViewer is read-only and cannot deploy");
    }

    if let (Some(max), Some(size)) = (perms.max_vm_size, facts.size_class())
        && size > max
    {
        let name = facts.size_name().unwrap_or_default();
        let what = if request.kind == ResourceKind::K8s { "Node type" } else { "Machine type" };
        out.deny("permission.max_vm_size", format!("{what} {name} is {size}, above the max allowed size ({max})"));
    }

    if !perms.allows_region(&request.region) {
        let allowed = perms.allowed_regions.as_deref().unwrap_or_default().join(", ");
        out.deny(
            "permission.allowed_regions",
            format!("Region {} is not in your allowed regions ({allowed})", super::shown(&request.region)),
        );
    }
}
