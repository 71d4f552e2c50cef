//! What a lobby shows is what approval writes (issue 14): over generated provider × kind × size ×
//! count × node count × access requests, the lobby's quota lines and cost equal what the catalogue
//! says for the Terraform actually written (machine type, tier, node type and count, access),
//! parsed back from the files with hcl-rs.

use std::collections::BTreeMap;

use cloud_chatops::commands::{Invoker, LobbyAction, Reply};
use cloud_chatops::domain::validate::Outcome;
use cloud_chatops::domain::{Catalog, Money, Provider, QuotaType, ResourceKind};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::harness::{App, start};
use crate::support::{each_backend, settings};

const CASES: u32 = 48;
/// A guild of its own (no sample policies), its administrator acting as CloudAdmin.
const ADMIN: Invoker = Invoker { user_id: 990_001, guild_id: 4_242, channel_id: 1, is_guild_admin: true };

#[derive(Debug, Clone)]
struct Case {
    provider: Provider,
    kind: ResourceKind,
    size: Option<usize>,
    count: u32,
    node_count: Option<u32>,
    public: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..3usize,
        0..ResourceKind::ALL.len(),
        prop::option::of(0..64usize),
        1..=2u32,
        prop::option::of(1..=5u32),
        any::<bool>(),
    )
        .prop_map(|(p, k, size, count, node_count, public)| {
            let provider = [Provider::Gcp, Provider::Aws, Provider::Azure][p];
            let kind = ResourceKind::ALL[k];
            Case {
                provider,
                kind,
                size,
                count,
                node_count: node_count.filter(|_| kind == ResourceKind::K8s),
                // Public access is offered for databases where the generator can write it.
                public: public && kind == ResourceKind::Database && provider != Provider::Aws,
            }
        })
}

fn text(e: &hcl::Expression) -> Option<String> {
    match e {
        hcl::Expression::String(s) => Some(s.clone()),
        hcl::Expression::Array(items) => items.first().and_then(text),
        _ => None,
    }
}

fn number(e: &hcl::Expression) -> Option<u32> {
    match e {
        hcl::Expression::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    }
}

fn boolean(e: &hcl::Expression) -> Option<bool> {
    match e {
        hcl::Expression::Bool(b) => Some(*b),
        _ => None,
    }
}

fn attr<'a>(body: &'a hcl::Body, keys: &[&str]) -> Option<&'a hcl::Expression> {
    let (last, blocks) = keys.split_last()?;
    let mut cur = body;
    for b in blocks {
        cur = cur.blocks().find(|x| x.identifier() == *b)?.body();
    }
    cur.attributes().find(|a| a.key() == *last).map(|a| a.expr())
}

/// Every resource block written for a project: (type, label) → body.
fn written_blocks(dir: &std::path::Path) -> BTreeMap<(String, String), hcl::Body> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        if entry.path().extension().is_none_or(|e| e != "tf") {
            continue;
        }
        let body = hcl::parse(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        for block in body.blocks().filter(|b| b.identifier() == "resource") {
            let labels: Vec<String> = block.labels().iter().map(|l| l.as_str().to_owned()).collect();
            out.insert((labels[0].clone(), labels[1].clone()), block.body().clone());
        }
    }
    out
}

/// What the files say of one resource: (size, node count, public access).
type ReadBack = (Option<String>, Option<u32>, Option<bool>);

/// Reads one resource's [`ReadBack`] from the written blocks.
fn read_back(
    blocks: &BTreeMap<(String, String), hcl::Body>,
    provider: Provider,
    kind: ResourceKind,
    label: &str,
) -> Result<ReadBack, String> {
    use Provider::{Aws, Azure, Gcp};
    use ResourceKind as K;
    let get = |ty: &str| blocks.get(&(ty.to_owned(), label.to_owned())).ok_or(format!("no {ty}.{label} written"));
    Ok(match (provider, kind) {
        (Gcp, K::Vm) => (attr(get("google_compute_instance")?, &["machine_type"]).and_then(text), None, None),
        (Aws, K::Vm) => (attr(get("aws_instance")?, &["instance_type"]).and_then(text), None, None),
        (Azure, K::Vm) => (attr(get("azurerm_linux_virtual_machine")?, &["size"]).and_then(text), None, None),
        (Gcp, K::Database) => {
            let b = get("google_sql_database_instance")?;
            let public = attr(b, &["settings", "ip_configuration", "ipv4_enabled"]).and_then(boolean);
            (attr(b, &["settings", "tier"]).and_then(text), None, public)
        }
        (Aws, K::Database) => {
            let b = get("aws_db_instance")?;
            (attr(b, &["instance_class"]).and_then(text), None, attr(b, &["publicly_accessible"]).and_then(boolean))
        }
        (Azure, K::Database) => {
            let b = get("azurerm_postgresql_flexible_server")?;
            (attr(b, &["sku_name"]).and_then(text), None, attr(b, &["public_network_access_enabled"]).and_then(boolean))
        }
        (Gcp, K::K8s) => {
            let b = get("google_container_node_pool")?;
            (attr(b, &["node_config", "machine_type"]).and_then(text), attr(b, &["node_count"]).and_then(number), None)
        }
        (Aws, K::K8s) => {
            let b = get("aws_eks_node_group")?;
            let nodes = attr(b, &["scaling_config", "desired_size"]).and_then(number);
            (attr(b, &["instance_types"]).and_then(text), nodes, None)
        }
        (Azure, K::K8s) => {
            let b = get("azurerm_kubernetes_cluster")?;
            let pool = ["default_node_pool"];
            let size = attr(b, &[pool[0], "vm_size"]).and_then(text);
            (size, attr(b, &[pool[0], "node_count"]).and_then(number), None)
        }
        (_, kind) => {
            let address = cloud_chatops::terraform::address_of(provider, kind, label).map_err(|e| e.to_string())?;
            let (ty, _) = address.split_once('.').unwrap();
            get(ty)?;
            (None, None, None)
        }
    })
}

async fn one_case(app: &App, n: usize, c: &Case, catalog: &Catalog) -> Result<bool, TestCaseError> {
    let init = format!("/cloud-init provider:{} project_name:written-{n}", c.provider);
    let Reply::ProjectCreated { project } = app.run(ADMIN, &init).await else {
        return Err(TestCaseError::fail("project"));
    };
    let name = format!("res{n}");
    let mut line = format!(
        "/cloud-deploy project_id:{} resource_type:{} resource_name:{name} count:{}",
        project.id, c.kind, c.count
    );
    let sizes = catalog.provider(c.provider).size_names(c.kind);
    if let (Some(i), false) = (c.size, sizes.is_empty()) {
        line.push_str(&format!(" machine_type:{}", sizes[i % sizes.len()]));
    }
    if let Some(nodes) = c.node_count {
        line.push_str(&format!(" node_count:{nodes}"));
    }
    if c.public {
        line.push_str(" access:public ingress:198.51.100.0/24");
    }
    let view = match app.run(ADMIN, &line).await {
        Reply::Lobby(view) => view,
        // A name the provider refuses for this kind (Azure storage takes no hyphen of a batch).
        Reply::Refused { message } | Reply::Error { message } if message.contains("name") => return Ok(false),
        other => return Err(TestCaseError::fail(format!("{line}: {other:?}"))),
    };
    if view.verdict.outcome != Outcome::Allowed {
        // Over a default quota (a large machine twice): nothing is written, nothing to compare.
        app.press(ADMIN, view.session_id, LobbyAction::Cancel).await;
        return Ok(false);
    }
    let Reply::Deployed(deployed) = app.press(ADMIN, view.session_id, LobbyAction::Approve).await else {
        return Err(TestCaseError::fail(format!("{line}: not deployed")));
    };
    let blocks = written_blocks(&app.terraform.join(deployed.terraform_dir.unwrap()));
    let names: Vec<String> =
        if c.count == 1 { vec![name.clone()] } else { (1..=c.count).map(|i| format!("{name}-{i}")).collect() };
    let (mut hourly, mut consumed) = (Money::ZERO, BTreeMap::<QuotaType, i64>::new());
    for resource in &names {
        let (size, nodes, public) = read_back(&blocks, c.provider, c.kind, resource).map_err(TestCaseError::fail)?;
        let quote = catalog
            .quote(c.provider, c.kind, &view.region, size.as_deref(), nodes, 1)
            .map_err(|e| TestCaseError::fail(format!("{line}: written {size:?} is not in the catalogue: {e}")))?;
        hourly = hourly.checked_add(quote.total_hourly).unwrap();
        for (t, amount) in quote.consumption {
            *consumed.entry(t).or_default() += amount;
        }
        if c.kind == ResourceKind::Database {
            prop_assert_eq!(public, Some(c.public), "{}: access written", line);
        }
        if let Some(asked) = c.node_count {
            prop_assert_eq!(nodes, Some(asked), "{}: node count written", line);
        }
    }
    // The NAT gateways written for the new machines' networks are priced in the lobby too.
    let nats = blocks.keys().filter(|(ty, _)| ty == "aws_nat_gateway" || ty == "google_compute_router_nat").count();
    let nat = catalog.nat_gateway_hourly(c.provider, &view.region).unwrap().checked_mul(nats as i64).unwrap();
    let hourly = hourly.checked_add(nat).unwrap();
    prop_assert_eq!(view.verdict.hourly, hourly, "{}: the lobby's cost is the written resources' price", line);
    let spend = cloud_chatops::store::resources::project_hourly_spend(&app.db.db, &project.id).await.unwrap();
    prop_assert_eq!(spend, hourly, "{}: and what the project is charged from now on", line);
    let shown: BTreeMap<QuotaType, i64> = view
        .verdict
        .quota
        .iter()
        .filter(|q| q.region == "*" && q.quota_type != QuotaType::BudgetMonthly)
        .map(|q| (q.quota_type, q.requested))
        .collect();
    consumed.retain(|t, _| *t != QuotaType::BudgetMonthly);
    prop_assert_eq!(shown, consumed, "{}: the lobby's quota lines are what the written resources consume", line);
    Ok(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_lobby_shows_is_what_approval_writes() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let catalog = Catalog::builtin();
        let handle = tokio::runtime::Handle::current();
        let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
        let (n, compared) = (std::cell::Cell::new(0usize), std::cell::Cell::new(0usize));
        let result = tokio::task::block_in_place(|| {
            runner.run(&case(), |c| {
                n.set(n.get() + 1);
                let checked = handle.block_on(one_case(&app, n.get(), &c, &catalog))?;
                compared.set(compared.get() + usize::from(checked));
                Ok(())
            })
        });
        let (n, compared) = (n.get(), compared.get());
        if let Err(e) = result {
            panic!("{e}");
        }
        println!("approved = written ({}): {compared} of {n} generated requests deployed and compared", app.db.backend);
        assert!(compared * 4 >= n * 3, "most cases reach the files: {compared} of {n}");
        app.stop().await
    })
    .await;
}

#[tokio::test]
async fn an_approval_whose_terraform_cannot_be_written_is_refused_and_consumes_nothing() {
    use crate::harness::ADMIN as SAMPLE_ADMIN;
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        let dir = app.terraform.join("terraform_gcp_gcp-abc123");
        std::fs::create_dir_all(&dir).unwrap();
        // The team's own file where the generator would write the project's first database.
        std::fs::write(dir.join("database.tf"), "# the team's own database\n").unwrap();
        let line = "/cloud-deploy project_id:gcp-abc123 resource_type:database resource_name:orders";
        let Reply::Lobby(view) = app.run(SAMPLE_ADMIN, line).await else { panic!("a lobby") };
        let before = app.quota("gcp-abc123", "database.instances").await;
        assert_eq!(before.1, 1, "the lobby holds its database");

        let refused = app.press(SAMPLE_ADMIN, view.session_id, LobbyAction::Approve).await;
        let Reply::Refused { message } = &refused else { panic!("refused before committing: {refused:?}") };
        assert!(message.contains("cannot be written") && message.contains("database.tf"), "{message}");
        assert_eq!(app.quota("gcp-abc123", "database.instances").await, before, "nothing consumed");
        assert_eq!(app.status(view.session_id).await, "pending", "the lobby stays open");
        let rows = cloud_chatops::store::resources::list(&app.db.db, "gcp-abc123", None).await.unwrap();
        assert!(!rows.iter().any(|r| r.name == "orders"), "nothing recorded");
        assert_eq!(std::fs::read_to_string(dir.join("database.tf")).unwrap(), "# the team's own database\n");

        // The team moves its file away; the same lobby now approves and writes.
        std::fs::rename(dir.join("database.tf"), dir.join("team_database.tf")).unwrap();
        let approved = app.press(SAMPLE_ADMIN, view.session_id, LobbyAction::Approve).await;
        let Reply::Deployed(d) = &approved else { panic!("{approved:?}") };
        assert!(d.warning.is_none() && d.files.iter().any(|f| f == "database.tf"), "{d:?}");
        assert_eq!(app.quota("gcp-abc123", "database.instances").await, (before.0 + 1, 0));
        app.stop().await
    })
    .await;
}
