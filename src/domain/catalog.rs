//! The pricing catalogue (`config/catalog.toml`): regions, machine types, database tiers and
//! Kubernetes node types per provider, with on-demand list prices, and what a request consumes.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use super::{Money, Provider, QuotaType, ResourceKind, SizeClass};

/// The catalogue shipped with the product, used when no other file is configured.
pub const BUILTIN_CATALOG: &str = include_str!("../../config/catalog.toml");

/// Why a catalogue could not be loaded or a request could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The TOML did not parse or did not match the expected shape.
    #[error("catalogue is malformed: {0}")]
    Malformed(String),
    /// The TOML parsed but is inconsistent (a default that does not exist, a duplicate name, ...).
    #[error("catalogue is inconsistent: {0}")]
    Inconsistent(String),
    /// The region is not offered for the provider.
    #[error("region `{region}` is not {} region; try one of: {valid}", crate::domain::words::with_article(provider))]
    UnknownRegion { provider: Provider, region: String, valid: String },
    /// The machine type, database tier or node type is not offered for the provider.
    #[error("`{name}` is not {} {what}; try one of: {valid}", crate::domain::words::with_article(provider))]
    UnknownSize { provider: Provider, what: &'static str, name: String, valid: String },
}

/// The whole catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The day the prices were read from the providers' price pages.
    pub prices_taken: chrono::NaiveDate,
    /// Currency of every price (always USD).
    pub currency: String,
    gcp: ProviderCatalog,
    aws: ProviderCatalog,
    azure: ProviderCatalog,
}

/// What one provider offers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderCatalog {
    /// Region used when a project does not name one.
    pub default_region: String,
    /// Machine type used when a VM request does not name one.
    pub default_machine_type: String,
    /// Database tier used when a database request does not name one.
    pub default_database_tier: String,
    /// Node type used when a Kubernetes request does not name one.
    pub default_k8s_node_type: String,
    /// Node count used when a Kubernetes request does not name one.
    pub default_k8s_node_count: u32,
    /// Control-plane fee of one managed cluster.
    pub k8s_cluster_hourly: Money,
    /// Estimated cost of one bucket (100 GB standard storage).
    pub storage_bucket_hourly: Money,
    /// Cost of one virtual network.
    pub network_hourly: Money,
    /// Cost of one load balancer (first rules included).
    pub load_balancer_hourly: Money,
    /// Cost of one NAT gateway, written once per network that hosts VMs or cluster nodes (they
    /// have no public address and reach the internet through it); data processing not included.
    pub nat_gateway_hourly: Money,
    /// Regions offered, with their price factor.
    pub regions: Vec<RegionPrice>,
    /// VM machine types.
    pub machine_types: Vec<MachineTypeInfo>,
    /// Managed database tiers.
    pub database_tiers: Vec<DatabaseTierInfo>,
    /// Machine types allowed as Kubernetes nodes (names from `machine_types`).
    pub k8s_node_types: Vec<String>,
}

/// A region and how its prices compare with the base region class.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPrice {
    /// Provider's region name.
    pub name: String,
    /// Price factor in thousandths (1000 = base price).
    pub price_permille: u32,
}

/// A VM machine type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineTypeInfo {
    /// Provider's name (`e2-medium`, `t3.small`, `Standard_B2s`).
    pub name: String,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory in GB.
    pub ram_gb: u32,
    /// Size class, compared with a member's `max_vm_size`.
    pub size: SizeClass,
    /// On-demand price per hour in the base region class.
    pub hourly: Money,
}

/// A managed database tier.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseTierInfo {
    /// Provider's tier name (`db-g1-small`, `db.t3.small`, `B_Standard_B1ms`).
    pub name: String,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory in GB.
    pub ram_gb: u32,
    /// On-demand price per hour in the base region class.
    pub hourly: Money,
}

/// The priced and sized form of one request line, before any policy is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Machine type, tier or node type chosen (the default when the request named none).
    pub size_name: Option<String>,
    /// Size class of the VM or node type, when there is one.
    pub size_class: Option<SizeClass>,
    /// Price per hour of one unit in the region.
    pub unit_hourly: Money,
    /// Price per hour of all `count` units.
    pub total_hourly: Money,
    /// Quota consumed by all `count` units, one line per quota type.
    pub consumption: Vec<(QuotaType, i64)>,
}

impl Catalog {
    /// Parses and checks a catalogue.
    pub fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog = toml::from_str(text).map_err(|e| CatalogError::Malformed(e.to_string()))?;
        for provider in Provider::ALL {
            catalog.provider(*provider).check(*provider)?;
        }
        Ok(catalog)
    }

    /// The catalogue shipped with the product.
    pub fn builtin() -> Catalog {
        Catalog::from_toml(BUILTIN_CATALOG).expect("the shipped catalogue is valid (tested)")
    }

    /// What one provider offers.
    pub fn provider(&self, provider: Provider) -> &ProviderCatalog {
        match provider {
            Provider::Gcp => &self.gcp,
            Provider::Aws => &self.aws,
            Provider::Azure => &self.azure,
        }
    }

    /// Prices a request of `count` identical resources and lists the quota they consume.
    ///
    /// `size` is the machine type (vm), tier (database) or node type (k8s); `None` takes the default.
    pub fn quote(
        &self,
        provider: Provider,
        kind: ResourceKind,
        region: &str,
        size: Option<&str>,
        node_count: Option<u32>,
        count: u32,
    ) -> Result<Quote, CatalogError> {
        let p = self.provider(provider);
        let region_price = p.region(provider, region)?;
        let count = i64::from(count);
        let Resolved { size, node_count } = self.resolve(provider, kind, size, node_count);
        let (size_name, size_class, base, per_unit): Sized4 = match kind {
            ResourceKind::Vm => {
                let m = p.machine_type(provider, size.unwrap_or_default())?;
                let lines = vec![
                    (QuotaType::ComputeInstances, 1),
                    (QuotaType::ComputeCpus, i64::from(m.vcpus)),
                    (QuotaType::ComputeRamGb, i64::from(m.ram_gb)),
                ];
                (Some(m.name.clone()), Some(m.size), m.hourly, lines)
            }
            ResourceKind::Database => {
                let t = p.database_tier(provider, size.unwrap_or_default())?;
                (Some(t.name.clone()), None, t.hourly, vec![(QuotaType::DatabaseInstances, 1)])
            }
            ResourceKind::K8s => {
                let name = size.unwrap_or_default();
                if !p.k8s_node_types.iter().any(|n| n == name) {
                    return Err(CatalogError::UnknownSize {
                        provider,
                        what: "Kubernetes node type",
                        name: shorten(name),
                        valid: p.k8s_node_types.join(", "),
                    });
                }
                let m = p.machine_type(provider, name)?;
                let nodes = i64::from(node_count.unwrap_or(1));
                let hourly = m
                    .hourly
                    .checked_mul(nodes)
                    .and_then(|n| n.checked_add(p.k8s_cluster_hourly))
                    .unwrap_or(Money::from_micros(i64::MAX));
                let lines = vec![
                    (QuotaType::KubernetesClusters, 1),
                    (QuotaType::ComputeInstances, nodes),
                    (QuotaType::ComputeCpus, nodes * i64::from(m.vcpus)),
                    (QuotaType::ComputeRamGb, nodes * i64::from(m.ram_gb)),
                ];
                (Some(m.name.clone()), Some(m.size), hourly, lines)
            }
            ResourceKind::Storage => (None, None, p.storage_bucket_hourly, vec![(QuotaType::StorageBuckets, 1)]),
            ResourceKind::Network => (None, None, p.network_hourly, vec![(QuotaType::NetworkVpcs, 1)]),
            ResourceKind::LoadBalancer => {
                (None, None, p.load_balancer_hourly, vec![(QuotaType::NetworkLoadBalancers, 1)])
            }
        };
        let unit_hourly = scale_permille(base, region_price.price_permille);
        Ok(Quote {
            size_name,
            size_class,
            unit_hourly,
            total_hourly: unit_hourly.checked_mul(count).unwrap_or(Money::from_micros(i64::MAX)),
            consumption: per_unit.into_iter().map(|(q, n)| (q, n * count)).collect(),
        })
    }
}

impl Catalog {
    /// The size and node count a request means once its omissions take the catalogue's defaults:
    /// what [`Catalog::quote`] prices, and so what the generator must write. Kinds without a size
    /// or node count get `None`; a node count of 0 counts as 1.
    pub fn resolve<'a>(
        &'a self,
        provider: Provider,
        kind: ResourceKind,
        size: Option<&'a str>,
        node_count: Option<u32>,
    ) -> Resolved<'a> {
        let p = self.provider(provider);
        let size = match kind {
            ResourceKind::Vm => Some(size.unwrap_or(&p.default_machine_type)),
            ResourceKind::Database => Some(size.unwrap_or(&p.default_database_tier)),
            ResourceKind::K8s => Some(size.unwrap_or(&p.default_k8s_node_type)),
            ResourceKind::Storage | ResourceKind::Network | ResourceKind::LoadBalancer => None,
        };
        let node_count = (kind == ResourceKind::K8s).then(|| node_count.unwrap_or(p.default_k8s_node_count).max(1));
        Resolved { size, node_count }
    }
}

impl Catalog {
    /// The hourly price of one NAT gateway in `region`, scaled like every other price there.
    pub fn nat_gateway_hourly(&self, provider: Provider, region: &str) -> Result<Money, CatalogError> {
        let p = self.provider(provider);
        Ok(scale_permille(p.nat_gateway_hourly, p.region(provider, region)?.price_permille))
    }
}

/// A request's size and node count with the catalogue's defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved<'a> {
    /// Machine type, tier or node type (vm, database, k8s).
    pub size: Option<&'a str>,
    /// Nodes (k8s).
    pub node_count: Option<u32>,
}

impl ProviderCatalog {
    fn check(&self, provider: Provider) -> Result<(), CatalogError> {
        let fail = |msg: String| CatalogError::Inconsistent(format!("{provider}: {msg}"));
        let bad = |msg: String| Err(fail(msg));
        if self.regions.is_empty() || self.machine_types.is_empty() || self.database_tiers.is_empty() {
            return bad("regions, machine_types and database_tiers must not be empty".into());
        }
        let mut seen = HashSet::new();
        for name in self.regions.iter().map(|r| &r.name) {
            if !seen.insert(name) {
                return bad(format!("region `{name}` is listed twice"));
            }
        }
        let mut seen = HashSet::new();
        for name in self.machine_types.iter().map(|m| &m.name).chain(self.database_tiers.iter().map(|t| &t.name)) {
            if !seen.insert(name) {
                return bad(format!("`{name}` is listed twice"));
            }
        }
        let prices = self.machine_types.iter().map(|m| m.hourly).chain(self.database_tiers.iter().map(|t| t.hourly));
        if prices
            .chain([
                self.k8s_cluster_hourly,
                self.storage_bucket_hourly,
                self.network_hourly,
                self.load_balancer_hourly,
                self.nat_gateway_hourly,
            ])
            .any(|m| m < Money::ZERO)
        {
            return bad("prices must not be negative".into());
        }
        if self.regions.iter().any(|r| r.price_permille == 0) {
            return bad("price_permille must be positive".into());
        }
        self.region(provider, &self.default_region).map_err(|_| fail("default_region is not listed".into()))?;
        self.machine_type(provider, &self.default_machine_type)
            .map_err(|_| fail("default_machine_type is not listed".into()))?;
        self.database_tier(provider, &self.default_database_tier)
            .map_err(|_| fail("default_database_tier is not listed".into()))?;
        for node in self.k8s_node_types.iter().chain([&self.default_k8s_node_type]) {
            self.machine_type(provider, node)
                .map_err(|_| fail(format!("k8s node type `{node}` is not a machine type")))?;
        }
        if !self.k8s_node_types.contains(&self.default_k8s_node_type) {
            return bad("default_k8s_node_type is not in k8s_node_types".into());
        }
        Ok(())
    }

    /// Looks up a region.
    pub fn region(&self, provider: Provider, name: &str) -> Result<&RegionPrice, CatalogError> {
        self.regions.iter().find(|r| r.name == name).ok_or_else(|| CatalogError::UnknownRegion {
            provider,
            region: shorten(name),
            valid: self.regions.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", "),
        })
    }

    /// Looks up a VM machine type.
    pub fn machine_type(&self, provider: Provider, name: &str) -> Result<&MachineTypeInfo, CatalogError> {
        self.machine_types.iter().find(|m| m.name == name).ok_or_else(|| CatalogError::UnknownSize {
            provider,
            what: "machine type",
            name: shorten(name),
            valid: self.machine_types.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", "),
        })
    }

    /// Looks up a database tier.
    pub fn database_tier(&self, provider: Provider, name: &str) -> Result<&DatabaseTierInfo, CatalogError> {
        self.database_tiers.iter().find(|t| t.name == name).ok_or_else(|| CatalogError::UnknownSize {
            provider,
            what: "database tier",
            name: shorten(name),
            valid: self.database_tiers.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
        })
    }

    /// Every size name valid for a kind (for autocomplete and error messages).
    pub fn size_names(&self, kind: ResourceKind) -> Vec<&str> {
        match kind {
            ResourceKind::Vm => self.machine_types.iter().map(|m| m.name.as_str()).collect(),
            ResourceKind::Database => self.database_tiers.iter().map(|t| t.name.as_str()).collect(),
            ResourceKind::K8s => self.k8s_node_types.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// Size name, size class, unit price and per-unit consumption of one request line.
type Sized4 = (Option<String>, Option<SizeClass>, Money, Vec<(QuotaType, i64)>);

/// Scales a price by a factor in thousandths, rounding half up to the micro-dollar.
fn scale_permille(price: Money, permille: u32) -> Money {
    let scaled = (i128::from(price.micros()) * i128::from(permille) + 500) / 1000;
    Money::from_micros(i64::try_from(scaled).unwrap_or(i64::MAX))
}

fn shorten(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Quota types and default limits of a new project, keyed by type (`compute.instances` = 10, ...).
pub type DefaultQuotas = BTreeMap<QuotaType, i64>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_loads_and_prices_the_seed_examples() {
        let c = Catalog::builtin();
        let q = c.quote(Provider::Gcp, ResourceKind::Vm, "us-central1", Some("e2-small"), None, 1).unwrap();
        assert_eq!(q.total_hourly, "0.0168".parse().unwrap());
        let q = c.quote(Provider::Gcp, ResourceKind::Vm, "us-central1", Some("e2-standard-4"), None, 2).unwrap();
        assert_eq!(
            q.consumption,
            vec![(QuotaType::ComputeInstances, 2), (QuotaType::ComputeCpus, 8), (QuotaType::ComputeRamGb, 32)]
        );
        assert_eq!(q.size_class, Some(SizeClass::Large));
    }

    #[test]
    fn regions_scale_prices_and_unknowns_are_refused() {
        let c = Catalog::builtin();
        let q = c.quote(Provider::Gcp, ResourceKind::Vm, "asia-southeast1", Some("e2-medium"), None, 1).unwrap();
        assert_eq!(q.unit_hourly.micros(), (33_500 * 1232 + 500) / 1000);
        let err = c.quote(Provider::Gcp, ResourceKind::Vm, "mars-1", None, None, 1).unwrap_err();
        assert!(err.to_string().contains("us-central1"), "{err}");
        assert!(c.quote(Provider::Aws, ResourceKind::Vm, "us-east-1", Some("e2-small"), None, 1).is_err());
        assert!(c.quote(Provider::Azure, ResourceKind::K8s, "eastus", Some("Standard_B1s"), None, 1).is_err());
    }

    #[test]
    fn resolve_fills_what_quote_prices() {
        let c = Catalog::builtin();
        for provider in Provider::ALL {
            let p = c.provider(*provider);
            let k8s = c.resolve(*provider, ResourceKind::K8s, None, None);
            assert_eq!(k8s, Resolved { size: Some(&p.default_k8s_node_type), node_count: Some(3) });
            let q = c.quote(*provider, ResourceKind::K8s, &p.default_region, None, None, 1).unwrap();
            assert!(q.consumption.contains(&(QuotaType::ComputeInstances, 3)), "{provider}: {q:?}");
            assert_eq!(q.size_name.as_deref(), k8s.size);
            let vm = c.resolve(*provider, ResourceKind::Vm, None, Some(7));
            assert_eq!(vm, Resolved { size: Some(&p.default_machine_type), node_count: None });
            assert_eq!(c.resolve(*provider, ResourceKind::Storage, Some("x"), None).size, None);
            assert_eq!(c.resolve(*provider, ResourceKind::K8s, None, Some(0)).node_count, Some(1));
        }
    }

    #[test]
    fn nat_gateways_are_priced_per_region() {
        let c = Catalog::builtin();
        assert_eq!(c.nat_gateway_hourly(Provider::Aws, "us-east-1").unwrap(), "0.045".parse().unwrap());
        assert_eq!(c.nat_gateway_hourly(Provider::Aws, "eu-west-1").unwrap().micros(), (45_000 * 1077 + 500) / 1000);
        for provider in Provider::ALL {
            let region = &c.provider(*provider).default_region;
            assert!(c.nat_gateway_hourly(*provider, region).unwrap() > Money::ZERO, "{provider}: a NAT is not free");
        }
        assert!(c.nat_gateway_hourly(Provider::Gcp, "mars-1").is_err());
    }

    #[test]
    fn inconsistent_catalogue_is_refused() {
        let broken = BUILTIN_CATALOG.replacen("default_region = \"us-central1\"", "default_region = \"nowhere\"", 1);
        assert!(matches!(Catalog::from_toml(&broken), Err(CatalogError::Inconsistent(_))));
        assert!(matches!(Catalog::from_toml("prices_taken = 3"), Err(CatalogError::Malformed(_))));
    }
}
