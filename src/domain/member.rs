//! Who acts, as every layer knows them: the member behind a command or a click.

/// The member who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invoker {
    /// Member.
    pub user_id: i64,
    /// Guild.
    pub guild_id: i64,
    /// Channel the command came from.
    pub channel_id: i64,
    /// Has Discord's Administrator or Manage Server permission in the guild, as the front end saw it
    /// with this very command or click.
    pub is_guild_admin: bool,
}

/// A button on a lobby.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LobbyAction {
    /// Approve & Deploy.
    Approve,
    /// Cancel.
    Cancel,
}
