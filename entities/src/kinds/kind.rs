//! The kinds of resource a lobby can deploy.

use crate::text_enum;

/// A kind of cloud resource; each maps to one Terraform file and one permission flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum ResourceKind {
    /// A virtual machine.
    Vm,
    /// A managed database instance.
    Database,
    /// A managed Kubernetes cluster.
    K8s,
    /// An object storage bucket / account.
    Storage,
    /// A virtual network with its subnets.
    Network,
    /// A load balancer.
    LoadBalancer,
}

text_enum!(ResourceKind, "resource type", {
    Vm => "vm",
    Database => "database",
    K8s => "k8s",
    Storage => "storage",
    Network => "network",
    LoadBalancer => "load_balancer",
});

impl ResourceKind {
    /// Human-readable name for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            ResourceKind::Vm => "virtual machine",
            ResourceKind::Database => "database",
            ResourceKind::K8s => "Kubernetes cluster",
            ResourceKind::Storage => "storage bucket",
            ResourceKind::Network => "network",
            ResourceKind::LoadBalancer => "load balancer",
        }
    }
}
