//! ProjectSpec → the files of its Terraform directory, in a fixed order, formatted.

use std::collections::HashSet;

use askama::Template;

use super::GenerateError;
use super::memo::{BlockAddress, RenderMemo};
use super::model::ProjectSpec;
use super::shard::shard_formatted;
use super::view::{self, View};
use crate::domain::Provider;

/// One generated file: its name inside the project directory and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// File name, e.g. `compute.tf`.
    pub name: String,
    /// Formatted HCL.
    pub contents: String,
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
    let v = view::build_with(spec, &mut memo.valid)?;
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
    let mut seen = HashSet::new();
    for (name, present) in wanted {
        if present {
            let mut raw = memo.take_buffer();
            render_one(spec.provider, name, &v, &mut raw)?;
            let f = memo.format(&raw);
            memo.give_buffer(raw);
            if name.ends_with(".tf") {
                check_unique_addresses(&mut seen, f.addresses())?;
            }
            files.extend(shard_formatted(name, f));
        }
    }
    memo.finish();
    Ok(files)
}

/// Declares one askama template struct per provider and file, and the dispatch over them.
macro_rules! templates {
    ($($provider:ident / $file:literal @ $path:literal => $ty:ident),+ $(,)?) => {
        $(
            #[derive(Template)]
            #[template(path = $path)]
            struct $ty<'a> {
                v: &'a View,
            }
        )+

        /// Renders `file` into `out` (emptied first).
        fn render_one(provider: Provider, file: &str, v: &View, out: &mut String) -> Result<(), GenerateError> {
            let p = provider.as_str();
            out.clear();
            $(
                if p == stringify!($provider) && file == $file {
                    return Ok($ty { v }.render_into(out)?);
                }
            )+
            Err(GenerateError::Render(format!("no {file} template for {p}")))
        }
    };
}

templates! {
    gcp / "versions.tf" @ "terraform/gcp/versions.tf" => GcpVersions,
    gcp / "provider.tf" @ "terraform/gcp/provider.tf" => GcpProvider,
    gcp / "compute.tf" @ "terraform/gcp/compute.tf" => GcpCompute,
    gcp / "database.tf" @ "terraform/gcp/database.tf" => GcpDatabase,
    gcp / "kubernetes.tf" @ "terraform/gcp/kubernetes.tf" => GcpKubernetes,
    gcp / "storage.tf" @ "terraform/gcp/storage.tf" => GcpStorage,
    gcp / "network.tf" @ "terraform/gcp/network.tf" => GcpNetwork,
    gcp / "loadbalancer.tf" @ "terraform/gcp/loadbalancer.tf" => GcpLoadBalancer,
    gcp / "outputs.tf" @ "terraform/gcp/outputs.tf" => GcpOutputs,
    gcp / "backend.tf" @ "terraform/gcp/backend.tf" => GcpBackend,
    // Rendered through the `.tf` escaper like the rest; written as `terraform.tfvars.example`.
    gcp / "terraform.tfvars.example" @ "terraform/gcp/tfvars.example.tf" => GcpTfvarsExample,
    aws / "versions.tf" @ "terraform/aws/versions.tf" => AwsVersions,
    aws / "provider.tf" @ "terraform/aws/provider.tf" => AwsProvider,
    aws / "compute.tf" @ "terraform/aws/compute.tf" => AwsCompute,
    aws / "database.tf" @ "terraform/aws/database.tf" => AwsDatabase,
    aws / "kubernetes.tf" @ "terraform/aws/kubernetes.tf" => AwsKubernetes,
    aws / "storage.tf" @ "terraform/aws/storage.tf" => AwsStorage,
    aws / "network.tf" @ "terraform/aws/network.tf" => AwsNetwork,
    aws / "loadbalancer.tf" @ "terraform/aws/loadbalancer.tf" => AwsLoadBalancer,
    aws / "outputs.tf" @ "terraform/aws/outputs.tf" => AwsOutputs,
    aws / "backend.tf" @ "terraform/aws/backend.tf" => AwsBackend,
    // Rendered through the `.tf` escaper like the rest; written as `terraform.tfvars.example`.
    aws / "terraform.tfvars.example" @ "terraform/aws/tfvars.example.tf" => AwsTfvarsExample,
    azure / "versions.tf" @ "terraform/azure/versions.tf" => AzureVersions,
    azure / "provider.tf" @ "terraform/azure/provider.tf" => AzureProvider,
    azure / "compute.tf" @ "terraform/azure/compute.tf" => AzureCompute,
    azure / "database.tf" @ "terraform/azure/database.tf" => AzureDatabase,
    azure / "kubernetes.tf" @ "terraform/azure/kubernetes.tf" => AzureKubernetes,
    azure / "storage.tf" @ "terraform/azure/storage.tf" => AzureStorage,
    azure / "network.tf" @ "terraform/azure/network.tf" => AzureNetwork,
    azure / "loadbalancer.tf" @ "terraform/azure/loadbalancer.tf" => AzureLoadBalancer,
    azure / "outputs.tf" @ "terraform/azure/outputs.tf" => AzureOutputs,
    azure / "backend.tf" @ "terraform/azure/backend.tf" => AzureBackend,
    // Rendered through the `.tf` escaper like the rest; written as `terraform.tfvars.example`.
    azure / "terraform.tfvars.example" @ "terraform/azure/tfvars.example.tf" => AzureTfvarsExample,
}

/// Terraform refuses two blocks with the same address; catch generated clashes (a user network
/// named like a generated one, say) here rather than at `terraform validate`. `addresses` holds
/// every `resource` and `data` block of one file; `seen` the addresses of the files before it.
fn check_unique_addresses(
    seen: &mut HashSet<BlockAddress>,
    addresses: impl Iterator<Item = BlockAddress>,
) -> Result<(), GenerateError> {
    for address in addresses {
        if let Some(clash) = seen.replace(address) {
            return Err(GenerateError::Conflict(format!("two resources would both be `{}`", clash.1)));
        }
    }
    Ok(())
}
