//! Shared helpers for the Terraform generator tests: sample specs and HCL lookups.
#![allow(dead_code)]

pub mod tf;

use cloud_chatops::domain::{Catalog, MachineType, ProjectId, Provider, Region, ResourceKind, ResourceName};
use cloud_chatops::terraform::{ProjectSpec, RenderedFile, ResourceSpec, render};

pub const PROVIDERS: [Provider; 3] = [Provider::Gcp, Provider::Aws, Provider::Azure];

/// The project id used for `provider` in tests.
pub fn project_id(provider: Provider) -> ProjectId {
    ProjectId::parse(&format!("{provider}-3f9a1c")).unwrap()
}

pub fn default_region(provider: Provider) -> &'static str {
    match provider {
        Provider::Gcp => "us-central1",
        Provider::Aws => "us-east-1",
        Provider::Azure => "westeurope",
    }
}

pub fn other_region(provider: Provider) -> &'static str {
    match provider {
        Provider::Gcp => "europe-west1",
        Provider::Aws => "eu-west-1",
        Provider::Azure => "northeurope",
    }
}

/// A valid name for `kind` at `provider`, distinct per `n`.
pub fn name(provider: Provider, kind: ResourceKind, n: usize) -> String {
    let base = match kind {
        ResourceKind::Vm => "web",
        ResourceKind::Database => "orders-db",
        ResourceKind::K8s => "apps",
        ResourceKind::Storage => "chatopsassets",
        ResourceKind::Network => "core",
        ResourceKind::LoadBalancer => "front",
    };
    match (provider, kind) {
        (Provider::Azure, ResourceKind::Storage) => format!("{base}{n}"),
        _ => format!("{base}-{n}"),
    }
}

/// A resource with the catalogue's default size and node count, as the store loads one.
pub fn resource(provider: Provider, kind: ResourceKind, name: &str, region: &str) -> ResourceSpec {
    ResourceSpec::new(
        kind,
        ResourceName::parse(provider, kind, name).unwrap(),
        Region::parse(provider, region).unwrap(),
    )
    .with_defaults(provider, &Catalog::builtin())
    .unwrap()
}

pub fn spec(provider: Provider, resources: Vec<ResourceSpec>) -> ProjectSpec {
    ProjectSpec {
        project_id: project_id(provider),
        provider,
        default_region: Region::parse(provider, default_region(provider)).unwrap(),
        project_name: "Shop backend".to_owned(),
        resources: resources.into(),
        settings: Default::default(),
    }
}

/// One resource of `kind` in the default region.
pub fn single(provider: Provider, kind: ResourceKind) -> ProjectSpec {
    spec(provider, vec![resource(provider, kind, &name(provider, kind, 1), default_region(provider))])
}

/// A small Arm machine type of `provider`.
pub fn arm_size(provider: Provider) -> &'static str {
    match provider {
        Provider::Gcp => "t2a-standard-1",
        Provider::Aws => "t4g.small",
        Provider::Azure => "Standard_B2pls_v2",
    }
}

/// Every kind, a sized database and a 3-node cluster, a network of the project, and three VMs:
/// `*-1` on the generated network, `*-2` on the project's network (`network`), `*-3` an
/// Arm machine in a second region (its own generated network there).
pub fn everything(provider: Provider) -> ProjectSpec {
    let region = default_region(provider);
    let mut resources = Vec::new();
    for kind in ResourceKind::ALL {
        resources.push(resource(provider, *kind, &name(provider, *kind, 1), region));
    }
    let mut on_core = resource(provider, ResourceKind::Vm, &name(provider, ResourceKind::Vm, 2), region);
    on_core.network =
        Some(ResourceName::parse(provider, ResourceKind::Network, &name(provider, ResourceKind::Network, 1)).unwrap());
    resources.push(on_core);
    let mut far = resource(provider, ResourceKind::Vm, &name(provider, ResourceKind::Vm, 3), other_region(provider));
    far.size = Some(MachineType::parse(provider, arm_size(provider)).unwrap());
    resources.push(far);
    let size = match provider {
        Provider::Gcp => "db-custom-2-7680",
        Provider::Aws => "db.t4g.small",
        Provider::Azure => "GP_Standard_D2s_v3",
    };
    for r in &mut resources {
        if r.kind == ResourceKind::Database {
            r.size = Some(MachineType::parse(provider, size).unwrap());
        }
        if r.kind == ResourceKind::K8s {
            r.node_count = Some(3);
        }
    }
    spec(provider, resources)
}

pub fn parse(file: &RenderedFile) -> hcl::Body {
    hcl::parse(&file.contents).unwrap_or_else(|e| panic!("{} does not parse: {e}\n{}", file.name, file.contents))
}

/// Renders and parses every file: (file name, body).
pub fn render_parsed(spec: &ProjectSpec) -> Vec<(String, hcl::Body)> {
    render(spec).unwrap().iter().map(|f| (f.name.clone(), parse(f))).collect()
}

/// Every `resource` block of the rendered project: (file, type, label, body).
pub fn resources(spec: &ProjectSpec) -> Vec<(String, String, String, hcl::Body)> {
    let mut out = Vec::new();
    for (file, body) in render_parsed(spec) {
        for block in body.blocks().filter(|b| b.identifier() == "resource") {
            let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
            assert_eq!(labels.len(), 2, "resource block with {} labels in {file}", labels.len());
            out.push((file.clone(), labels[0].to_owned(), labels[1].to_owned(), block.body().clone()));
        }
    }
    out
}

/// An expression as HCL without the whitespace its formatting adds (`["22"]`), or "" for none.
pub fn compact(e: Option<&hcl::Expression>) -> String {
    e.map(|e| e.to_string()).unwrap_or_default().split_whitespace().collect()
}

/// The attribute `key` of `body`, if set.
pub fn attr<'a>(body: &'a hcl::Body, key: &str) -> Option<&'a hcl::Expression> {
    body.attributes().find(|a| a.key() == key).map(|a| a.expr())
}

/// The first nested block called `ident`.
pub fn block<'a>(body: &'a hcl::Body, ident: &str) -> Option<&'a hcl::Body> {
    body.blocks().find(|b| b.identifier() == ident).map(|b| b.body())
}

/// Follows a path of nested blocks and reads the final attribute.
pub fn path<'a>(body: &'a hcl::Body, keys: &[&str]) -> Option<&'a hcl::Expression> {
    let (last, blocks) = keys.split_last()?;
    let mut cur = body;
    for b in blocks {
        cur = block(cur, b)?;
    }
    attr(cur, last)
}

pub fn s(e: &str) -> hcl::Expression {
    hcl::Expression::String(e.to_owned())
}

pub fn b(v: bool) -> hcl::Expression {
    hcl::Expression::Bool(v)
}

/// The string value of an object-valued attribute's `key`.
pub fn map_get(expr: &hcl::Expression, key: &str) -> Option<String> {
    let hcl::Expression::Object(obj) = expr else { return None };
    obj.iter().find_map(|(k, v)| {
        let k = match k {
            hcl::ObjectKey::Identifier(i) => i.as_str().to_owned(),
            hcl::ObjectKey::Expression(hcl::Expression::String(s)) => s.clone(),
            _ => return None,
        };
        match (k == key, v) {
            (true, hcl::Expression::String(s)) => Some(s.clone()),
            _ => None,
        }
    })
}

/// A public database admitting one range, for the providers that offer one.
pub fn public_database(provider: Provider) -> ProjectSpec {
    use cloud_chatops::terraform::model::{Access, Cidr};
    let mut spec = single(provider, ResourceKind::Database);
    spec.resources[0].options.access = Access::Public;
    spec.resources[0].options.ingress = vec![Cidr::parse("198.51.100.0/24").unwrap()];
    spec
}

fn named(provider: Provider, kind: ResourceKind, name: &str) -> ResourceName {
    ResourceName::parse(provider, kind, name).unwrap()
}

/// The `web` stack as a stack lobby records it: network `shop-net`, VMs `shop-vm-1` and
/// `shop-vm-2` on it, the load balancer `shop-lb` targeting both and the database `shop-db` with
/// both as its clients (all on `shop-net`).
pub fn web_stack(provider: Provider) -> ProjectSpec {
    use ResourceKind as K;
    let region = default_region(provider);
    let net = named(provider, K::Network, "shop-net");
    let vms = [named(provider, K::Vm, "shop-vm-1"), named(provider, K::Vm, "shop-vm-2")];
    let mut out = vec![resource(provider, K::Network, "shop-net", region)];
    for vm in &vms {
        let mut r = resource(provider, K::Vm, vm.as_str(), region);
        r.network = Some(net.clone());
        out.push(r);
    }
    let mut lb = resource(provider, K::LoadBalancer, "shop-lb", region);
    lb.network = Some(net.clone());
    lb.targets = vms.to_vec();
    let mut db = resource(provider, K::Database, "shop-db", region);
    db.network = Some(net);
    db.clients = vms.to_vec();
    out.extend([lb, db]);
    spec(provider, out)
}

/// The `worker` stack: network `jobs-net`, VMs `jobs-vm-1` and `jobs-vm-2` on it, and a bucket.
pub fn worker_stack(provider: Provider) -> ProjectSpec {
    use ResourceKind as K;
    let region = default_region(provider);
    let net = named(provider, K::Network, "jobs-net");
    let mut out = vec![resource(provider, K::Network, "jobs-net", region)];
    for vm in ["jobs-vm-1", "jobs-vm-2"] {
        let mut r = resource(provider, K::Vm, vm, region);
        r.network = Some(net.clone());
        out.push(r);
    }
    let bucket = if provider == Provider::Azure { "jobsdata" } else { "jobs-data" };
    out.push(resource(provider, K::Storage, bucket, region));
    spec(provider, out)
}

/// Every template file under `templates/terraform/`, the per-item blocks (`<provider>/blocks/`)
/// included.
pub fn template_files() -> Vec<std::path::PathBuf> {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/terraform")];
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { dirs.push(path) } else { out.push(path) }
        }
    }
    out.sort();
    out
}

/// [`everything`] plus `vms` more VMs: large enough that its big files are split into shards.
pub fn large(provider: Provider, vms: usize) -> ProjectSpec {
    let mut spec = everything(provider);
    for i in 0..vms {
        spec.resources.push(resource(provider, ResourceKind::Vm, &format!("fleet-{i}"), default_region(provider)));
    }
    spec
}

/// [`everything`] with every resource being decommissioned: each template's protection lifted.
pub fn decommissioning(provider: Provider) -> ProjectSpec {
    let mut spec = everything(provider);
    for r in &mut spec.resources {
        r.decommissioning = true;
    }
    spec
}

/// Every provider × kind × option the generator can be asked for, each a project of its own:
/// (directory name, spec). What checkov and `terraform fmt`/`validate` run over.
pub fn variants() -> Vec<(String, ProjectSpec)> {
    let mut out = Vec::new();
    for provider in PROVIDERS {
        out.push((format!("{provider}-everything"), everything(provider)));
        for kind in ResourceKind::ALL {
            out.push((format!("{provider}-{kind}"), single(provider, *kind)));
        }
        out.push((format!("{provider}-decommissioning"), decommissioning(provider)));
        out.push((format!("{provider}-stack-web"), web_stack(provider)));
        out.push((format!("{provider}-stack-worker"), worker_stack(provider)));
        // Both stacks in one project, the web one being decommissioned, beside everything else.
        let mut both = everything(provider);
        both.resources.extend(web_stack(provider).resources.into_iter().map(|mut r| {
            r.decommissioning = true;
            r
        }));
        both.resources.extend(worker_stack(provider).resources);
        out.push((format!("{provider}-stacks"), both));
        if provider != Provider::Azure {
            out.push((format!("{provider}-large"), large(provider, 60)));
        }
        let mut remote = everything(provider);
        remote.settings.state = cloud_chatops::domain::state::StateStores::one_name_for_all("chatopsstate");
        out.push((format!("{provider}-remote-state"), remote));
        if provider != Provider::Aws {
            out.push((format!("{provider}-public-database"), public_database(provider)));
        }
    }
    let mut at_host = everything(Provider::Azure);
    at_host.settings.azure_encryption_at_host = true;
    out.push(("azure-encryption-at-host".to_owned(), at_host));
    out
}

/// Writes each variant's files into `root/<name>/`.
pub fn write_variants(root: &std::path::Path) -> Vec<(String, ProjectSpec)> {
    let all = variants();
    for (name, spec) in &all {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for f in render(spec).unwrap_or_else(|e| panic!("{name}: {e}")) {
            std::fs::write(dir.join(&f.name), f.contents.as_bytes()).unwrap();
        }
    }
    all
}
