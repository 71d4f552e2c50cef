//! Where each cloud's projects keep their Terraform state, and the names each kind of store takes.
//! One store per cloud: a GCS bucket, an S3 bucket in its own region, an Azure storage account
//! container. Pure: the settings check these names at start-up, the generator again when it writes.

use super::Provider;

/// The remote state stores of an installation; a cloud without one keeps local state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StateStores {
    /// GCP projects' state.
    pub gcp: Option<GcsStore>,
    /// AWS projects' state.
    pub aws: Option<S3Store>,
    /// Azure projects' state.
    pub azure: Option<AzureStore>,
}

/// A GCS bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcsStore {
    /// Its name.
    pub bucket: String,
}

/// An S3 bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Store {
    /// Its name.
    pub bucket: String,
    /// The region it lives in; `None` (only the single `terraform.state_bucket` of earlier
    /// versions) takes each project's default region.
    pub region: Option<String>,
}

/// An Azure storage account's container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureStore {
    /// The storage account.
    pub storage_account: String,
    /// The blob container in it.
    pub container: String,
    /// The account's resource group, when given (Azure AD auth does not need it).
    pub resource_group: Option<String>,
}

/// The container a storage account's state goes into unless one is named.
pub const DEFAULT_CONTAINER: &str = "tfstate";

impl StateStores {
    /// The single name of earlier versions (`terraform.state_bucket`), used by every cloud: a GCS
    /// bucket, an S3 bucket in each project's default region, an Azure storage account.
    pub fn one_name_for_all(name: &str) -> StateStores {
        StateStores {
            gcp: Some(GcsStore { bucket: name.to_owned() }),
            aws: Some(S3Store { bucket: name.to_owned(), region: None }),
            azure: Some(AzureStore {
                storage_account: name.to_owned(),
                container: DEFAULT_CONTAINER.to_owned(),
                resource_group: None,
            }),
        }
    }

    /// Whether `provider`'s projects keep remote state.
    pub fn has(&self, provider: Provider) -> bool {
        match provider {
            Provider::Gcp => self.gcp.is_some(),
            Provider::Aws => self.aws.is_some(),
            Provider::Azure => self.azure.is_some(),
        }
    }
}

/// What is wrong with a GCS bucket name, if anything.
pub fn gcs_bucket_problem(name: &str) -> Option<&'static str> {
    let ok = (3..=63).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
        && ends_alphanumeric(name);
    (!ok).then_some("a GCS bucket name: 3-63 of a-z 0-9 - _ ., starting and ending with a letter or digit")
}

/// What is wrong with an S3 bucket name, if anything.
pub fn s3_bucket_problem(name: &str) -> Option<&'static str> {
    let ok = (3..=63).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'))
        && ends_alphanumeric(name)
        && !name.contains("..");
    (!ok).then_some("an S3 bucket name: 3-63 of a-z 0-9 - ., starting and ending with a letter or digit")
}

/// What is wrong with an AWS region name, if anything.
pub fn aws_region_problem(name: &str) -> Option<&'static str> {
    let parts: Vec<&str> = name.split('-').collect();
    let ok = parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    (!ok).then_some("the AWS region the bucket lives in, e.g. eu-west-1")
}

/// What is wrong with an Azure storage account name, if anything.
pub fn storage_account_problem(name: &str) -> Option<&'static str> {
    let ok = (3..=24).contains(&name.len()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (!ok).then_some("an Azure storage account name: 3-24 lowercase letters and digits, no hyphen")
}

/// What is wrong with an Azure blob container name, if anything.
pub fn container_problem(name: &str) -> Option<&'static str> {
    let ok = (3..=63).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && ends_alphanumeric(name)
        && !name.contains("--");
    (!ok).then_some("an Azure container name: 3-63 of a-z 0-9 -, starting and ending with a letter or digit")
}

/// What is wrong with an Azure resource group name, if anything.
pub fn resource_group_problem(name: &str) -> Option<&'static str> {
    let ok = (1..=90).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
        && !name.ends_with('.');
    (!ok).then_some("an Azure resource group name: 1-90 of A-Z a-z 0-9 - _ . ( ), not ending in .")
}

fn ends_alphanumeric(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric()) && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_store_takes_the_names_its_cloud_takes() {
        assert_eq!(gcs_bucket_problem("acme_tf-state.v1"), None);
        assert_eq!(s3_bucket_problem("acme-tfstate"), None);
        assert!(s3_bucket_problem("acme_tfstate").is_some(), "S3 takes no underscore");
        assert!(s3_bucket_problem("a..b").is_some());
        assert_eq!(storage_account_problem("acmetfstate"), None);
        assert!(storage_account_problem("acme-tfstate").is_some(), "a storage account takes no hyphen");
        assert_eq!(container_problem("tfstate"), None);
        assert!(container_problem("tf--state").is_some());
        assert_eq!(resource_group_problem("rg-Platform_(state)"), None);
        assert!(resource_group_problem("rg.").is_some());
        assert_eq!(aws_region_problem("ap-northeast-1"), None);
        assert!(aws_region_problem("Europe").is_some());
        for bad in ["", "Ab", "-ab", "ab-", "a/b"] {
            assert!(gcs_bucket_problem(bad).is_some() && s3_bucket_problem(bad).is_some(), "{bad:?}");
        }
    }
}
