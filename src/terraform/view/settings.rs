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

/// The project's backend: its state under `chatops/<project id>` in the configured bucket.
pub(crate) fn backend(ctx: &Context, settings: &GeneratorSettings) -> Result<Option<Backend>, GenerateError> {
    let Some(bucket) = &settings.state_bucket else { return Ok(None) };
    let valid = match ctx.provider {
        // An Azure storage account: 3-24 lowercase letters and digits.
        Provider::Azure => {
            (3..=24).contains(&bucket.len()) && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        }
        // GCS and S3 buckets: 3-63 of a-z 0-9 - ., starting and ending alphanumeric.
        Provider::Gcp | Provider::Aws => {
            (3..=63).contains(&bucket.len())
                && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
                && bucket.ends_with(|c: char| c.is_ascii_alphanumeric())
        }
    };
    if !valid {
        let expected = match ctx.provider {
            Provider::Azure => "an Azure storage account name (3-24 lowercase letters and digits)",
            _ => "a bucket name (3-63 of a-z 0-9 - .)",
        };
        return Err(ParseError::new("terraform.state_bucket", bucket, expected).into());
    }
    let key = match ctx.provider {
        Provider::Gcp => format!("chatops/{}", ctx.project),
        Provider::Aws | Provider::Azure => format!("chatops/{}.tfstate", ctx.project),
    };
    Ok(Some(Backend { bucket: bucket.clone(), key, region: ctx.default_region.clone() }))
}
