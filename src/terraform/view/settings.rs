//! What the installation's settings and the project's kinds add around the resources: the Google
//! APIs to enable and the remote-state backend.

use std::collections::BTreeSet;

use super::super::GenerateError;
use super::super::model::{GeneratorSettings, ResourceSpec};
use super::{Api, Backend, Context};
use crate::domain::{ParseError, Provider, ResourceKind};

/// GCP: the services each kind needs, so a fresh Google project can `apply` without clicking.
pub(crate) fn google_apis(ctx: &Context, resources: &[&ResourceSpec]) -> Vec<Api> {
    if ctx.provider != Provider::Gcp {
        return Vec::new();
    }
    let mut services = BTreeSet::new();
    for r in resources {
        let needs: &[&str] = match r.kind {
            ResourceKind::Vm | ResourceKind::Network | ResourceKind::LoadBalancer => &["compute"],
            ResourceKind::Database => &["compute", "servicenetworking", "sqladmin"],
            ResourceKind::K8s => &["compute", "container"],
            ResourceKind::Storage => &["storage"],
        };
        services.extend(needs.iter().copied());
    }
    services.into_iter().map(|s| Api { label: s.to_owned(), service: format!("{s}.googleapis.com") }).collect()
}

/// The project's backend: its state under `chatops/<project id>` in its cloud's store. The names
/// were checked when the settings loaded; they are checked again for a model built otherwise.
pub(crate) fn backend(ctx: &Context, settings: &GeneratorSettings) -> Result<Option<Backend>, GenerateError> {
    use crate::domain::state;
    let stores = &settings.state;
    let checked = |key: &'static str, value: &str, problem: fn(&str) -> Option<&'static str>| match problem(value) {
        Some(expected) => Err(GenerateError::from(ParseError::new(key, value, expected))),
        None => Ok(value.to_owned()),
    };
    let key = match ctx.provider {
        Provider::Gcp => format!("chatops/{}", ctx.project),
        Provider::Aws | Provider::Azure => format!("chatops/{}.tfstate", ctx.project),
    };
    let backend = match ctx.provider {
        Provider::Gcp => match &stores.gcp {
            None => return Ok(None),
            Some(s) => Backend {
                bucket: checked("terraform.backend.gcp.bucket", &s.bucket, state::gcs_bucket_problem)?,
                key,
                region: String::new(),
                container: String::new(),
                resource_group: None,
            },
        },
        Provider::Aws => match &stores.aws {
            None => return Ok(None),
            Some(s) => Backend {
                bucket: checked("terraform.backend.aws.bucket", &s.bucket, state::s3_bucket_problem)?,
                key,
                region: match &s.region {
                    Some(region) => checked("terraform.backend.aws.region", region, state::aws_region_problem)?,
                    None => ctx.default_region.clone(),
                },
                container: String::new(),
                resource_group: None,
            },
        },
        Provider::Azure => match &stores.azure {
            None => return Ok(None),
            Some(s) => Backend {
                bucket: checked(
                    "terraform.backend.azure.storage_account",
                    &s.storage_account,
                    state::storage_account_problem,
                )?,
                key,
                region: String::new(),
                container: checked("terraform.backend.azure.container", &s.container, state::container_problem)?,
                resource_group: match &s.resource_group {
                    Some(group) => {
                        Some(checked("terraform.backend.azure.resource_group", group, state::resource_group_problem)?)
                    }
                    None => None,
                },
            },
        },
    };
    Ok(Some(backend))
}
