//! ProjectSpec → the files of its Terraform directory, in a fixed order, formatted.

use std::sync::Arc;

use askama::Template;
use rustc_hash::FxHashSet;

use super::GenerateError;
use super::blocks::{FileBuilder, Globals};
use super::format::format_hcl;
use super::memo::{BlockAddress, Formatted, RenderMemo};
use super::model::ProjectSpec;
use super::shard::shard_formatted;
use super::view::{self, Net, Res, Subnet, View};
use crate::domain::Provider;

/// One generated file: its name inside the project directory and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// File name, e.g. `compute.tf`.
    pub name: String,
    /// Formatted HCL, shared: a file unchanged since the last rendering is the very same text,
    /// so comparing it with what was written needs no reading of its bytes.
    pub contents: Arc<str>,
}

/// The name of a project's directory under the output root.
pub fn dir_name(spec: &ProjectSpec) -> String {
    format!("terraform_{}_{}", spec.provider, spec.project_id)
}

/// Renders every file of the project's configuration; the same spec always gives the same bytes.
pub fn render(spec: &ProjectSpec) -> Result<Vec<RenderedFile>, GenerateError> {
    render_with(spec, &mut RenderMemo::default())
}

/// [`render`], reusing what `memo` kept of the project's last rendering (the same bytes either way).
pub fn render_with(spec: &ProjectSpec, memo: &mut RenderMemo) -> Result<Vec<RenderedFile>, GenerateError> {
    let v = view::build_with(spec, &mut memo.view)?;
    let g = Globals {
        project_id: v.project_id.clone(),
        project_name: v.project_name.clone(),
        encryption_at_host: v.encryption_at_host,
    };
    memo.blocks.begin(&g);
    let wanted = [
        ("versions.tf", true),
        ("provider.tf", true),
        ("compute.tf", !v.vms.is_empty()),
        ("database.tf", !v.dbs.is_empty()),
        ("kubernetes.tf", !v.clusters.is_empty()),
        ("storage.tf", !v.buckets.is_empty()),
        ("network.tf", !v.networks.is_empty()),
        ("loadbalancer.tf", !v.lbs.is_empty()),
        ("outputs.tf", true),
        ("backend.tf", v.backend.is_some()),
        ("terraform.tfvars.example", true),
    ];
    let mut files = Vec::new();
    let mut seen = FxHashSet::default();
    for (name, present) in wanted {
        if present {
            let f = format_file(spec.provider, name, &v, &g, memo)?;
            if name.ends_with(".tf") {
                check_unique_addresses(&mut seen, f.addresses())?;
            }
            files.extend(shard_formatted(name, f, &mut memo.shards));
        }
    }
    memo.finish();
    Ok(files)
}

/// One file formatted: by pieces, each block kept from the last rendering when unchanged, or
/// whole when a piece cannot be cut into blocks. A debug build checks it against the file
/// rendered and formatted whole.
fn format_file(
    provider: Provider,
    name: &str,
    v: &View,
    g: &Globals,
    memo: &mut RenderMemo,
) -> Result<Formatted, GenerateError> {
    let mut by_pieces = FileBuilder::pieces(memo);
    build_file(provider, name, v, g, &mut by_pieces)?;
    match by_pieces.finish() {
        Some(formatted) if !cfg!(debug_assertions) => Ok(formatted),
        by_pieces => {
            let mut whole = FileBuilder::raw(memo);
            build_file(provider, name, v, g, &mut whole)?;
            let raw = whole.into_raw();
            if let Some(f) = &by_pieces {
                debug_assert_eq!(
                    f.text(),
                    format_hcl(&raw),
                    "{name}: formatting by blocks differs from formatting whole"
                );
            }
            Ok(by_pieces.unwrap_or_else(|| Formatted::Whole(format_hcl(&raw))))
        }
    }
}

/// Declares one askama template struct per provider and file (its head) and per loop of it (one
/// item's block), and the dispatch that builds a file from them in order.
macro_rules! templates {
    ($($provider:ident / $file:literal @ $path:literal => $ty:ident [
        $($list:ident: $var:ident: $item:ident @ $bpath:literal => $bty:ident),* $(,)?
    ]),+ $(,)?) => {
        $(
            #[derive(Template)]
            #[template(path = $path)]
            struct $ty<'a> {
                v: &'a View,
            }
            $(
                #[derive(Template)]
                #[template(path = $bpath)]
                struct $bty<'a> {
                    // Not every block prints a global.
                    #[allow(dead_code)]
                    v: &'a Globals,
                    $var: &'a $item,
                }
            )*
        )+

        /// Adds `file`'s head, then each of its loops' blocks, to `out`.
        fn build_file(
            provider: Provider,
            file: &str,
            v: &View,
            g: &Globals,
            out: &mut FileBuilder<'_>,
        ) -> Result<(), GenerateError> {
            let p = provider.as_str();
            $(
                if p == stringify!($provider) && file == $file {
                    out.head(&$ty { v })?;
                    $( out.blocks($bpath, &v.$list, |$var| $bty { v: g, $var })?; )*
                    return Ok(());
                }
            )+
            Err(GenerateError::Render(format!("no {file} template for {p}")))
        }
    };
}

templates! {
    gcp / "versions.tf" @ "terraform/gcp/versions.tf" => GcpVersions [],
    gcp / "provider.tf" @ "terraform/gcp/provider.tf" => GcpProvider [],
    gcp / "compute.tf" @ "terraform/gcp/compute.tf" => GcpCompute [vms: r: Res @ "terraform/gcp/blocks/compute_vms.tf" => GcpComputeVms],
    gcp / "database.tf" @ "terraform/gcp/database.tf" => GcpDatabase [dbs: r: Res @ "terraform/gcp/blocks/database_dbs.tf" => GcpDatabaseDbs],
    gcp / "kubernetes.tf" @ "terraform/gcp/kubernetes.tf" => GcpKubernetes [clusters: r: Res @ "terraform/gcp/blocks/kubernetes_clusters.tf" => GcpKubernetesClusters],
    gcp / "storage.tf" @ "terraform/gcp/storage.tf" => GcpStorage [buckets: r: Res @ "terraform/gcp/blocks/storage_buckets.tf" => GcpStorageBuckets],
    gcp / "network.tf" @ "terraform/gcp/network.tf" => GcpNetwork [networks: n: Net @ "terraform/gcp/blocks/network_networks.tf" => GcpNetworkNetworks, subnets: s: Subnet @ "terraform/gcp/blocks/network_subnets.tf" => GcpNetworkSubnets],
    gcp / "loadbalancer.tf" @ "terraform/gcp/loadbalancer.tf" => GcpLoadBalancer [lbs: r: Res @ "terraform/gcp/blocks/loadbalancer_lbs.tf" => GcpLoadBalancerLbs],
    gcp / "outputs.tf" @ "terraform/gcp/outputs.tf" => GcpOutputs [vms: r: Res @ "terraform/gcp/blocks/outputs_vms.tf" => GcpOutputsVms, dbs: r: Res @ "terraform/gcp/blocks/outputs_dbs.tf" => GcpOutputsDbs, clusters: r: Res @ "terraform/gcp/blocks/outputs_clusters.tf" => GcpOutputsClusters, buckets: r: Res @ "terraform/gcp/blocks/outputs_buckets.tf" => GcpOutputsBuckets, networks: n: Net @ "terraform/gcp/blocks/outputs_networks.tf" => GcpOutputsNetworks, lbs: r: Res @ "terraform/gcp/blocks/outputs_lbs.tf" => GcpOutputsLbs],
    gcp / "backend.tf" @ "terraform/gcp/backend.tf" => GcpBackend [],
    // Rendered through the `.tf` escaper like the rest; written as `terraform.tfvars.example`.
    gcp / "terraform.tfvars.example" @ "terraform/gcp/tfvars.example.tf" => GcpTfvarsExample [],
    aws / "versions.tf" @ "terraform/aws/versions.tf" => AwsVersions [],
    aws / "provider.tf" @ "terraform/aws/provider.tf" => AwsProvider [],
    aws / "compute.tf" @ "terraform/aws/compute.tf" => AwsCompute [vms: r: Res @ "terraform/aws/blocks/compute_vms.tf" => AwsComputeVms],
    aws / "database.tf" @ "terraform/aws/database.tf" => AwsDatabase [dbs: r: Res @ "terraform/aws/blocks/database_dbs.tf" => AwsDatabaseDbs],
    aws / "kubernetes.tf" @ "terraform/aws/kubernetes.tf" => AwsKubernetes [clusters: r: Res @ "terraform/aws/blocks/kubernetes_clusters.tf" => AwsKubernetesClusters],
    aws / "storage.tf" @ "terraform/aws/storage.tf" => AwsStorage [buckets: r: Res @ "terraform/aws/blocks/storage_buckets.tf" => AwsStorageBuckets],
    aws / "network.tf" @ "terraform/aws/network.tf" => AwsNetwork [networks: n: Net @ "terraform/aws/blocks/network_networks.tf" => AwsNetworkNetworks],
    aws / "loadbalancer.tf" @ "terraform/aws/loadbalancer.tf" => AwsLoadBalancer [lbs: r: Res @ "terraform/aws/blocks/loadbalancer_lbs.tf" => AwsLoadBalancerLbs],
    aws / "outputs.tf" @ "terraform/aws/outputs.tf" => AwsOutputs [vms: r: Res @ "terraform/aws/blocks/outputs_vms.tf" => AwsOutputsVms, dbs: r: Res @ "terraform/aws/blocks/outputs_dbs.tf" => AwsOutputsDbs, clusters: r: Res @ "terraform/aws/blocks/outputs_clusters.tf" => AwsOutputsClusters, buckets: r: Res @ "terraform/aws/blocks/outputs_buckets.tf" => AwsOutputsBuckets, networks: n: Net @ "terraform/aws/blocks/outputs_networks.tf" => AwsOutputsNetworks, lbs: r: Res @ "terraform/aws/blocks/outputs_lbs.tf" => AwsOutputsLbs],
    aws / "backend.tf" @ "terraform/aws/backend.tf" => AwsBackend [],
    // Rendered through the `.tf` escaper like the rest; written as `terraform.tfvars.example`.
    aws / "terraform.tfvars.example" @ "terraform/aws/tfvars.example.tf" => AwsTfvarsExample [],
    azure / "versions.tf" @ "terraform/azure/versions.tf" => AzureVersions [],
    azure / "provider.tf" @ "terraform/azure/provider.tf" => AzureProvider [],
    azure / "compute.tf" @ "terraform/azure/compute.tf" => AzureCompute [vms: r: Res @ "terraform/azure/blocks/compute_vms.tf" => AzureComputeVms],
    azure / "database.tf" @ "terraform/azure/database.tf" => AzureDatabase [dbs: r: Res @ "terraform/azure/blocks/database_dbs.tf" => AzureDatabaseDbs],
    azure / "kubernetes.tf" @ "terraform/azure/kubernetes.tf" => AzureKubernetes [clusters: r: Res @ "terraform/azure/blocks/kubernetes_clusters.tf" => AzureKubernetesClusters],
    azure / "storage.tf" @ "terraform/azure/storage.tf" => AzureStorage [buckets: r: Res @ "terraform/azure/blocks/storage_buckets.tf" => AzureStorageBuckets],
    azure / "network.tf" @ "terraform/azure/network.tf" => AzureNetwork [networks: n: Net @ "terraform/azure/blocks/network_networks.tf" => AzureNetworkNetworks, pg_networks: n: Net @ "terraform/azure/blocks/network_pg_networks.tf" => AzureNetworkPgNetworks],
    azure / "loadbalancer.tf" @ "terraform/azure/loadbalancer.tf" => AzureLoadBalancer [lbs: r: Res @ "terraform/azure/blocks/loadbalancer_lbs.tf" => AzureLoadBalancerLbs],
    azure / "outputs.tf" @ "terraform/azure/outputs.tf" => AzureOutputs [vms: r: Res @ "terraform/azure/blocks/outputs_vms.tf" => AzureOutputsVms, dbs: r: Res @ "terraform/azure/blocks/outputs_dbs.tf" => AzureOutputsDbs, clusters: r: Res @ "terraform/azure/blocks/outputs_clusters.tf" => AzureOutputsClusters, buckets: r: Res @ "terraform/azure/blocks/outputs_buckets.tf" => AzureOutputsBuckets, networks: n: Net @ "terraform/azure/blocks/outputs_networks.tf" => AzureOutputsNetworks, lbs: r: Res @ "terraform/azure/blocks/outputs_lbs.tf" => AzureOutputsLbs],
    azure / "backend.tf" @ "terraform/azure/backend.tf" => AzureBackend [],
    // Rendered through the `.tf` escaper like the rest; written as `terraform.tfvars.example`.
    azure / "terraform.tfvars.example" @ "terraform/azure/tfvars.example.tf" => AzureTfvarsExample [],
}

/// Terraform refuses two blocks with the same address; catch generated clashes (a user network
/// named like a generated one, say) here rather than at `terraform validate`. `addresses` holds
/// every `resource` and `data` block of one file; `seen` the addresses of the files before it.
fn check_unique_addresses(
    seen: &mut FxHashSet<BlockAddress>,
    addresses: impl Iterator<Item = BlockAddress>,
) -> Result<(), GenerateError> {
    for address in addresses {
        if let Some(clash) = seen.replace(address) {
            return Err(GenerateError::Conflict(format!("two resources would both be `{}`", clash.1)));
        }
    }
    Ok(())
}
