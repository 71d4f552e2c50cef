//! A lobby as its actor holds it, and how it is stored in `deployment_sessions`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use entities::deployment_sessions;

use super::outcome::LobbySnapshot;
use crate::domain::SessionStatus;
use crate::domain::validate::{DeployRequest, Verdict};
use crate::store::history::HistoryEntry;
use crate::store::json::JsonText;
use crate::store::quotas::QuotaAmount;
use crate::store::sessions::{self, NewSession};
use crate::store::{StoreError, StoreResult};

/// What `deployment_sessions.request` holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredRequest {
    /// The request.
    pub request: DeployRequest,
    /// Whether the requester had Discord's administrator permission when asking: kept for the
    /// record; approval asks again (`members`), this never decides.
    pub requester_is_guild_admin: bool,
}

/// One open lobby.
#[derive(Debug, Clone, PartialEq)]
pub struct Lobby {
    /// Session id.
    pub id: Uuid,
    /// Project.
    pub project_id: String,
    /// Guild.
    pub guild_id: i64,
    /// Channel of the lobby message.
    pub channel_id: i64,
    /// The lobby message, once posted.
    pub message_id: Option<i64>,
    /// Who asked.
    pub requester: i64,
    /// What was asked, and whether the requester was a guild administrator.
    pub stored: StoredRequest,
    /// The latest verdict.
    pub verdict: Verdict,
    /// Quota held while pending.
    pub reservation: Vec<QuotaAmount>,
    /// Deadline.
    pub expires_at: DateTime<Utc>,
}

impl Lobby {
    /// The request.
    pub fn request(&self) -> &DeployRequest {
        &self.stored.request
    }

    /// The row to insert when the lobby opens.
    pub fn new_session(&self) -> StoreResult<NewSession> {
        Ok(NewSession {
            id: self.id,
            project_id: self.project_id.clone(),
            user_id: self.requester,
            guild_id: self.guild_id,
            channel_id: self.channel_id,
            provider: self.request().provider,
            kind: self.request().kind,
            request: JsonText::of(&self.stored)?,
            verdict: JsonText::of(&self.verdict)?,
            reservation: self.reservation.clone(),
            expires_at: self.expires_at,
        })
    }

    /// Rebuilds a lobby from its row (start-up rehydration, restart after a crash).
    pub fn from_row(row: &deployment_sessions::Model) -> StoreResult<Lobby> {
        let bad = |what: &str, e: serde_json::Error| {
            StoreError::InvalidInput(format!("stored {what} of session {} is unreadable: {e}", row.id))
        };
        Ok(Lobby {
            id: row.id,
            project_id: row.project_id.clone(),
            guild_id: row.guild_id,
            channel_id: row.channel_id,
            message_id: row.message_id,
            requester: row.user_id,
            stored: serde_json::from_value(row.request.clone()).map_err(|e| bad("request", e))?,
            verdict: serde_json::from_value(row.verdict.clone()).map_err(|e| bad("verdict", e))?,
            reservation: sessions::reservation_of(row)?,
            expires_at: row.expires_at,
        })
    }

    /// An audit entry about this lobby: `by` did `action`, which ended as `outcome`.
    pub fn audit(&self, by: i64, action: &str, outcome: &str, error: Option<String>) -> HistoryEntry {
        self.audit_with(by, action, outcome, error, JsonText::of(&self.verdict).ok())
    }

    /// [`audit`](Self::audit) with the verdict already rendered (the session row's).
    pub fn audit_with(
        &self,
        by: i64,
        action: &str,
        outcome: &str,
        error: Option<String>,
        verdict: Option<JsonText>,
    ) -> HistoryEntry {
        #[derive(Serialize)]
        struct Details<'a> {
            request: &'a DeployRequest,
            requested_by: i64,
        }
        let request = self.request();
        HistoryEntry {
            guild_id: self.guild_id,
            user_id: by,
            project_id: Some(self.project_id.clone()),
            session_id: Some(self.id),
            action: action.into(),
            provider: Some(request.provider),
            resource_type: Some(request.kind),
            resource_name: Some(request.name.clone()),
            details: JsonText::of(&Details { request, requested_by: self.requester }).unwrap_or_default(),
            verdict,
            outcome: outcome.into(),
            cost_hourly: Some(self.verdict.hourly),
            error,
        }
    }

    /// The lobby as its message shows it, in `status`.
    pub fn snapshot(&self, status: SessionStatus) -> LobbySnapshot {
        LobbySnapshot {
            session_id: self.id,
            project_id: self.project_id.clone(),
            provider: self.request().provider,
            request: self.request().clone(),
            requested_by: self.requester,
            verdict: self.verdict.clone(),
            expires_at: self.expires_at,
            status,
        }
    }
}
