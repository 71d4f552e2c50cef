//! What a lobby asks to change: new resources (a deploy, a stack), or one existing resource
//! removed or resized. Stored with the lobby, so what approval writes is what the lobby showed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::validate::DeployRequest;
use super::{Money, QuotaType, ResourceKind};

/// The kinds of lobby.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LobbyKind {
    /// `/cloud-deploy`.
    Deploy,
    /// `/cloud-destroy`.
    Destroy,
    /// `/cloud-resize`.
    Resize,
    /// `/cloud-stack`.
    Stack,
}

impl LobbyKind {
    /// The word for the lobby in titles and audit entries.
    pub fn as_str(self) -> &'static str {
        match self {
            LobbyKind::Deploy => "deploy",
            LobbyKind::Destroy => "destroy",
            LobbyKind::Resize => "resize",
            LobbyKind::Stack => "stack",
        }
    }
}

/// A resource's size as members read it: `e2-small`, a cluster's `e2-standard-2 ×3`, `-` unknown.
pub fn sized(size: Option<&str>, nodes: Option<u32>) -> String {
    let size = size.unwrap_or("-");
    match nodes {
        Some(n) => format!("{size} ×{n}"),
        None => size.to_owned(),
    }
}

/// A lobby's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "lobby", rename_all = "snake_case")]
pub enum Plan {
    /// `count` new resources of one kind.
    Deploy(DeployRequest),
    /// An existing resource goes away.
    Destroy(Target),
    /// An existing resource changes size.
    Resize(Resize),
    /// Several new resources from a template, created all or none.
    Stack(Stack),
}

/// An existing resource, as it was when the lobby opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// `cloud_resources.id`.
    pub id: i64,
    /// Kind.
    pub kind: ResourceKind,
    /// Name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Machine type, tier or node type.
    #[serde(default)]
    pub size: Option<String>,
    /// Kubernetes nodes.
    #[serde(default)]
    pub node_count: Option<u32>,
    /// What it costs per hour.
    pub hourly: Money,
    /// What it consumes of the project's quotas (its budget line included).
    #[serde(default)]
    pub consumption: Vec<(QuotaType, i64)>,
    /// Who deployed it (whose budget it counts against).
    pub created_by: i64,
    /// Its other settings as recorded (network, options), carried over by a resize.
    #[serde(default)]
    pub config: serde_json::Value,
    /// The generator protects it from deletion: removing it takes two steps (see `Decommission`).
    #[serde(default)]
    pub protected: bool,
    /// Its protection was lifted by an earlier destroy; this one removes it.
    #[serde(default)]
    pub decommissioning: bool,
}

impl Target {
    /// Whether the generated Terraform protects a kind from deletion (`deletion_protection`,
    /// `enable_deletion_protection`, buckets that keep their objects), so removing it takes two
    /// applies: one that lifts the protection, one that removes it.
    pub fn is_protected(provider: super::Provider, kind: ResourceKind) -> bool {
        use super::Provider::{Aws, Gcp};
        matches!(
            (provider, kind),
            (Gcp | Aws, ResourceKind::Database)
                | (Gcp, ResourceKind::K8s)
                | (Aws, ResourceKind::LoadBalancer)
                | (Gcp | Aws, ResourceKind::Storage)
        )
    }
}

/// A resize: the resource and what it becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resize {
    /// The resource as it is.
    pub target: Target,
    /// The new machine type, tier or node type (`None`: unchanged).
    #[serde(default)]
    pub size: Option<String>,
    /// The new node count (`None`: unchanged).
    #[serde(default)]
    pub node_count: Option<u32>,
}

impl Resize {
    /// The resource at its new size, as a deploy of one would be judged.
    pub fn as_request(&self, provider: super::Provider) -> DeployRequest {
        let t = &self.target;
        let options: BTreeMap<String, String> = t
            .config
            .get("options")
            .and_then(|o| o.as_object())
            .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
            .unwrap_or_default();
        DeployRequest {
            provider,
            kind: t.kind,
            name: t.name.clone(),
            region: t.region.clone(),
            size: self.size.clone().or_else(|| t.size.clone()),
            node_count: self.node_count.or(t.node_count),
            count: 1,
            options,
            links: Default::default(),
            egress_hourly: Money::ZERO,
        }
    }
}

/// A stack: resources named after the stack, from one template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stack {
    /// Template id (`web`).
    pub template: String,
    /// The stack's name; every resource is named after it (`shop-net`, `shop-vm-1`).
    pub name: String,
    /// Its resources, in creation order (networks first).
    pub items: Vec<DeployRequest>,
}

impl Plan {
    /// Which kind of lobby this is.
    pub fn kind(&self) -> LobbyKind {
        match self {
            Plan::Deploy(_) => LobbyKind::Deploy,
            Plan::Destroy(_) => LobbyKind::Destroy,
            Plan::Resize(_) => LobbyKind::Resize,
            Plan::Stack(_) => LobbyKind::Stack,
        }
    }

    /// The resource kind the lobby is about (a stack's first item's; it is stored as the
    /// session's `deployment_type`).
    pub fn resource_kind(&self) -> ResourceKind {
        match self {
            Plan::Deploy(r) => r.kind,
            Plan::Destroy(t) => t.kind,
            Plan::Resize(r) => r.target.kind,
            Plan::Stack(s) => s.items.first().map_or(ResourceKind::Network, |i| i.kind),
        }
    }

    /// The name the lobby is about: the resource's, or the stack's.
    pub fn name(&self) -> &str {
        match self {
            Plan::Deploy(r) => &r.name,
            Plan::Destroy(t) => &t.name,
            Plan::Resize(r) => &r.target.name,
            Plan::Stack(s) => &s.name,
        }
    }

    /// The existing resource a destroy or resize changes.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Plan::Destroy(t) => Some(t),
            Plan::Resize(r) => Some(&r.target),
            _ => None,
        }
    }
}
