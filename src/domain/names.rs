//! Validated names for user-supplied values that end up in Terraform: resource names, regions,
//! machine types and project ids. Each rule is the provider's own, so a value that parses here is
//! one the provider's API accepts as a name (catalogue membership is checked elsewhere).

use super::{ParseError, Provider, ResourceKind};

/// A resource name that satisfies its provider's naming rules for its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceName(String);

/// A region (or Azure location) name: `[a-z0-9-_.]`, 2 to 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(String);

/// A machine type, database tier or node size: `[A-Za-z0-9-_.]`, 2 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MachineType(String);

/// A chatops project id, `<provider>-<6 hex>`; safe as a path component by construction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(String);

const WHAT: &str = "resource name";

/// One naming rule: a short description (for the error) and a check.
struct Rule {
    expected: &'static str,
    check: fn(&str) -> Result<(), &'static str>,
}

impl ResourceName {
    /// Parses `s` as the name of a `kind` resource at `provider`, enforcing that provider's rules.
    pub fn parse(provider: Provider, kind: ResourceKind, s: &str) -> Result<Self, ParseError> {
        let rule = rule_for(provider, kind);
        match (rule.check)(s) {
            Ok(()) => Ok(Self(s.to_owned())),
            Err(broken) => Err(ParseError::new(WHAT, s, format!("{broken}; expected {}", rule.expected))),
        }
    }

    /// The name as the provider sees it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A Terraform block label derived from the name: `.` becomes `_`, a leading digit gets `r_`.
    pub fn tf_label(&self) -> String {
        tf_label(&self.0)
    }
}

/// Turns a validated name into a Terraform identifier (letters, digits, `_`, `-`; not digit-first).
pub(crate) fn tf_label(s: &str) -> String {
    label_of(s).into_owned()
}

/// [`tf_label`], borrowing the name when it is a label already (most are).
pub(crate) fn label_of(s: &str) -> std::borrow::Cow<'_, str> {
    let kept = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let starts = |s: &str| s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    if starts(s) && s.chars().all(kept) {
        return s.into();
    }
    let body: String = s.chars().map(|c| if kept(c) { c } else { '_' }).collect();
    if starts(&body) { body.into() } else { format!("r_{body}").into() }
}

fn rule_for(provider: Provider, kind: ResourceKind) -> Rule {
    use ResourceKind as K;
    match (provider, kind) {
        (Provider::Gcp, K::Storage) => Rule {
            expected: "a GCS bucket name: 3-63 of a-z 0-9 - _ ., starting and ending with a letter or digit, \
                       not an IP address, not starting with `goog` and not containing `google`",
            check: gcs_bucket,
        },
        (Provider::Gcp, K::K8s) => Rule {
            expected: "a GKE cluster name: 1-40 of a-z 0-9 -, starting with a letter, not ending with -",
            check: |s| gcp_name(s, 40),
        },
        (Provider::Gcp, _) => {
            Rule { expected: "a GCP name matching ^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", check: |s| gcp_name(s, 63) }
        }
        (Provider::Aws, K::Storage) => Rule {
            expected: "an S3 bucket name: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, \
                       no `..`, not an IP address, no xn-- / sthree- / amzn-s3-demo- prefix, \
                       no -s3alias / --ol-s3 / .mrap / --x-s3 suffix",
            check: s3_bucket,
        },
        (Provider::Aws, K::LoadBalancer) => Rule {
            expected: "an ELB name: 1-32 of a-z 0-9 -, starting with a letter, not ending with -, \
                       no `--`, not starting with `internal-`",
            check: aws_lb,
        },
        (Provider::Aws, K::K8s) => Rule {
            expected: "an EKS cluster name: 1-40 of a-z 0-9 -, starting with a letter, not ending with -, no `--`",
            check: |s| aws_name(s, 40),
        },
        (Provider::Aws, _) => Rule {
            expected: "an AWS name: 1-63 of a-z 0-9 -, starting with a letter, not ending with -, no `--`",
            check: |s| aws_name(s, 63),
        },
        (Provider::Azure, K::Storage) => Rule {
            expected: "an Azure storage account name: 3-24 lowercase letters and digits",
            check: azure_storage_account,
        },
        (Provider::Azure, K::Vm) => Rule {
            expected: "an Azure Linux VM name: 1-64 of A-Z a-z 0-9 -, starting and ending with a letter or digit",
            check: azure_vm,
        },
        (Provider::Azure, K::Database) => Rule {
            expected: "an Azure PostgreSQL server name: 3-63 of a-z 0-9 -, starting and ending with a letter or digit",
            check: azure_postgres,
        },
        (Provider::Azure, K::K8s) => Rule {
            expected: "an AKS cluster name: 1-63 of A-Z a-z 0-9 - _, starting and ending with a letter or digit",
            check: azure_aks,
        },
        (Provider::Azure, _) => Rule {
            expected: "an Azure name: 2-64 of A-Z a-z 0-9 - _ ., starting with a letter or digit, \
                       ending with a letter, digit or _",
            check: azure_general,
        },
    }
}

fn length(s: &str, min: usize, max: usize) -> Result<(), &'static str> {
    let n = s.chars().count();
    if n < min {
        Err("too short")
    } else if n > max {
        Err("too long")
    } else {
        Ok(())
    }
}

fn charset(s: &str, ok: impl Fn(char) -> bool) -> Result<(), &'static str> {
    if s.chars().all(ok) { Ok(()) } else { Err("contains a character that is not allowed") }
}

fn lower_digit_hyphen(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

fn alnum_edges(s: &str) -> Result<(), &'static str> {
    let ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok(s.chars().next()) {
        Err("must start with a letter or digit")
    } else if !ok(s.chars().last()) {
        Err("must end with a letter or digit")
    } else {
        Ok(())
    }
}

fn gcp_name(s: &str, max: usize) -> Result<(), &'static str> {
    length(s, 1, max)?;
    charset(s, lower_digit_hyphen)?;
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a lowercase letter");
    }
    if s.ends_with('-') {
        return Err("must not end with -");
    }
    Ok(())
}

fn aws_name(s: &str, max: usize) -> Result<(), &'static str> {
    gcp_name(s, max)?;
    if s.contains("--") {
        return Err("must not contain --");
    }
    Ok(())
}

fn aws_lb(s: &str) -> Result<(), &'static str> {
    aws_name(s, 32)?;
    if s.starts_with("internal-") {
        return Err("must not start with internal-");
    }
    Ok(())
}

fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
}

fn gcs_bucket(s: &str) -> Result<(), &'static str> {
    length(s, 3, 63)?;
    charset(s, |c| lower_digit_hyphen(c) || c == '_' || c == '.')?;
    alnum_edges(s)?;
    if is_ipv4(s) {
        return Err("must not look like an IP address");
    }
    if s.starts_with("goog") {
        return Err("must not start with goog");
    }
    if s.contains("google") || s.contains("g00gle") {
        return Err("must not contain google");
    }
    if s.contains("..") {
        return Err("must not contain ..");
    }
    Ok(())
}

fn s3_bucket(s: &str) -> Result<(), &'static str> {
    length(s, 3, 63)?;
    charset(s, |c| lower_digit_hyphen(c) || c == '.')?;
    alnum_edges(s)?;
    if s.contains("..") {
        return Err("must not contain ..");
    }
    if is_ipv4(s) {
        return Err("must not look like an IP address");
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if s.starts_with(prefix) {
            return Err("starts with a reserved prefix");
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if s.ends_with(suffix) {
            return Err("ends with a reserved suffix");
        }
    }
    Ok(())
}

fn azure_storage_account(s: &str) -> Result<(), &'static str> {
    length(s, 3, 24)?;
    charset(s, |c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn azure_vm(s: &str) -> Result<(), &'static str> {
    length(s, 1, 64)?;
    charset(s, |c| c.is_ascii_alphanumeric() || c == '-')?;
    alnum_edges(s)
}

fn azure_postgres(s: &str) -> Result<(), &'static str> {
    length(s, 3, 63)?;
    charset(s, lower_digit_hyphen)?;
    alnum_edges(s)
}

fn azure_aks(s: &str) -> Result<(), &'static str> {
    length(s, 1, 63)?;
    charset(s, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_')?;
    alnum_edges(s)
}

fn azure_general(s: &str) -> Result<(), &'static str> {
    length(s, 2, 64)?;
    charset(s, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))?;
    if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("must start with a letter or digit");
    }
    if !s.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        return Err("must end with a letter, digit or _");
    }
    Ok(())
}

impl Region {
    /// Parses a region name; the catalogue decides whether `provider` really offers it.
    pub fn parse(provider: Provider, s: &str) -> Result<Self, ParseError> {
        let expected = format!("{} region: 2-40 of a-z 0-9 - _ .", super::words::with_article(provider.display_name()));
        let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.');
        match length(s, 2, 40).and_then(|()| charset(s, ok)) {
            Ok(()) => Ok(Self(s.to_owned())),
            Err(broken) => Err(ParseError::new("region", s, format!("{broken}; expected {expected}"))),
        }
    }

    /// The region as the provider spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl MachineType {
    /// Parses a machine type / tier; the catalogue decides whether `provider` really offers it.
    pub fn parse(provider: Provider, s: &str) -> Result<Self, ParseError> {
        let expected =
            format!("{} machine type: 2-64 of A-Z a-z 0-9 - _ .", super::words::with_article(provider.display_name()));
        let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        match length(s, 2, 64).and_then(|()| charset(s, ok)) {
            Ok(()) => Ok(Self(s.to_owned())),
            Err(broken) => Err(ParseError::new("machine type", s, format!("{broken}; expected {expected}"))),
        }
    }

    /// The machine type as the provider spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ProjectId {
    /// Parses `^(gcp|aws|azure)-[0-9a-f]{6}$`.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let expected = "gcp-, aws- or azure- followed by 6 lowercase hex digits, e.g. gcp-3f9a1c";
        let valid = s.split_once('-').is_some_and(|(prefix, hex)| {
            Provider::ALL.iter().any(|p| p.as_str() == prefix)
                && hex.len() == 6
                && hex.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        });
        if valid { Ok(Self(s.to_owned())) } else { Err(ParseError::new("project id", s, expected)) }
    }

    /// The id as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The provider named by the id's prefix.
    pub fn provider(&self) -> Provider {
        let prefix = self.0.split('-').next().unwrap_or_default();
        prefix.parse().unwrap_or(Provider::Gcp)
    }
}

/// Whether a `kind` at `provider` lives in a namespace shared by every customer of the provider
/// (S3 and GCS buckets, Azure storage accounts and PostgreSQL servers), so the name the user typed
/// would clash with someone else's at `apply`.
pub fn is_globally_named(provider: Provider, kind: ResourceKind) -> bool {
    matches!(
        (provider, kind),
        (Provider::Aws | Provider::Gcp | Provider::Azure, ResourceKind::Storage)
            | (Provider::Azure, ResourceKind::Database)
    )
}

/// Whether a `kind` at `provider` is named uniquely per account and region, so two projects in one
/// AWS account that both have an `orders` database would collide at `apply` (RDS identifiers, DB
/// subnet and parameter groups, final snapshots, load balancers and their target groups, EKS
/// clusters). Names unique per VPC, resource group or GCP project need nothing: each project has
/// its own VPCs, resource group and, as the README asks, GCP project.
pub fn is_account_scoped(provider: Provider, kind: ResourceKind) -> bool {
    matches!((provider, kind), (Provider::Aws, ResourceKind::Database | ResourceKind::LoadBalancer | ResourceKind::K8s))
}

/// The name a resource gets at its provider: the user's name as typed, or the name with the
/// project's 6 hex digits appended where it would clash with another project's: in a global
/// namespace ([`is_globally_named`]; shortened to fit the provider's rules), or in one per account
/// and region ([`is_account_scoped`]; a name too long to carry the suffix is refused, never cut,
/// so two of a project's names cannot become one). Deterministic, so regeneration never renames
/// (and so replaces) anything; the lobby shows it before approval.
pub fn physical_name(
    provider: Provider,
    kind: ResourceKind,
    name: &str,
    project_id: &str,
) -> Result<String, ParseError> {
    let name = ResourceName::parse(provider, kind, name)?;
    let project = ProjectId::parse(project_id)?;
    physical_name_of(provider, kind, &name, &project)
}

/// [`physical_name`] of a name and project id parsed already.
pub fn physical_name_of(
    provider: Provider,
    kind: ResourceKind,
    name: &ResourceName,
    project: &ProjectId,
) -> Result<String, ParseError> {
    let suffix = project.0.rsplit('-').next().unwrap_or_default();
    if is_account_scoped(provider, kind) {
        // The cloud's own limit on the whole name: an ALB or target group takes 32 characters, an
        // RDS identifier 63 (its final snapshot adds `-final`, within 255), an EKS cluster 100.
        let max = match kind {
            ResourceKind::LoadBalancer => 32,
            ResourceKind::Database => 63,
            _ => 100,
        };
        let keep = max - suffix.len() - 1;
        if name.0.chars().count() > keep {
            let why = format!(
                "too long: AWS names a {} per account and region, so it is written as `<name>-{suffix}`, \
                 which leaves {keep} characters for the name",
                kind.display_name()
            );
            return Err(ParseError::new(WHAT, &name.0, why));
        }
        // A valid name ends with a letter or digit, so `-<hex>` keeps it valid.
        return Ok(format!("{}-{suffix}", name.0));
    }
    if !is_globally_named(provider, kind) {
        return Ok(name.0.clone());
    }
    let (max, sep) = match (provider, kind) {
        (Provider::Azure, ResourceKind::Storage) => (24, ""),
        _ => (63, "-"),
    };
    let keep = max - suffix.len() - sep.len();
    let head: String = name.0.chars().take(keep).collect();
    // Shortening may leave a separator last, which none of these namespaces allows before ours.
    let head = head.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    let physical = format!("{head}{sep}{suffix}");
    // The rule of the kind still holds for the result (tested over every provider and kind).
    ResourceName::parse(provider, kind, &physical).map(|n| n.0)
}

macro_rules! display_as_str {
    ($($ty:ty),+) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )+};
}
display_as_str!(ResourceName, Region, MachineType, ProjectId);

#[cfg(test)]
mod tests {
    use super::*;
    use ResourceKind as K;

    fn ok(p: Provider, k: ResourceKind, s: &str) -> bool {
        ResourceName::parse(p, k, s).is_ok()
    }

    #[test]
    fn physical_names_are_unique_per_project_and_valid() {
        let pid = "aws-3f9a1c";
        assert_eq!(physical_name(Provider::Aws, K::Storage, "assets", pid).unwrap(), "assets-3f9a1c");
        assert_eq!(physical_name(Provider::Aws, K::Vm, "web", pid).unwrap(), "web", "VM names are per VPC");
        assert_eq!(physical_name(Provider::Aws, K::Database, "orders", pid).unwrap(), "orders-3f9a1c");
        assert_eq!(physical_name(Provider::Aws, K::LoadBalancer, "edge", pid).unwrap(), "edge-3f9a1c");
        assert_eq!(physical_name(Provider::Aws, K::K8s, "eks1", pid).unwrap(), "eks1-3f9a1c");
        assert_eq!(physical_name(Provider::Gcp, K::Database, "orders", "gcp-3f9a1c").unwrap(), "orders");
        let lb = "a".repeat(25);
        assert_eq!(physical_name(Provider::Aws, K::LoadBalancer, &lb, pid).unwrap().len(), 32, "the ALB limit");
        let refused = physical_name(Provider::Aws, K::LoadBalancer, &"a".repeat(26), pid).unwrap_err().to_string();
        assert!(refused.contains("leaves 25 characters"), "{refused}");
        assert!(physical_name(Provider::Aws, K::Database, &"d".repeat(57), pid).is_err(), "63 with the suffix");
        assert_eq!(physical_name(Provider::Gcp, K::Storage, "my_data.v1", "gcp-00aa11").unwrap(), "my_data.v1-00aa11");
        assert_eq!(
            physical_name(Provider::Azure, K::Storage, "chatopsdata", "azure-abcdef").unwrap(),
            "chatopsdataabcdef"
        );
        assert_eq!(physical_name(Provider::Azure, K::Database, "orders", "azure-abcdef").unwrap(), "orders-abcdef");
        let long = physical_name(Provider::Azure, K::Storage, &"a".repeat(24), "azure-abcdef").unwrap();
        assert_eq!(long, format!("{}abcdef", "a".repeat(18)));
        let dotted = format!("{}.{}", "a".repeat(55), "b".repeat(7));
        let cut = physical_name(Provider::Aws, K::Storage, &dotted, pid).unwrap();
        assert_eq!(cut, format!("{}-3f9a1c", "a".repeat(55)), "a separator left last by the cut is dropped");
        assert_ne!(
            physical_name(Provider::Aws, K::Storage, "assets", "aws-000001").unwrap(),
            physical_name(Provider::Aws, K::Storage, "assets", "aws-000002").unwrap()
        );
        assert!(physical_name(Provider::Aws, K::Storage, "Bad_Name", pid).is_err());
        for provider in Provider::ALL {
            for kind in ResourceKind::ALL {
                let pid = format!("{provider}-0f0f0f");
                for name in ["ab1", "data01", &"x".repeat(63), "a1.b2"] {
                    if is_account_scoped(*provider, *kind) {
                        // Checked above: suffixed, or refused when the suffix does not fit.
                        if let Ok(got) = physical_name(*provider, *kind, name, &pid) {
                            assert_eq!(got, format!("{name}-0f0f0f"));
                        }
                    } else if ResourceName::parse(*provider, *kind, name).is_ok() {
                        let got = physical_name(*provider, *kind, name, &pid).unwrap();
                        assert!(ResourceName::parse(*provider, *kind, &got).is_ok(), "{provider}/{kind}: {got}");
                        assert_eq!(got == name, !is_globally_named(*provider, *kind), "{provider}/{kind}: {got}");
                    }
                }
            }
        }
    }

    #[test]
    fn gcp_names_follow_the_rfc1035_pattern() {
        assert!(ok(Provider::Gcp, K::Vm, "web-1"));
        assert!(ok(Provider::Gcp, K::Vm, "a"));
        assert!(ok(Provider::Gcp, K::Vm, &format!("a{}", "b".repeat(62))));
        assert!(!ok(Provider::Gcp, K::Vm, &format!("a{}", "b".repeat(63))));
        assert!(!ok(Provider::Gcp, K::Vm, "1web"));
        assert!(!ok(Provider::Gcp, K::Vm, "web-"));
        assert!(!ok(Provider::Gcp, K::Vm, "Web"));
        assert!(!ok(Provider::Gcp, K::Vm, "we_b"));
        assert!(!ok(Provider::Gcp, K::Vm, ""));
        assert!(!ok(Provider::Gcp, K::K8s, &format!("a{}", "b".repeat(40))));
    }

    #[test]
    fn gcs_buckets_refuse_google_and_ip_forms() {
        assert!(ok(Provider::Gcp, K::Storage, "my_bucket.data-1"));
        assert!(!ok(Provider::Gcp, K::Storage, "googbucket"));
        assert!(!ok(Provider::Gcp, K::Storage, "my-google-bucket"));
        assert!(!ok(Provider::Gcp, K::Storage, "192.168.1.1"));
        assert!(!ok(Provider::Gcp, K::Storage, "ab"));
    }

    #[test]
    fn s3_bucket_rules() {
        assert!(ok(Provider::Aws, K::Storage, "my.bucket-1"));
        assert!(ok(Provider::Aws, K::Storage, "123bucket"));
        for bad in [
            "ab",
            "My-bucket",
            "my_bucket",
            "-bucket",
            "bucket-",
            "my..bucket",
            "10.0.0.1",
            "xn--bucket",
            "sthree-x",
            "bucket-s3alias",
            "bucket--ol-s3",
            &"a".repeat(64),
        ] {
            assert!(!ok(Provider::Aws, K::Storage, bad), "{bad} should be refused");
        }
    }

    #[test]
    fn azure_storage_accounts_are_short_lowercase_alphanumerics() {
        assert!(ok(Provider::Azure, K::Storage, "chatopsdata01"));
        assert!(!ok(Provider::Azure, K::Storage, "chatops-data"));
        assert!(!ok(Provider::Azure, K::Storage, "ChatOps"));
        assert!(!ok(Provider::Azure, K::Storage, &"a".repeat(25)));
        assert!(!ok(Provider::Azure, K::Storage, "ab"));
    }

    #[test]
    fn aws_and_azure_general_names() {
        assert!(ok(Provider::Aws, K::Database, "orders-db"));
        assert!(!ok(Provider::Aws, K::Database, "orders--db"));
        assert!(!ok(Provider::Aws, K::LoadBalancer, "internal-web"));
        assert!(!ok(Provider::Aws, K::LoadBalancer, &format!("a{}", "b".repeat(32))));
        assert!(ok(Provider::Azure, K::Network, "core_net.v1_"));
        assert!(!ok(Provider::Azure, K::Network, "core-net."));
        assert!(!ok(Provider::Azure, K::Vm, "vm_1"));
        assert!(ok(Provider::Azure, K::K8s, "aks_main"));
        assert!(!ok(Provider::Azure, K::Database, "PG-1"));
    }

    #[test]
    fn error_names_the_broken_rule_and_the_valid_form() {
        let err = ResourceName::parse(Provider::Gcp, K::Vm, "Web\"}").unwrap_err();
        assert!(err.expected.contains("not allowed"), "{err}");
        assert!(err.expected.contains("^[a-z]"), "{err}");
        let err = ResourceName::parse(Provider::Azure, K::Storage, "ab").unwrap_err();
        assert!(err.expected.starts_with("too short"), "{err}");
    }

    #[test]
    fn labels_are_terraform_identifiers() {
        let name = ResourceName::parse(Provider::Aws, K::Storage, "1data.bucket").unwrap();
        assert_eq!(name.tf_label(), "r_1data_bucket");
        let name = ResourceName::parse(Provider::Gcp, K::Vm, "web-1").unwrap();
        assert_eq!(name.tf_label(), "web-1");
    }

    #[test]
    fn regions_and_machine_types_have_a_narrow_charset() {
        assert!(Region::parse(Provider::Aws, "us-east-1").is_ok());
        assert!(Region::parse(Provider::Aws, "us east").is_err());
        assert!(Region::parse(Provider::Aws, "US-EAST-1").is_err());
        assert!(Region::parse(Provider::Aws, &"a".repeat(41)).is_err());
        assert!(MachineType::parse(Provider::Azure, "Standard_B2s").is_ok());
        assert!(MachineType::parse(Provider::Aws, "t3.micro\"").is_err());
    }

    #[test]
    fn project_ids_cannot_carry_a_path() {
        assert!(ProjectId::parse("gcp-3f9a1c").is_ok());
        assert_eq!(ProjectId::parse("azure-00ff00").unwrap().provider(), Provider::Azure);
        for bad in
            ["gcp-3F9A1C", "gcp-3f9a1", "gcp-3f9a1c0", "../gcp-3f9a1c", "gcp-3f9a1c/..", "oci-3f9a1c", "gcp-../..", ""]
        {
            assert!(ProjectId::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
