//! Quota resource types.

use crate::text_enum;

/// A quota-tracked resource type, as stored in `cloud_quotas.resource_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum QuotaType {
    /// Number of VMs.
    ComputeInstances,
    /// Total vCPUs of the VMs.
    ComputeCpus,
    /// Total RAM of the VMs, in GB.
    ComputeRamGb,
    /// Number of managed databases.
    DatabaseInstances,
    /// Number of Kubernetes clusters.
    KubernetesClusters,
    /// Number of storage buckets.
    StorageBuckets,
    /// Number of virtual networks.
    NetworkVpcs,
    /// Number of load balancers.
    NetworkLoadBalancers,
    /// The project's monthly budget, in micro-dollars per month: what its resources cost, and what
    /// its open lobbies would add, held like any other quota.
    BudgetMonthly,
}

text_enum!(QuotaType, "quota type", {
    ComputeInstances => "compute.instances",
    ComputeCpus => "compute.cpus",
    ComputeRamGb => "compute.ram_gb",
    DatabaseInstances => "database.instances",
    KubernetesClusters => "kubernetes.clusters",
    StorageBuckets => "storage.buckets",
    NetworkVpcs => "network.vpcs",
    NetworkLoadBalancers => "network.load_balancers",
    BudgetMonthly => "budget.monthly",
});
