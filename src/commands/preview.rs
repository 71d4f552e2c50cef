//! `preview [session]` on the console, the lobby's "View Terraform" button in Discord: the files
//! approval would write, as a diff against what is written now. Only the member sees it; nothing
//! is written (`terraform::preview` renders in memory).

use uuid::Uuid;

use super::reply::{PreviewFile, PreviewView};
use super::{Invoker, Reply, Services, can_read, member};
use crate::actors::ActorError;
use crate::domain::SessionStatus;
use crate::store::StoreError;
use crate::terraform::preview::{apply_plan, preview};
use crate::terraform::{GenerateError, GeneratorSettings};

/// Preview a lobby's Terraform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preview {
    /// The lobby.
    pub session_id: Uuid,
}

impl Preview {
    pub(super) async fn run(self, services: &Services, invoker: Invoker) -> Result<Reply, ActorError> {
        let row = services.records.session(self.session_id).await?;
        if row.guild_id != invoker.guild_id {
            return Err(StoreError::not_found("session", self.session_id).into());
        }
        let project = services.records.project(invoker.guild_id, &row.project_id).await?;
        let may_read = can_read(&member(services, invoker, project.provider).await?)
            || project.owner_user_id == invoker.user_id
            || row.user_id == invoker.user_id;
        if !may_read {
            return Ok(Reply::refused(format!(
                "viewing {} Terraform needs a role; ask an administrator",
                project.provider
            )));
        }
        if row.status != SessionStatus::Pending {
            return Ok(Reply::error(format!(
                "lobby {} is {}: there is nothing left to preview (see /cloud-list and /cloud-history)",
                row.id, row.status
            )));
        }
        let (plan, verdict) = crate::store::sessions::plan_of(&row)?;
        let settings = GeneratorSettings::from(&services.settings.terraform);
        let spec = match services.records.project_spec(&project.id, services.catalog.clone(), settings).await? {
            Ok(spec) => spec,
            Err(e) => return Ok(generate_error(&e)),
        };
        let after = match apply_plan(&spec, &plan, &verdict, &services.catalog) {
            Ok(after) => after,
            Err(e) => return Ok(generate_error(&e)),
        };
        let root = services.settings.terraform.output_dir.clone();
        let shown = tokio::task::spawn_blocking(move || preview(&root, &after))
            .await
            .map_err(|_| ActorError::Unavailable("terraform preview"))?;
        let shown = match shown {
            Ok(p) => p,
            Err(e) => return Ok(generate_error(&e)),
        };
        Ok(Reply::Preview(PreviewView {
            session_id: row.id,
            project_id: project.id,
            dir: shown.dir,
            files: shown
                .files
                .into_iter()
                .map(|f| PreviewFile { name: f.name, change: f.change, diff: f.diff })
                .collect(),
        }))
    }
}

fn generate_error(e: &GenerateError) -> Reply {
    tracing::warn!(error = %e, "terraform preview failed");
    Reply::error(format!("the Terraform preview failed: {e}"))
}
