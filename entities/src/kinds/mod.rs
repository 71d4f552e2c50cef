//! The enums the tables store as text (provider, resource kind, lobby and record status, policy kind,
//! quota type, role, size class). They live beside the entities so a column can be typed with them
//! (sea-orm `DeriveValueType` over their text), and the domain re-exports them: one definition,
//! stored as the same text as before, so the schema and stored data stay as they are.

mod kind;
mod provider;
mod quota;
mod role;
mod status;

pub use kind::ResourceKind;
pub use provider::Provider;
pub use quota::QuotaType;
pub use role::{Role, SizeClass};
pub use status::{PolicyKind, RecordStatus, SessionStatus};

/// Error for a value that could not be parsed from text; says what was wrong and what is valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} `{value}` is not valid: {expected}")]
pub struct ParseError {
    /// What was being parsed ("provider", "resource type", ...).
    pub what: &'static str,
    /// The offending input, shortened so an oversized value cannot flood a message.
    pub value: String,
    /// What would have been accepted.
    pub expected: String,
}

impl ParseError {
    /// Builds the error, truncating the echoed value to 64 characters.
    pub fn new(what: &'static str, value: &str, expected: impl Into<String>) -> Self {
        let mut shown: String = value.chars().take(64).collect();
        if value.chars().count() > 64 {
            shown.push('…');
        }
        Self { what, value: shown, expected: expected.into() }
    }
}

/// Implements `as_str`, `Display`, `FromStr` and serde as the lowercase name for a plain enum.
#[macro_export]
macro_rules! text_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The canonical text of this value, as stored and as typed by users.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::kinds::ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let lower = s.trim().to_ascii_lowercase();
                $(if lower == $text.to_ascii_lowercase() { return Ok($ty::$variant); })+
                Err($crate::kinds::ParseError::new(
                    $what,
                    s,
                    format!("one of {}", [$($text),+].join(", ")),
                ))
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
