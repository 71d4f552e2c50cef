//! The options a member may give a resource (`access`, `ingress`), typed and checked against what
//! the generator can write for the provider and kind, so an approved option is never dropped: it
//! changes the output, or [`check_options`] refuses it before the lobby opens.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use crate::domain::{ParseError, Provider, ResourceKind};

/// Most `ingress` ranges one resource may carry.
pub const MAX_INGRESS: usize = 10;

/// Who may reach a resource over the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// Reachable from its network only (the default).
    #[default]
    Private,
    /// Reachable from outside its network: only from the approved `ingress`, with TLS enforced.
    Public,
}

/// An IPv4 network in CIDR form with no host bits set, e.g. `203.0.113.0/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    addr: Ipv4Addr,
    prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n`; a range with host bits set is refused (its network is suggested).
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let expected = "an IPv4 range such as 203.0.113.0/24";
        let bad = || ParseError::new("ingress", s, expected);
        let (addr, prefix) = s.trim().split_once('/').ok_or_else(bad)?;
        let addr: Ipv4Addr = addr.parse().map_err(|_| bad())?;
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32).ok_or_else(bad)?;
        let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
        let network = Ipv4Addr::from(u32::from(addr) & mask);
        if network != addr {
            return Err(ParseError::new("ingress", s, format!("the network address: {network}/{prefix}")));
        }
        Ok(Self { addr, prefix })
    }

    /// The first address of the range.
    pub fn first(&self) -> Ipv4Addr {
        self.addr
    }

    /// The last address of the range.
    pub fn last(&self) -> Ipv4Addr {
        let host = if self.prefix == 32 { 0 } else { u32::MAX >> self.prefix };
        Ipv4Addr::from(u32::from(self.addr) | host)
    }

    /// Whether this is the whole internet, `0.0.0.0/0`.
    pub fn is_world(&self) -> bool {
        self.prefix == 0
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// A resource's validated options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceOptions {
    /// `access`: private unless `public` was approved.
    pub access: Access,
    /// `ingress`: the ranges allowed to reach a public resource (none: no direct client at all).
    pub ingress: Vec<Cidr>,
}

impl ResourceOptions {
    /// Parses the options of a request (or of a stored resource) for a `kind` at `provider`.
    pub fn parse(
        provider: Provider,
        kind: ResourceKind,
        options: &BTreeMap<String, String>,
    ) -> Result<Self, ParseError> {
        let mut out = ResourceOptions::default();
        for (key, value) in options {
            match key.trim() {
                "access" => out.access = parse_access(provider, kind, value)?,
                "ingress" => {
                    for piece in value.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty()) {
                        let cidr = Cidr::parse(piece)?;
                        if !out.ingress.contains(&cidr) {
                            out.ingress.push(cidr);
                        }
                    }
                    if out.ingress.is_empty() || out.ingress.len() > MAX_INGRESS {
                        return Err(ParseError::new("ingress", value, format!("1 to {MAX_INGRESS} IPv4 ranges")));
                    }
                }
                other => return Err(ParseError::new("option", other, "access or ingress")),
            }
        }
        if !out.ingress.is_empty() && out.access != Access::Public {
            return Err(ParseError::new(
                "ingress",
                &options["ingress"],
                "ingress together with access:public (a private resource takes no outside ranges)",
            ));
        }
        out.ingress.sort();
        Ok(out)
    }

    /// The options as a request carries them (what the store keeps).
    pub fn to_map(&self) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        if self.access == Access::Public {
            map.insert("access".to_owned(), "public".to_owned());
        }
        if !self.ingress.is_empty() {
            let ranges: Vec<String> = self.ingress.iter().map(Cidr::to_string).collect();
            map.insert("ingress".to_owned(), ranges.join(","));
        }
        map
    }
}

/// Which kinds the generator can write as public: only databases, and only where the provider
/// lets a public endpoint enforce TLS and restrict clients to the approved ranges.
fn public_offered(provider: Provider, kind: ResourceKind) -> Result<(), &'static str> {
    match (provider, kind) {
        (Provider::Gcp | Provider::Azure, ResourceKind::Database) => Ok(()),
        (Provider::Aws, ResourceKind::Database) => {
            Err("an AWS database stays in its VPC's private subnets; reach it through the VPC")
        }
        _ => Err("only a database can be made public; other resources stay private"),
    }
}

fn parse_access(provider: Provider, kind: ResourceKind, value: &str) -> Result<Access, ParseError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "private" if provider == Provider::Gcp && kind == ResourceKind::LoadBalancer => Err(ParseError::new(
            "access",
            value,
            "nothing: a GCP load balancer is a global external one and always public",
        )),
        "private" => Ok(Access::Private),
        "public" => match public_offered(provider, kind) {
            Ok(()) => Ok(Access::Public),
            Err(why) => Err(ParseError::new("access", value, format!("private ({why})"))),
        },
        _ => Err(ParseError::new("access", value, "private or public")),
    }
}

/// Refuses an option the generator could not write for a `kind` at `provider`; the lobby calls
/// it before it opens, so nothing is approved that would not be written.
pub fn check_options(provider: Provider, kind: ResourceKind, options: &BTreeMap<String, String>) -> Result<(), String> {
    ResourceOptions::parse(provider, kind, options).map(drop).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn cidrs_are_network_addresses() {
        assert_eq!(Cidr::parse("203.0.113.0/24").unwrap().to_string(), "203.0.113.0/24");
        assert_eq!(Cidr::parse("203.0.113.0/24").unwrap().last(), Ipv4Addr::new(203, 0, 113, 255));
        assert_eq!(Cidr::parse("198.51.100.7/32").unwrap().last(), Ipv4Addr::new(198, 51, 100, 7));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().is_world());
        let err = Cidr::parse("10.1.2.3/8").unwrap_err();
        assert!(err.to_string().contains("10.0.0.0/8"), "{err}");
        for bad in ["10.0.0.0", "10.0.0.0/33", "::/0", "10.0.0/8", "x/1", "10.0.0.0/-1", "10.0.0.0/8\"}"] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn options_parse_or_say_why_not() {
        let db = ResourceOptions::parse(
            Provider::Gcp,
            ResourceKind::Database,
            &opts(&[("access", "PUBLIC"), ("ingress", "203.0.113.0/24, 198.51.100.0/24")]),
        )
        .unwrap();
        assert_eq!(db.access, Access::Public);
        assert_eq!(db.to_map()["ingress"], "198.51.100.0/24,203.0.113.0/24");
        assert!(check_options(Provider::Azure, ResourceKind::Database, &opts(&[("access", "public")])).is_ok());
        assert!(check_options(Provider::Aws, ResourceKind::Vm, &opts(&[("access", "private")])).is_ok());
        for (provider, kind, pairs, says) in [
            (Provider::Aws, ResourceKind::Database, vec![("access", "public")], "VPC"),
            (Provider::Gcp, ResourceKind::Vm, vec![("access", "public")], "only a database"),
            (Provider::Gcp, ResourceKind::Database, vec![("ingress", "10.0.0.0/8")], "access:public"),
            (Provider::Gcp, ResourceKind::Database, vec![("access", "open")], "private or public"),
            (Provider::Gcp, ResourceKind::LoadBalancer, vec![("access", "private")], "always public"),
            (Provider::Gcp, ResourceKind::Database, vec![("colour", "red")], "access or ingress"),
        ] {
            let err = check_options(provider, kind, &opts(&pairs)).unwrap_err();
            assert!(err.contains(says), "{provider}/{kind} {pairs:?}: {err}");
        }
    }
}
