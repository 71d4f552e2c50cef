//! The nearest compliant alternative of a denied deploy, for the lobby to show: the candidates of
//! `domain::validate::suggest` judged like the request itself (the same grant, policies, quotas and
//! budgets, read through the actors), all asked at once so the shared reads are answered together.

use tokio::task::JoinSet;

use super::{Invoker, Services};
use crate::domain::plan::Plan;
use crate::domain::validate::suggest::{Suggestion, candidates, nearest};
use crate::domain::validate::{DeployRequest, Verdict};

/// What to ask for instead of a denied `request`, if a size or a region can lift the denial.
pub async fn alternative(
    services: &Services,
    invoker: Invoker,
    project_id: &str,
    request: &DeployRequest,
    verdict: &Verdict,
) -> Option<Suggestion> {
    let options = candidates(request, verdict, &services.catalog);
    if options.is_empty() {
        return None;
    }
    let project = services.records.project(invoker.guild_id, project_id).await.ok()?;
    let mut judging = JoinSet::new();
    for (i, candidate) in options.iter().cloned().enumerate() {
        let (deps, project) = (services.validation(), project.clone());
        judging.spawn(async move {
            let plan = Plan::Deploy(candidate);
            (i, deps.verdict(&project, invoker.user_id, invoker.is_guild_admin, &plan, &[]).await)
        });
    }
    let mut judged: Vec<Option<Verdict>> = vec![None; options.len()];
    while let Some(done) = judging.join_next().await {
        if let Ok((i, Ok(v))) = done {
            judged[i] = Some(v);
        }
    }
    let judged: Vec<(DeployRequest, Verdict)> =
        options.into_iter().zip(judged).filter_map(|(c, v)| v.map(|v| (c, v))).collect();
    nearest(request, verdict, &judged)
}
