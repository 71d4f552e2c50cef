//! The validator against the original design's seed data (guild 123456789, project gcp-abc123), and a
//! property test over arbitrary input.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::*;
use crate::domain::{Catalog, PolicyKind, Provider, QuotaType, ResourceKind, Role};

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

fn money(s: &str) -> Money {
    s.parse().unwrap()
}

fn policy(id: i64, name: &str, policy_type: PolicyKind, pattern: &str, priority: i32) -> Policy {
    Policy {
        id,
        name: name.into(),
        policy_type,
        resource_pattern: pattern.into(),
        allowed_values: vec![],
        denied_values: vec![],
        max_cost_per_hour: None,
        require_approval: false,
        priority,
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

/// The seed's three guild policies.
fn seed_policies() -> Vec<Policy> {
    vec![
        Policy {
            allowed_values: strings(&["us-central1", "us-east-1", "eu-west-1"]),
            ..policy(1, "Production Regions Only", PolicyKind::Region, "*", 10)
        },
        Policy {
            max_cost_per_hour: Some(money("0.50")),
            require_approval: true,
            ..policy(2, "Max $0.50/hour per VM", PolicyKind::Cost, "type:compute.instances", 50)
        },
        Policy {
            denied_values: strings(&["public", "0.0.0.0/0"]),
            require_approval: true,
            ..policy(3, "No Public Databases", PolicyKind::Security, "type:database", 5)
        },
    ]
}

fn row(quota_type: QuotaType, used: i64, limit: i64) -> QuotaState {
    QuotaState { quota_type, region: "*".into(), used, reserved: 0, limit }
}

/// Project gcp-abc123's quota rows with `instances` VMs used (the seed has 3, using 6 CPUs and 12 GB).
fn seed_quotas(instances: i64) -> Vec<QuotaState> {
    vec![
        row(QuotaType::ComputeInstances, instances, 10),
        row(QuotaType::ComputeCpus, 6, 24),
        row(QuotaType::ComputeRamGb, 12, 64),
        row(QuotaType::DatabaseInstances, 0, 5),
        row(QuotaType::StorageBuckets, 0, 20),
        row(QuotaType::NetworkVpcs, 0, 5),
        row(QuotaType::NetworkLoadBalancers, 0, 5),
    ]
}

/// 111111111: CloudUser for gcp, VMs up to medium, two regions, $3000 a month.
fn user_111() -> Member {
    Member {
        user_id: 111_111_111,
        permissions: Some(Permissions {
            allowed_regions: Some(strings(&["us-central1", "asia-southeast1"])),
            budget_limit: Some(Money::from_dollars(3000)),
            ..Permissions::for_role(Role::CloudUser)
        }),
        is_guild_admin: false,
    }
}

fn admin_222() -> Member {
    Member { user_id: 222_222_222, permissions: Some(Permissions::for_role(Role::CloudAdmin)), is_guild_admin: false }
}

fn viewer_333() -> Member {
    Member { user_id: 333_333_333, permissions: Some(Permissions::for_role(Role::CloudViewer)), is_guild_admin: false }
}

fn request(kind: ResourceKind, name: &str, size: Option<&str>, region: &str) -> DeployRequest {
    DeployRequest {
        provider: Provider::Gcp,
        kind,
        name: name.into(),
        region: region.into(),
        size: size.map(str::to_owned),
        node_count: None,
        count: 1,
        options: BTreeMap::new(),
        links: BTreeMap::new(),
        egress_hourly: Money::ZERO,
    }
}

fn vm(size: &str) -> DeployRequest {
    request(ResourceKind::Vm, "web-server-01", Some(size), "us-central1")
}

fn batch(size: &str, count: u32) -> DeployRequest {
    DeployRequest { count, ..vm(size) }
}

/// One validation scenario, starting from the seed data.
struct World {
    request: DeployRequest,
    actor: Member,
    policies: Vec<Policy>,
    quotas: Vec<QuotaState>,
    project: ProjectContext,
    user_hourly_spend: Money,
}

impl World {
    fn seed(actor: Member, request: DeployRequest) -> World {
        World {
            request,
            actor,
            policies: seed_policies(),
            quotas: seed_quotas(3),
            // The seed project ("Production API", $5000 a month) runs 111111111's two e2-medium and one e2-small.
            project: ProjectContext {
                project_id: "gcp-abc123".into(),
                provider: Provider::Gcp,
                monthly_budget: Some(Money::from_dollars(5000)),
                current_hourly_spend: money("0.0838"),
                reserved_monthly: Money::ZERO,
            },
            user_hourly_spend: money("0.0838"),
        }
    }

    fn verdict(&self) -> Verdict {
        validate(&ValidationInput {
            request: &self.request,
            actor: &self.actor,
            policies: &self.policies,
            quotas: &self.quotas,
            project: &self.project,
            user_hourly_spend: self.user_hourly_spend,
            catalog: &CATALOG,
        })
    }
}

fn rules(v: &Verdict) -> Vec<&str> {
    v.violations.iter().map(|x| x.rule.as_str()).collect()
}

fn line(v: &Verdict, quota_type: QuotaType) -> &QuotaLine {
    v.quota.iter().find(|l| l.quota_type == quota_type).unwrap_or_else(|| panic!("no {quota_type} line: {v:?}"))
}

#[test]
fn seed_example_1_e2_small_by_a_cloud_user_is_allowed() {
    let v = World::seed(user_111(), vm("e2-small")).verdict();
    assert_eq!(v.outcome, Outcome::Allowed, "{v:?}");
    assert!(v.violations.is_empty());
    assert_eq!(v.hourly, money("0.0168"));
    assert_eq!(v.unit_hourly, money("0.0168"));
    assert_eq!(v.monthly, money("12.264"));
    assert_eq!(v.size_name.as_deref(), Some("e2-small"));
    let instances = line(&v, QuotaType::ComputeInstances);
    assert_eq!((instances.used, instances.limit, instances.available(), instances.requested), (3, 10, 7, 1));
    assert_eq!((line(&v, QuotaType::ComputeCpus).requested, line(&v, QuotaType::ComputeRamGb).requested), (2, 2));
    assert_eq!(v.summary(), "✅ Validation passed - Ready to deploy");
}

#[test]
fn seed_example_2_a_full_project_is_denied_for_quota() {
    let mut world = World::seed(user_111(), request(ResourceKind::Vm, "another-vm", Some("e2-micro"), "us-central1"));
    world.quotas = seed_quotas(10);
    let v = world.verdict();
    assert_eq!(v.outcome, Outcome::Denied);
    assert_eq!(rules(&v), ["quota.compute.instances"]);
    let instances = line(&v, QuotaType::ComputeInstances);
    assert_eq!((instances.used, instances.limit, instances.available()), (10, 10, 0));
    assert!(v.summary().starts_with("⛔ QUOTA EXCEEDED: Project has 0 compute.instances available"), "{}", v.summary());
}

#[test]
fn seed_example_3_a_viewer_lacks_can_create_vm() {
    let v = World::seed(viewer_333(), request(ResourceKind::Vm, "test-vm", None, "us-central1")).verdict();
    assert_eq!(v.outcome, Outcome::Denied);
    assert_eq!(rules(&v), ["permission.can_create_vm"]);
    assert_eq!(v.summary(), "⛔ PERMISSION DENIED: User lacks can_create_vm permission");
}

#[test]
fn role_defaults_match_the_design() {
    let viewer = Permissions::for_role(Role::CloudViewer);
    assert!(!(viewer.can_create_vm || viewer.can_create_db || viewer.can_create_network || viewer.can_create_storage));
    let user = Permissions::for_role(Role::CloudUser);
    assert!(user.can_create_vm && user.can_create_db && user.can_create_network && user.can_create_storage);
    assert!(!user.can_create_k8s && !user.can_delete);
    assert_eq!(user.max_vm_size, Some(SizeClass::Medium));
    let admin = Permissions::for_role(Role::CloudAdmin);
    assert!(admin.can_create_k8s && admin.can_delete && admin.max_vm_size.is_none());
}

#[test]
fn a_require_approval_policy_turns_its_violation_into_needs_approval() {
    // No single gcp VM lists above $0.50/h (n2-standard-8 is $0.3885), but a cluster of three n2-standard-4
    // nodes is $0.6826/h and consumes compute.instances, so the seed's cost policy applies.
    let mut cluster = request(ResourceKind::K8s, "gke-prod", Some("n2-standard-4"), "us-central1");
    cluster.node_count = Some(3);
    let mut world = World::seed(admin_222(), cluster);
    world.quotas.push(row(QuotaType::KubernetesClusters, 0, 3));
    world.quotas.iter_mut().find(|q| q.quota_type == QuotaType::ComputeRamGb).unwrap().limit = 128;
    let v = world.verdict();
    assert_eq!(v.unit_hourly, money("0.6826"));
    assert_eq!(v.outcome, Outcome::NeedsApproval, "{v:?}");
    assert_eq!(rules(&v), ["policy.cost"]);
    assert_eq!((v.violations[0].policy_id, v.violations[0].effect), (Some(2), Effect::RequireApproval));
    assert_eq!(v.violations[0].policy_name.as_deref(), Some("Max $0.50/hour per VM"));
    assert!(v.summary().starts_with("⚠️ APPROVAL REQUIRED: $0.6826 per unit"), "{}", v.summary());

    // The same policy without require_approval refuses.
    world.policies[1].require_approval = false;
    assert_eq!(world.verdict().outcome, Outcome::Denied);
}

#[test]
fn cost_policies_compare_the_unit_price_not_the_batch() {
    let mut world = World::seed(admin_222(), vm("n2-standard-8"));
    assert_eq!(world.verdict().outcome, Outcome::Allowed, "$0.3885/h is under the seed's $0.50");
    world.policies[1].max_cost_per_hour = Some(money("0.30"));
    let v = world.verdict();
    assert_eq!((v.outcome, rules(&v)), (Outcome::NeedsApproval, vec!["policy.cost"]));

    // Two e2-standard-4 cost $0.268/h together, but each is $0.134/h, under a $0.20 per-unit limit.
    world.policies[1].max_cost_per_hour = Some(money("0.20"));
    world.request = batch("e2-standard-4", 2);
    let v = world.verdict();
    assert_eq!(v.hourly, money("0.268"));
    assert_eq!(v.outcome, Outcome::Allowed, "{v:?}");
}

#[test]
fn violations_follow_built_in_rules_then_policies_by_priority_then_id() {
    let mut db = request(ResourceKind::Database, "orders", Some("db-g1-small"), "asia-southeast1");
    db.options.insert("access".into(), "public".into());
    let mut world = World::seed(user_111(), db);
    world.policies.push(Policy {
        denied_values: strings(&["asia-*"]),
        ..policy(9, "No Asia for databases", PolicyKind::Region, "type:database", 20)
    });
    world.policies.push(Policy {
        denied_values: strings(&["access=public"]),
        ..policy(4, "Private only", PolicyKind::Security, "*", 20)
    });
    world.policies.reverse();
    world.project.monthly_budget = Some(Money::from_dollars(10));
    let v = world.verdict();
    let order: Vec<_> = v.violations.iter().map(|x| (x.rule.as_str(), x.policy_id)).collect();
    assert_eq!(
        order,
        [
            ("budget.project", None),
            ("policy.security", Some(3)),
            ("policy.region", Some(1)),
            ("policy.security", Some(4)),
            ("policy.region", Some(9)),
        ]
    );
    assert_eq!(v.violations[1].effect, Effect::RequireApproval);
    assert_eq!(v.outcome, Outcome::Denied);
    assert!(v.summary().starts_with("⛔ BUDGET EXCEEDED") && v.summary().ends_with("(+4 more)"), "{}", v.summary());
}

#[test]
fn count_validates_the_batch_as_a_whole() {
    let v = World::seed(user_111(), batch("e2-medium", 3)).verdict();
    assert_eq!(v.outcome, Outcome::Allowed, "{v:?}");
    assert_eq!((v.unit_hourly, v.hourly), (money("0.0335"), money("0.1005")));
    assert_eq!(v.monthly, money("73.365"));
    let requested: Vec<_> = v.quota.iter().map(|l| (l.quota_type, l.requested)).collect();
    assert_eq!(
        requested,
        [(QuotaType::ComputeInstances, 3), (QuotaType::ComputeCpus, 6), (QuotaType::ComputeRamGb, 12)]
    );

    // Three fit in 7 free instances, but not in 2.
    let mut world = World::seed(user_111(), batch("e2-medium", 3));
    world.quotas = seed_quotas(8);
    assert_eq!(rules(&world.verdict()), ["quota.compute.instances"]);

    // A quota policy caps units per request.
    let mut world = World::seed(user_111(), batch("e2-medium", 3));
    world.policies.push(Policy {
        allowed_values: strings(&["2"]),
        ..policy(7, "Two at a time", PolicyKind::Quota, "type:compute", 1)
    });
    let v = world.verdict();
    assert_eq!(rules(&v), ["policy.quota"]);
    assert!(v.violations[0].message.contains("3 units requested, at most 2"), "{v:?}");
}

#[test]
fn a_count_out_of_range_is_a_violation_not_a_panic() {
    for count in [0, 11, u32::MAX] {
        let v = World::seed(user_111(), batch("e2-small", count)).verdict();
        assert_eq!(v.outcome, Outcome::Denied);
        assert_eq!(v.violations[0].rule, "request.count", "count {count}");
        assert!(v.violations[0].message.contains("between 1 and 10"));
    }
    // The rest is judged as the nearest valid batch, so the member also learns what that would meet.
    let v = World::seed(user_111(), batch("e2-small", 0)).verdict();
    assert_eq!((rules(&v), line(&v, QuotaType::ComputeInstances).requested), (vec!["request.count"], 1));
    let v = World::seed(user_111(), batch("e2-small", 11)).verdict();
    assert_eq!(line(&v, QuotaType::ComputeInstances).requested, 10);
    assert_eq!(rules(&v), ["request.count", "quota.compute.instances", "quota.compute.cpus"]);
}

#[test]
fn a_cloud_user_cannot_exceed_the_max_vm_size() {
    let v = World::seed(user_111(), vm("e2-standard-8")).verdict();
    assert_eq!(v.outcome, Outcome::Denied);
    assert_eq!(rules(&v), ["permission.max_vm_size"]);
    assert!(v.violations[0].message.contains("xlarge, above the max allowed size (medium)"), "{v:?}");

    // Kubernetes node types count as VM sizes.
    let mut actor = user_111();
    actor.permissions.as_mut().unwrap().can_create_k8s = true;
    let cluster = request(ResourceKind::K8s, "c", Some("e2-standard-4"), "us-central1");
    assert!(rules(&World::seed(actor, cluster).verdict()).contains(&"permission.max_vm_size"));
}

#[test]
fn a_cloud_user_cannot_create_kubernetes() {
    let v = World::seed(user_111(), request(ResourceKind::K8s, "c", None, "us-central1")).verdict();
    assert_eq!(v.violations[0].message, "User lacks can_create_k8s permission");
    let lb = World::seed(viewer_333(), request(ResourceKind::LoadBalancer, "lb", None, "us-central1")).verdict();
    assert_eq!(rules(&lb), ["permission.can_create_network"]);
}

#[test]
fn a_region_outside_the_grant_is_denied() {
    let v = World::seed(user_111(), request(ResourceKind::Vm, "eu-vm", Some("e2-small"), "europe-west1")).verdict();
    assert_eq!(v.outcome, Outcome::Denied);
    assert_eq!(rules(&v), ["permission.allowed_regions", "policy.region"]);
    assert!(v.violations[0].message.contains("us-central1, asia-southeast1"));

    // Allowed by the grant, refused by the guild's "Production Regions Only".
    let v = World::seed(user_111(), request(ResourceKind::Vm, "a", Some("e2-small"), "asia-southeast1")).verdict();
    assert_eq!(rules(&v), ["policy.region"]);
    assert_eq!(v.violations[0].policy_id, Some(1));
}

#[test]
fn budgets_are_enforced_monthly_and_warned_near_the_limit() {
    // $4.10/h already running is $2993/month; an e2-small adds $12.26 and crosses $3000.
    let mut world = World::seed(user_111(), vm("e2-small"));
    world.user_hourly_spend = money("4.10");
    let v = world.verdict();
    assert_eq!((v.outcome, rules(&v)), (Outcome::Denied, vec!["budget.user"]));
    assert!(v.violations[0].message.contains("$3005.26"), "{v:?}");

    world.user_hourly_spend = money("3.30");
    let v = world.verdict();
    assert_eq!(v.outcome, Outcome::Allowed);
    assert!(v.warnings.iter().any(|w| w.contains("your monthly budget of $3000")), "{v:?}");

    let mut world = World::seed(admin_222(), vm("e2-small"));
    world.project.monthly_budget = Some(Money::from_dollars(100));
    world.project.current_hourly_spend = money("0.13");
    let v = world.verdict();
    assert_eq!(rules(&v), ["budget.project"]);
    assert!(v.violations[0].message.contains("gcp-abc123"));
}

#[test]
fn a_guild_administrator_without_a_grant_acts_as_cloud_admin() {
    let admin = Member { user_id: 444, permissions: None, is_guild_admin: true };
    assert_eq!(admin.role(), Some(Role::CloudAdmin));
    let v = World::seed(admin, request(ResourceKind::K8s, "gke", None, "us-central1")).verdict();
    assert_eq!(v.outcome, Outcome::Allowed, "{v:?}");
    assert!(v.warnings.iter().any(|w| w.contains("Discord Administrator")));
    // Seed projects have no kubernetes.clusters row: a warning, not a denial.
    assert!(v.warnings.iter().any(|w| w.contains("No kubernetes.clusters quota")), "{v:?}");

    let stranger = Member { user_id: 555, permissions: None, is_guild_admin: false };
    let v = World::seed(stranger, vm("e2-small")).verdict();
    assert_eq!((v.outcome, rules(&v)), (Outcome::Denied, vec!["permission.role"]));
    assert!(v.violations[0].message.contains("/cloud-grant"), "{v:?}");
}

#[test]
fn an_unknown_machine_type_or_region_reports_the_catalogue_choices() {
    let v = World::seed(user_111(), vm("e2-huge")).verdict();
    assert_eq!((v.outcome, rules(&v)), (Outcome::Denied, vec!["request.size"]));
    assert!(v.violations[0].message.contains("e2-small, e2-medium"), "{v:?}");
    assert_eq!((v.hourly, v.size_name.as_deref()), (Money::ZERO, None));

    let v = World::seed(admin_222(), request(ResourceKind::Vm, "x", Some("e2-huge"), "mars-1")).verdict();
    assert_eq!(rules(&v), ["request.region", "request.size", "policy.region"]);
    assert!(v.violations[0].message.contains("us-central1, us-east1"), "{v:?}");
    assert!(v.quota.is_empty() && v.hourly == Money::ZERO);

    let v = World::seed(admin_222(), request(ResourceKind::Database, "d", Some("e2-small"), "us-central1")).verdict();
    assert!(v.violations[0].message.contains("db-g1-small"), "{v:?}");
}

#[test]
fn the_request_provider_must_be_the_projects() {
    let mut req = vm("t3.small");
    req.provider = Provider::Aws;
    req.region = "us-east-1".into();
    let v = World::seed(admin_222(), req).verdict();
    assert_eq!(rules(&v), ["request.provider"]);
    assert!(v.violations[0].message.contains("gcp project"));
}

#[test]
fn security_policies_match_option_values_case_insensitively() {
    let mut db = request(ResourceKind::Database, "orders", None, "us-central1");
    db.options.insert("ingress".into(), "10.0.0.0/8, 0.0.0.0/0".into());
    db.options.insert("access".into(), "PUBLIC".into());
    let v = World::seed(user_111(), db).verdict();
    assert_eq!((v.outcome, rules(&v)), (Outcome::NeedsApproval, vec!["policy.security"]));
    assert!(v.violations[0].message.contains("access=PUBLIC, ingress=10.0.0.0/8, 0.0.0.0/0"), "{v:?}");

    // The seed's security policy covers databases only.
    let mut public_vm = vm("e2-small");
    public_vm.options.insert("access".into(), "public".into());
    assert_eq!(World::seed(user_111(), public_vm).verdict().outcome, Outcome::Allowed);
}

#[test]
fn permission_policies_name_roles_and_users() {
    let mut world = World::seed(user_111(), vm("e2-small"));
    world.policies = vec![Policy {
        allowed_values: strings(&["CloudAdmin"]),
        ..policy(5, "Admins deploy VMs", PolicyKind::Permission, "type:vm", 1)
    }];
    let v = world.verdict();
    assert_eq!(rules(&v), ["policy.permission"]);
    assert!(v.violations[0].message.starts_with("Only CloudAdmin may deploy a virtual machine"), "{v:?}");
    world.actor = admin_222();
    assert_eq!(world.verdict().outcome, Outcome::Allowed);

    world.policies[0] = Policy {
        denied_values: strings(&["222222222", "viewer"]),
        ..policy(6, "Not Bob", PolicyKind::Permission, "*", 1)
    };
    let v = world.verdict();
    assert!(v.violations[0].message.starts_with("User 222222222 may not"), "{v:?}");
    world.actor = user_111();
    assert_eq!(world.verdict().outcome, Outcome::Allowed);
}

#[test]
fn a_policy_that_cannot_be_evaluated_fails_closed() {
    let broken = [
        policy(1, "No max", PolicyKind::Cost, "*", 1),
        Policy { denied_values: strings(&["public"]), ..policy(2, "Typo", PolicyKind::Security, "type:databse", 1) },
        Policy { allowed_values: strings(&["many"]), ..policy(3, "NaN", PolicyKind::Quota, "*", 1) },
        Policy { allowed_values: strings(&["wizard"]), ..policy(4, "Who", PolicyKind::Permission, "*", 1) },
    ];
    for p in broken {
        assert!(p.check().is_err(), "{p:?}");
        let mut world = World::seed(admin_222(), vm("e2-small"));
        world.policies = vec![Policy { require_approval: true, ..p.clone() }];
        let v = world.verdict();
        assert_eq!(v.outcome, Outcome::NeedsApproval, "{p:?}");
        assert!(v.violations[0].message.contains("cannot be evaluated"));
    }
    for p in seed_policies() {
        assert_eq!(p.check(), Ok(()));
    }
}

#[test]
fn regional_quota_rows_count_alongside_the_project_row() {
    let mut world = World::seed(user_111(), vm("e2-small"));
    world.quotas.push(QuotaState {
        quota_type: QuotaType::ComputeInstances,
        region: "us-central1".into(),
        used: 1,
        reserved: 1,
        limit: 2,
    });
    world.quotas.push(QuotaState { region: "asia-southeast1".into(), limit: 0, ..world.quotas[7].clone() });
    let v = world.verdict();
    assert_eq!(rules(&v), ["quota.compute.instances"]);
    assert!(v.violations[0].message.contains("in us-central1 (1 used + 1 reserved of 2)"), "{v:?}");
    let regions: Vec<_> =
        v.quota.iter().filter(|l| l.quota_type == QuotaType::ComputeInstances).map(|l| l.region.as_str()).collect();
    assert_eq!(regions, ["*", "us-central1"]);
}

#[test]
fn reserved_quota_counts_and_near_full_quota_warns() {
    let mut world = World::seed(user_111(), vm("e2-small"));
    world.quotas[0].reserved = 5;
    let v = world.verdict();
    assert_eq!(v.outcome, Outcome::Allowed);
    assert_eq!(line(&v, QuotaType::ComputeInstances).available(), 2);
    assert!(v.warnings.iter().any(|w| w == "compute.instances will be at 9 of 10 after this request"), "{v:?}");
    world.quotas[0].reserved = 7;
    assert_eq!(world.verdict().outcome, Outcome::Denied);
}

#[test]
fn verdicts_and_inputs_round_trip_through_json() {
    let mut world = World::seed(user_111(), vm("e2-small"));
    world.request.options.insert("access".into(), "private".into());
    let v = world.verdict();
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["outcome"], "allowed");
    assert_eq!(json["hourly"], "0.0168");
    assert_eq!(serde_json::from_value::<Verdict>(json).unwrap(), v);

    let approval = Verdict { outcome: Outcome::NeedsApproval, ..v };
    assert!(serde_json::to_string(&approval).unwrap().contains("\"needs_approval\""));

    for p in seed_policies() {
        assert_eq!(serde_json::from_str::<Policy>(&serde_json::to_string(&p).unwrap()).unwrap(), p);
    }
    let actor: Member = serde_json::from_str(&serde_json::to_string(&user_111()).unwrap()).unwrap();
    assert_eq!(actor, user_111());
    let req: DeployRequest =
        serde_json::from_str(r#"{"provider":"gcp","kind":"vm","name":"a","region":"us-central1"}"#).unwrap();
    assert_eq!((req.count, req.size, req.options.len()), (1, None, 0));
}

mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::SizeClass;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,12}",
            prop::sample::select(vec![
                "*",
                "us-central1",
                "asia-southeast1",
                "us-east-1",
                "e2-small",
                "e2-standard-8",
                "n2-standard-4",
                "db-g1-small",
                "t3.micro",
                "public",
                "0.0.0.0/0",
                "access=public",
                "CloudAdmin",
                "user",
                "3",
                "0",
                "type:vm",
                "type:database",
                "type:compute.instances",
                "type:compute",
                "type:k8s",
                "name:web-*",
                "name:*",
                "111111111",
                "-1",
            ])
            .prop_map(str::to_owned),
        ]
    }

    fn any_money() -> impl Strategy<Value = Money> {
        prop_oneof![any::<i64>(), -1_000_000_000i64..1_000_000_000_000].prop_map(Money::from_micros)
    }

    fn number() -> impl Strategy<Value = i64> {
        prop_oneof![any::<i64>(), -2i64..30]
    }

    prop_compose! {
        fn deploy_request()(
            provider in prop::sample::select(Provider::ALL),
            kind in prop::sample::select(ResourceKind::ALL),
            name in text(),
            region in text(),
            size in prop::option::of(text()),
            node_count in prop::option::of(prop_oneof![any::<u32>(), 0u32..200]),
            count in prop_oneof![any::<u32>(), 0u32..12],
            options in prop::collection::btree_map(text(), text(), 0..4),
        ) -> DeployRequest {
            DeployRequest { provider, kind, name, region, size, node_count, count, options, links: Default::default(), egress_hourly: Money::ZERO }
        }
    }

    prop_compose! {
        fn permissions()(
            role in prop::sample::select(Role::ALL),
            flags in prop::array::uniform6(any::<bool>()),
            max_vm_size in prop::option::of(prop::sample::select(SizeClass::ALL)),
            allowed_regions in prop::option::of(prop::collection::vec(text(), 0..3)),
            budget_limit in prop::option::of(any_money()),
        ) -> Permissions {
            let [vm, db, k8s, network, storage, delete] = flags;
            Permissions {
                role,
                can_create_vm: vm,
                can_create_db: db,
                can_create_k8s: k8s,
                can_create_network: network,
                can_create_storage: storage,
                can_delete: delete,
                max_vm_size,
                allowed_regions,
                budget_limit,
            }
        }
    }

    prop_compose! {
        fn any_policy()(
            id in any::<i64>(),
            name in text(),
            policy_type in prop::sample::select(PolicyKind::ALL),
            resource_pattern in text(),
            allowed_values in prop::collection::vec(text(), 0..3),
            denied_values in prop::collection::vec(text(), 0..3),
            max_cost_per_hour in prop::option::of(any_money()),
            require_approval in any::<bool>(),
            priority in any::<i32>(),
        ) -> Policy {
            Policy {
                id, name, policy_type, resource_pattern, allowed_values, denied_values, max_cost_per_hour,
                require_approval, priority,
            }
        }
    }

    prop_compose! {
        fn quota_state()(
            quota_type in prop::sample::select(QuotaType::ALL),
            region in text(),
            used in number(),
            reserved in number(),
            limit in number(),
        ) -> QuotaState {
            QuotaState { quota_type, region, used, reserved, limit }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn never_panics_and_the_outcome_is_the_worst_effect(
            request in deploy_request(),
            user_id in any::<u64>(),
            grant in prop::option::of(permissions()),
            is_guild_admin in any::<bool>(),
            policies in prop::collection::vec(any_policy(), 0..5),
            quotas in prop::collection::vec(quota_state(), 0..6),
            project_provider in prop::sample::select(Provider::ALL),
            monthly_budget in prop::option::of(any_money()),
            project_spend in any_money(),
            user_spend in any_money(),
        ) {
            let actor = Member { user_id, permissions: grant, is_guild_admin };
            let project = ProjectContext {
                project_id: "gcp-abc123".into(),
                provider: project_provider,
                monthly_budget,
                current_hourly_spend: project_spend,
                reserved_monthly: Money::ZERO,
            };
            let v = validate(&ValidationInput {
                request: &request,
                actor: &actor,
                policies: &policies,
                quotas: &quotas,
                project: &project,
                user_hourly_spend: user_spend,
                catalog: &CATALOG,
            });
            let denies = v.violations.iter().any(|x| x.effect == Effect::Deny);
            // Policy violations come in (priority, id) order, whatever order the policies were given in.
            let order: Vec<(i32, i64)> = v
                .violations
                .iter()
                .filter_map(|x| x.policy_id)
                .filter_map(|id| policies.iter().find(|p| p.id == id).map(|p| (p.priority, p.id)))
                .collect();
            prop_assert!(order.is_sorted(), "{:?}", order);
            prop_assert_eq!(v.outcome == Outcome::Denied, denies);
            prop_assert_eq!(v.outcome == Outcome::Allowed, v.violations.is_empty());
            if !(MIN_COUNT..=MAX_COUNT).contains(&request.count) {
                prop_assert_eq!(v.outcome, Outcome::Denied);
            }
            prop_assert!(!v.summary().is_empty());
        }

        #[test]
        fn a_batch_fits_exactly_when_the_instance_quota_has_room(
            count in MIN_COUNT..=MAX_COUNT,
            used in 0i64..=10,
            reserved in 0i64..=10,
        ) {
            let mut world = World::seed(admin_222(), batch("e2-micro", count));
            world.quotas = vec![QuotaState { used, reserved, ..row(QuotaType::ComputeInstances, 0, 10) }];
            let v = world.verdict();
            let fits = used + reserved + i64::from(count) <= 10;
            prop_assert_eq!(v.outcome == Outcome::Allowed, fits, "{:?}", v);
            prop_assert_eq!(v.hourly, money("0.0084").checked_mul(i64::from(count)).unwrap());
            prop_assert_eq!(v.quota[0].available(), (10 - used - reserved).max(0));
        }
    }
}
