//! Button `custom_id`s: short, parseable and versioned — `lobby:v1:<session uuid>:<approve|cancel|terraform>`
//! (at most 54 characters, well under Discord's 100).

use uuid::Uuid;

use crate::commands::LobbyAction;

const PREFIX: &str = "lobby:v1:";

/// The custom id of a lobby button.
pub fn format(session_id: Uuid, action: LobbyAction) -> String {
    let verb = match action {
        LobbyAction::Approve => "approve",
        LobbyAction::Cancel => "cancel",
    };
    format!("{PREFIX}{session_id}:{verb}")
}

/// The custom id of a lobby's "View Terraform" button: `lobby:v1:<session>:terraform`.
pub fn format_view(session_id: Uuid) -> String {
    format!("{PREFIX}{session_id}:terraform")
}

/// Parses a "View Terraform" button's id.
pub fn parse_view(custom_id: &str) -> Option<Uuid> {
    let id = custom_id.strip_prefix(PREFIX)?.strip_suffix(":terraform")?;
    Uuid::parse_str(id).ok().filter(|u| u.hyphenated().to_string() == id)
}

/// Parses a custom id; anything else (another version, a forged id) is `None`.
pub fn parse(custom_id: &str) -> Option<(Uuid, LobbyAction)> {
    if custom_id.len() > 100 {
        return None;
    }
    let rest = custom_id.strip_prefix(PREFIX)?;
    let (id, verb) = rest.rsplit_once(':')?;
    let action = match verb {
        "approve" => LobbyAction::Approve,
        "cancel" => LobbyAction::Cancel,
        _ => return None,
    };
    Uuid::parse_str(id).ok().filter(|u| u.hyphenated().to_string() == id).map(|u| (u, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_anything_else() {
        let id = Uuid::new_v4();
        for action in [LobbyAction::Approve, LobbyAction::Cancel] {
            let text = format(id, action);
            assert!(text.len() <= 100);
            assert_eq!(parse(&text), Some((id, action)));
        }
        for bad in [
            "",
            "lobby:v2:00000000-0000-0000-0000-000000000000:approve",
            "lobby:v1:not-a-uuid:approve",
            &format!("lobby:v1:{id}:delete"),
            &format!("lobby:v1:{}:approve", id.simple()),
            &format!("lobby:v1:{id}:approve:extra"),
            &"x".repeat(200),
        ] {
            assert_eq!(parse(bad), None, "{bad}");
            assert_eq!(parse_view(bad), None, "{bad}");
        }
        let view = format_view(id);
        assert!(view.len() <= 100);
        assert_eq!((parse_view(&view), parse(&view)), (Some(id), None), "a view is no lobby action");
        assert_eq!(parse_view(&format(id, LobbyAction::Approve)), None);
    }
}
