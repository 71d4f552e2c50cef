//! Conversions from stored rows to the views replies carry.

use entities::{cloud_projects, cloud_quotas, cloud_resources};

use super::{PolicyView, ProjectView, QuotaView, ResourceView};
use crate::domain::Money;
use crate::domain::validate::Policy;

/// A project row as a view.
pub fn project(p: &cloud_projects::Model) -> ProjectView {
    ProjectView {
        id: p.id.clone(),
        name: p.name.clone(),
        provider: p.provider.to_string(),
        default_region: p.default_region.clone(),
        owner_user_id: p.owner_user_id,
        monthly_budget: p.monthly_budget_micros.map(Money::from_micros),
    }
}

/// A resource row as a view.
pub fn resource(r: &cloud_resources::Model) -> ResourceView {
    ResourceView {
        resource_type: r.resource_type.to_string(),
        name: r.name.clone(),
        region: r.region.clone(),
        size: r.config.get("size").and_then(|v| v.as_str()).map(str::to_owned),
        hourly: Money::from_micros(r.hourly_cost_micros),
        created_by: r.created_by,
    }
}

/// A quota row as a view.
pub fn quota(q: &cloud_quotas::Model) -> QuotaView {
    QuotaView {
        quota_type: q.resource_type.to_string(),
        region: q.region.clone(),
        used: q.used,
        reserved: q.reserved,
        limit: q.quota_limit,
        available: q.quota_limit - q.used - q.reserved,
    }
}

/// A policy as a view.
pub fn policy(p: &Policy) -> PolicyView {
    PolicyView {
        id: p.id,
        name: p.name.clone(),
        policy_type: p.policy_type.to_string(),
        resource_pattern: p.resource_pattern.clone(),
        allowed_values: p.allowed_values.clone(),
        denied_values: p.denied_values.clone(),
        max_cost_per_hour: p.max_cost_per_hour,
        require_approval: p.require_approval,
        priority: p.priority,
    }
}
