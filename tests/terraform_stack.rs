//! Stack wiring (issue 17): a load balancer's `targets` are registered behind it, a database's
//! `clients` are the only machines of its network that reach it, on every provider; a name that
//! is not a VM of the project on the right network is refused before anything is written, and
//! `check_plan` tells the lobby so before it opens.

mod common;

use std::collections::BTreeSet;

use cloud_chatops::domain::{Provider, ResourceKind, ResourceName};
use cloud_chatops::terraform::{GenerateError, check_plan, render};
use common::*;

fn keys(expr: &hcl::Expression) -> BTreeSet<String> {
    let hcl::Expression::Object(obj) = expr else { panic!("not an object: {expr:?}") };
    obj.keys()
        .map(|k| match k {
            hcl::ObjectKey::Expression(hcl::Expression::String(s)) => s.clone(),
            hcl::ObjectKey::Identifier(i) => i.as_str().to_owned(),
            other => panic!("{other:?}"),
        })
        .collect()
}

fn strings(expr: &hcl::Expression) -> Vec<String> {
    let hcl::Expression::Array(items) = expr else { panic!("not a list: {expr:?}") };
    items
        .iter()
        .map(|i| match i {
            hcl::Expression::String(s) => s.clone(),
            other => panic!("{other:?}"),
        })
        .collect()
}

fn text(expr: &hcl::Expression) -> String {
    hcl::format::to_string(expr).unwrap()
}

fn vms() -> BTreeSet<String> {
    ["shop-vm-1", "shop-vm-2"].map(str::to_owned).into()
}

fn find<'a>(all: &'a [(String, String, String, hcl::Body)], ty: &str, label: &str) -> Option<&'a hcl::Body> {
    all.iter().find(|(_, t, l, _)| t == ty && l == label).map(|(.., b)| b)
}

#[test]
fn gcp_web_stack_puts_the_vms_behind_the_load_balancer_and_alone_in_front_of_the_database() {
    let all = resources(&web_stack(Provider::Gcp));
    let group = find(&all, "google_compute_instance_group", "shop-lb_us-central1").expect("instance group");
    let instances = text(attr(group, "instances").unwrap());
    assert!(instances.contains("google_compute_instance.shop-vm-1.self_link"), "{instances}");
    assert!(instances.contains("google_compute_instance.shop-vm-2.self_link"), "{instances}");
    assert!(text(attr(group, "network").unwrap()).contains("google_compute_network.shop-net"));
    let backend = find(&all, "google_compute_backend_service", "shop-lb").unwrap();
    assert_eq!(
        text(path(backend, &["backend", "group"]).unwrap()),
        "google_compute_instance_group.shop-lb_us-central1.id"
    );
    let health = find(&all, "google_compute_firewall", "shop-lb_lb_backends").unwrap();
    let lb_tag = strings(attr(health, "target_tags").unwrap());
    let allow = find(&all, "google_compute_firewall", "shop-db_clients").unwrap();
    assert_eq!(attr(allow, "direction"), Some(&s("EGRESS")));
    let db_tag = strings(attr(allow, "target_tags").unwrap());
    let deny = find(&all, "google_compute_firewall", "shop-db_others").unwrap();
    assert!(attr(deny, "target_tags").is_none(), "the deny covers every other machine");
    assert!(block(deny, "deny").is_some());
    assert!(text(attr(deny, "destination_ranges").unwrap()).contains("shop-db.private_ip_address"));
    for vm in vms() {
        let body = find(&all, "google_compute_instance", &vm).unwrap();
        let tags = strings(attr(body, "tags").unwrap());
        assert_eq!(tags, [db_tag.clone(), lb_tag.clone()].concat(), "{vm}");
        let subnet = text(path(body, &["network_interface", "subnetwork"]).unwrap());
        assert!(subnet.contains("shop-net"), "{vm} on {subnet}");
    }
}

#[test]
fn aws_web_stack_attaches_the_targets_and_admits_only_the_clients() {
    let all = resources(&web_stack(Provider::Aws));
    let attach = find(&all, "aws_lb_target_group_attachment", "shop-lb").expect("attachment");
    assert_eq!(keys(attr(attach, "for_each").unwrap()), vms());
    assert_eq!(text(attr(attach, "target_id").unwrap()), "each.value");
    let backends = find(&all, "aws_vpc_security_group_ingress_rule", "shop-lb_lb_backends").unwrap();
    assert_eq!(keys(attr(backends, "for_each").unwrap()), vms());
    assert_eq!(text(attr(backends, "referenced_security_group_id").unwrap()), "aws_security_group.shop-lb_lb.id");
    assert!(
        find(&all, "aws_vpc_security_group_ingress_rule", "shop-db_db_postgres").is_none(),
        "no rule admits the whole VPC any more"
    );
    let ingress = find(&all, "aws_vpc_security_group_ingress_rule", "shop-db_db_clients").unwrap();
    assert_eq!(keys(attr(ingress, "for_each").unwrap()), vms());
    assert!(attr(ingress, "cidr_ipv4").is_none());
    assert_eq!(text(attr(ingress, "referenced_security_group_id").unwrap()), "each.value");
    let egress = find(&all, "aws_vpc_security_group_egress_rule", "shop-db_db_clients").unwrap();
    assert_eq!(keys(attr(egress, "for_each").unwrap()), vms());
    // Without clients the database keeps admitting its VPC.
    let plain = resources(&single(Provider::Aws, ResourceKind::Database));
    assert!(find(&plain, "aws_vpc_security_group_ingress_rule", "orders-db-1_db_postgres").is_some());
}

#[test]
fn azure_web_stack_joins_the_backend_pool_and_restricts_postgres_to_the_clients() {
    let all = resources(&web_stack(Provider::Azure));
    let assoc =
        find(&all, "azurerm_network_interface_backend_address_pool_association", "shop-lb").expect("association");
    assert_eq!(keys(attr(assoc, "for_each").unwrap()), vms());
    let allow = find(&all, "azurerm_network_security_rule", "shop-db_clients").unwrap();
    assert_eq!(attr(allow, "access"), Some(&s("Allow")));
    let sources = text(attr(allow, "source_address_prefixes").unwrap());
    for vm in vms() {
        assert!(sources.contains(&format!("azurerm_network_interface.{vm}.private_ip_address")), "{sources}");
    }
    let deny = find(&all, "azurerm_network_security_rule", "shop-net_postgres_others").unwrap();
    assert_eq!(attr(deny, "access"), Some(&s("Deny")));
    let priority = |b: &hcl::Body| match attr(b, "priority") {
        Some(hcl::Expression::Number(n)) => n.as_u64().unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(priority(allow) < priority(deny), "the allow is evaluated first");
}

#[test]
fn worker_stacks_render_their_vms_on_the_stack_network_everywhere() {
    for provider in PROVIDERS {
        let files = render(&worker_stack(provider)).unwrap();
        let compute = files.iter().find(|f| f.name == "compute.tf").unwrap();
        assert!(compute.contents.contains("jobs-net"), "{provider}: {}", compute.contents);
        assert!(files.iter().any(|f| f.name == "storage.tf"), "{provider}");
    }
}

fn vm_name(provider: Provider, n: &str) -> ResourceName {
    ResourceName::parse(provider, ResourceKind::Vm, n).unwrap()
}

#[test]
fn wiring_to_what_is_not_a_vm_of_the_project_on_the_network_is_refused() {
    for provider in PROVIDERS {
        let mut unknown = web_stack(provider);
        unknown.resources.iter_mut().find(|r| r.kind == ResourceKind::LoadBalancer).unwrap().targets =
            vec![vm_name(provider, "shop-vm-9")];
        let err = render(&unknown).unwrap_err();
        assert!(matches!(err, GenerateError::Invalid(_)) && err.to_string().contains("shop-vm-9"), "{provider}: {err}");

        // A VM of the project, but on the generated network rather than the stack's.
        let mut elsewhere = web_stack(provider);
        elsewhere.resources.push(resource(provider, ResourceKind::Vm, "stray-vm", default_region(provider)));
        elsewhere.resources.iter_mut().find(|r| r.kind == ResourceKind::Database).unwrap().clients =
            vec![vm_name(provider, "shop-vm-1"), vm_name(provider, "stray-vm")];
        let err = render(&elsewhere).unwrap_err();
        assert!(err.to_string().contains("stray-vm"), "{provider}: {err}");

        let mut misplaced = web_stack(provider);
        misplaced.resources.iter_mut().find(|r| r.kind == ResourceKind::Vm).unwrap().clients =
            vec![vm_name(provider, "shop-vm-2")];
        let err = render(&misplaced).unwrap_err();
        assert!(err.to_string().contains("only on a database"), "{provider}: {err}");
    }
}

#[test]
fn check_plan_accepts_a_stack_and_refuses_what_approval_could_not_write() {
    for provider in PROVIDERS {
        let stack: Vec<_> = web_stack(provider).resources.into_iter().collect();
        let others: Vec<_> = everything(provider).resources.into_iter().collect();
        // The whole stack new, into an empty project or one holding everything else.
        check_plan(provider, &[], &stack).unwrap_or_else(|e| panic!("{provider}: {e}"));
        check_plan(provider, &others, &stack).unwrap_or_else(|e| panic!("{provider}: {e}"));
        // New clients and targets may be VMs the project holds already.
        let (net, vms, lb, db) = (&stack[..1], &stack[1..3], &stack[3], &stack[4]);
        assert_eq!((lb.kind, db.kind), (ResourceKind::LoadBalancer, ResourceKind::Database));
        check_plan(provider, &stack[..3], &stack[3..]).unwrap_or_else(|e| panic!("{provider}: {e}"));

        // Deployed twice: the second stack's names collide with the first's.
        let err = check_plan(provider, &stack, &stack).unwrap_err();
        assert!(matches!(err, GenerateError::Conflict(_)), "{provider}: {err}");
        // Targets the project does not hold.
        let err = check_plan(provider, net, std::slice::from_ref(lb)).unwrap_err();
        assert!(err.to_string().contains("shop-vm-1"), "{provider}: {err}");
        // A network the project does not hold.
        let err = check_plan(provider, &[], vms).unwrap_err();
        assert!(err.to_string().contains("shop-net"), "{provider}: {err}");
        // A network named like the generator's own.
        let reserved = resource(provider, ResourceKind::Network, "chatops-x", default_region(provider));
        let mut reserved = reserved;
        reserved.name = ResourceName::parse(provider, ResourceKind::Network, "chatops_x").unwrap_or(reserved.name);
        if reserved.name.as_str() == "chatops_x" {
            assert!(check_plan(provider, &[], &[reserved]).is_err(), "{provider}");
        }
    }
}
