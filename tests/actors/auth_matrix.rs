//! The authorisation matrix: every member kind × every command and button × own guild / other
//! guild, each cell the exact reply kind expected. A cell that drifts (a viewer who can grant, an
//! outsider who can read another guild's quota) fails with its coordinates.

use cloud_chatops::commands::{Invoker, LobbyAction, Reply};
use cloud_chatops::domain::QuotaType;
use cloud_chatops::{seed, store};
use uuid::Uuid;

use crate::harness::{ADMIN, App, USER, VIEWER, start};
use crate::support::{each_backend, settings};

/// The member kinds of the matrix, in column order.
#[derive(Debug, Clone, Copy)]
enum Member {
    Viewer,
    User,
    Admin,
    /// Discord Administrator without any grant.
    GuildAdmin,
    Nobody,
}

const MEMBERS: [Member; 5] = [Member::Viewer, Member::User, Member::Admin, Member::GuildAdmin, Member::Nobody];
const OTHER_GUILD: i64 = 999_999;
/// A CloudUser whose lobbies the matrix's members press ("other's" lobbies).
const REQUESTER: Invoker = Invoker { user_id: 888_888, ..USER };

impl Member {
    fn invoker(self, own_guild: bool) -> Invoker {
        let who = match self {
            Member::Viewer => VIEWER,
            Member::User => USER,
            Member::Admin => ADMIN,
            Member::GuildAdmin => Invoker { user_id: 555_555, is_guild_admin: true, ..USER },
            Member::Nobody => Invoker { user_id: 444_444, ..USER },
        };
        if own_guild { who } else { Invoker { guild_id: OTHER_GUILD, ..who } }
    }
}

/// One row: what each member kind gets (Viewer, User, Admin, GuildAdmin, Nobody), in the own guild
/// and from another guild.
struct Row {
    case: &'static str,
    own: [&'static str; 5],
    other: [&'static str; 5],
}

const R: &str = "refused";
const E: &str = "error";

#[rustfmt::skip]
const COMMANDS: &[Row] = &[
    Row { case: "init", own: [R, "project_created", "project_created", "project_created", R], other: [R, R, R, "project_created", R] },
    Row { case: "deploy", own: ["lobby:denied", "lobby:allowed", "lobby:allowed", "lobby:allowed", "lobby:denied"], other: [E; 5] },
    // Destroy and resize need can_delete: a CloudAdmin (or a Discord Administrator), never a CloudUser.
    Row { case: "destroy", own: ["lobby:denied", "lobby:denied", "lobby:allowed", "lobby:allowed", "lobby:denied"], other: [E; 5] },
    Row { case: "resize", own: ["lobby:denied", "lobby:denied", "lobby:allowed", "lobby:allowed", "lobby:denied"], other: [E; 5] },
    Row { case: "stack", own: ["lobby:denied", "lobby:allowed", "lobby:allowed", "lobby:allowed", "lobby:denied"], other: [E; 5] },
    Row { case: "list", own: ["resources", "resources", "resources", "resources", R], other: [E; 5] },
    Row { case: "quota", own: ["quota", "quota", "quota", "quota", R], other: [E; 5] },
    Row { case: "projects", own: ["projects:seen", "projects:seen", "projects:seen", "projects:seen", "projects:none"], other: ["projects:none"; 5] },
    Row { case: "grant", own: [R, R, R, "granted", R], other: [R, R, R, "granted", R] },
    Row { case: "revoke", own: [R, R, R, "revoked", R], other: [R, R, R, "revoked", R] },
    Row { case: "policy add", own: [R, R, R, "policy_added", R], other: [R, R, R, "policy_added", R] },
    Row { case: "policy list", own: [R, R, R, "policies", R], other: [R, R, R, "policies", R] },
    // The policy removed belongs to the own guild: from another guild it does not exist.
    Row { case: "policy remove", own: [R, R, R, "policy_removed", R], other: [R, R, R, E, R] },
];

#[rustfmt::skip]
const BUTTONS: &[Row] = &[
    // The viewer's and the outsider's own lobbies were denied at opening: nothing to approve.
    Row { case: "approve own", own: [R, "deployed", "deployed", "deployed", R], other: [E; 5] },
    Row { case: "approve other's", own: [R, R, "deployed", "deployed", R], other: [E; 5] },
    Row { case: "cancel own", own: ["lobby_closed"; 5], other: [E; 5] },
    Row { case: "cancel other's", own: [R, R, "lobby_closed", "lobby_closed", R], other: [E; 5] },
    // A lobby opened by the CloudAdmin that a `require_approval` policy flagged: only another
    // CloudAdmin may approve it, never its requester.
    Row { case: "approve needs-approval (requested by Admin)", own: [R, R, R, "deployed", R], other: [E; 5] },
    Row { case: "approve destroy (requested by Admin)", own: [R, R, "destroyed", "destroyed", R], other: [E; 5] },
    Row { case: "approve resize (requested by Admin)", own: [R, R, "resized", "resized", R], other: [E; 5] },
    Row { case: "approve stack other's", own: [R, R, "stack_deployed", "stack_deployed", R], other: [E; 5] },
];

/// The reply's kind, refined where the kind alone would hide a wrong answer.
fn outcome(reply: &Reply) -> String {
    let kind = serde_json::to_value(reply).expect("reply serialises")["kind"].as_str().unwrap_or("?").to_owned();
    match reply {
        Reply::Lobby(view) => {
            format!("lobby:{}", serde_json::to_value(view.verdict.outcome).unwrap().as_str().unwrap())
        }
        Reply::Projects { projects } if projects.iter().any(|p| p.id == seed::PROJECT_ID) => "projects:seen".into(),
        Reply::Projects { .. } => "projects:none".into(),
        _ => kind,
    }
}

fn opts_line(case: &str, n: usize, policy_id: i64) -> String {
    match case {
        "init" => format!("/cloud-init provider:gcp project_name:matrix-{n}"),
        "deploy" => format!(
            "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:matrix-{n} machine_type:e2-small"
        ),
        "destroy" => "/cloud-destroy project_id:gcp-abc123 resource_name:worker-01".into(),
        "resize" => "/cloud-resize project_id:gcp-abc123 resource_name:worker-01 machine_type:e2-medium".into(),
        "stack" => format!("/cloud-stack project_id:gcp-abc123 template:worker name:matrix-{n}"),
        "list" => "/cloud-list project_id:gcp-abc123".into(),
        "quota" => "/cloud-quota project_id:gcp-abc123".into(),
        "projects" => "/cloud-projects".into(),
        "grant" => "/cloud-grant user:777777 provider:gcp role:viewer".into(),
        "revoke" => "/cloud-revoke user:777777 provider:gcp".into(),
        "policy add" => format!(
            "/cloud-policy add name:matrix-{n} policy_type:region resource_pattern:type:storage allowed_values:us-central1"
        ),
        "policy list" => "/cloud-policy list".into(),
        "policy remove" => format!("/cloud-policy remove policy_id:{policy_id}"),
        other => panic!("no line for {other}"),
    }
}

/// A fresh policy of the own guild, for the remove cases.
async fn fresh_policy(app: &App, n: usize) -> i64 {
    let root = Member::GuildAdmin.invoker(true);
    let line = format!(
        "/cloud-policy add name:victim-{n} policy_type:region resource_pattern:type:storage allowed_values:us-central1"
    );
    match app.run(root, &line).await {
        Reply::PolicyAdded { policy } => policy.id,
        other => panic!("setup policy: {other:?}"),
    }
}

/// Opens the lobby a button case presses, as its requester (always in the own guild).
async fn lobby_for(app: &App, case: &str, member: Member, n: usize) -> (Uuid, Invoker) {
    let (requester, line) = match case {
        "approve own" | "cancel own" => (
            member.invoker(true),
            format!("/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:btn-{n} machine_type:e2-micro"),
        ),
        "approve needs-approval (requested by Admin)" => (
            Member::Admin.invoker(true),
            format!("/cloud-deploy project_id:gcp-abc123 resource_type:database resource_name:db-{n} access:public"),
        ),
        "approve destroy (requested by Admin)" | "approve resize (requested by Admin)" => {
            let admin = Member::Admin.invoker(true);
            let target = format!("tgt-{n}");
            let line = format!(
                "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:{target} machine_type:e2-micro"
            );
            let Reply::Lobby(view) = app.run(admin, &line).await else { panic!("setup target for {case}") };
            let deployed = app.press(admin, view.session_id, LobbyAction::Approve).await;
            assert!(matches!(deployed, Reply::Deployed(_)), "setup target: {deployed:?}");
            let line = if case.contains("destroy") {
                format!("/cloud-destroy project_id:gcp-abc123 resource_name:{target}")
            } else {
                format!("/cloud-resize project_id:gcp-abc123 resource_name:{target} machine_type:e2-small")
            };
            (admin, line)
        }
        "approve stack other's" => {
            (REQUESTER, format!("/cloud-stack project_id:gcp-abc123 template:worker name:stk-{n}"))
        }
        _ => (
            REQUESTER,
            format!("/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:btn-{n} machine_type:e2-micro"),
        ),
    };
    match app.run(requester, &line).await {
        Reply::Lobby(view) => (view.session_id, requester),
        other => panic!("setup lobby for {case}: {other:?}"),
    }
}

/// Closes a lobby the case left pending, so the next cases start from the same quota.
async fn tidy(app: &App, session: Uuid, requester: Invoker) {
    if app.status(session).await == "pending" {
        let closed = app.press(requester, session, LobbyAction::Cancel).await;
        assert!(matches!(closed, Reply::LobbyClosed { .. }), "tidy: {closed:?}");
    }
}

#[tokio::test]
async fn every_member_kind_gets_exactly_the_expected_reply_for_every_command_and_button() {
    each_backend(|db| async move {
        let app = start(db, settings()).await;
        // Room for every deployment the matrix approves.
        for quota in [QuotaType::ComputeInstances, QuotaType::ComputeCpus, QuotaType::ComputeRamGb] {
            store::quotas::set_limit(&app.db.db, seed::PROJECT_ID, quota, 1000).await.unwrap();
        }
        // The "other's" lobbies need a requester who may deploy.
        let granted =
            app.run(Member::GuildAdmin.invoker(true), "/cloud-grant user:888888 provider:gcp role:user").await;
        assert!(matches!(granted, Reply::Granted { .. }), "{granted:?}");

        let mut failures = Vec::new();
        let mut cells = 0;
        let mut n = 0;
        for row in COMMANDS {
            for own_guild in [true, false] {
                let expected = if own_guild { row.own } else { row.other };
                for (member, want) in MEMBERS.iter().zip(expected) {
                    n += 1;
                    let policy_id = if row.case == "policy remove" { fresh_policy(&app, n).await } else { 0 };
                    let reply = app.run(member.invoker(own_guild), &opts_line(row.case, n, policy_id)).await;
                    if let Reply::Lobby(view) = &reply {
                        tidy(&app, view.session_id, member.invoker(true)).await;
                    }
                    cells += 1;
                    let got = outcome(&reply);
                    if got != want {
                        failures.push(format!(
                            "{} / {member:?} / own guild {own_guild}: want {want}, got {reply:?}",
                            row.case
                        ));
                    }
                }
            }
        }
        for row in BUTTONS {
            for own_guild in [true, false] {
                let expected = if own_guild { row.own } else { row.other };
                for (member, want) in MEMBERS.iter().zip(expected) {
                    n += 1;
                    let (session, requester) = lobby_for(&app, row.case, *member, n).await;
                    let action =
                        if row.case.starts_with("cancel") { LobbyAction::Cancel } else { LobbyAction::Approve };
                    let reply = app.press(member.invoker(own_guild), session, action).await;
                    tidy(&app, session, requester).await;
                    cells += 1;
                    let got = outcome(&reply);
                    if got != want {
                        failures.push(format!(
                            "{} / {member:?} / own guild {own_guild}: want {want}, got {reply:?}",
                            row.case
                        ));
                    }
                }
            }
        }
        assert_eq!(cells, (COMMANDS.len() + BUTTONS.len()) * 10);
        assert!(
            failures.is_empty(),
            "{} of {cells} cells differ ({}):\n{}",
            failures.len(),
            app.db.backend,
            failures.join("\n")
        );
        // Nothing the refusals did leaked into the accounts: only approved lobbies used quota.
        let (_, reserved) = app.quota(seed::PROJECT_ID, "compute.instances").await;
        assert_eq!(reserved, 0, "every lobby was closed");
        app.stop().await
    })
    .await;
}
