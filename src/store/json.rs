//! JSON columns as text rendered once, where the value is made.
//!
//! A lobby's request and verdict go into its session row and its audit entry. Built as
//! `serde_json::Value` trees they were rendered twice, cloned by the active model and rendered to
//! text again at the insert: a fifth of the CPU of a lobby opening. [`JsonText`] serialises the
//! value straight to text, and clones share it.

use std::fmt;
use std::sync::Arc;

use sea_orm::{ActiveModelTrait, EntityTrait};
use serde::Serialize;

use super::{StoreError, StoreResult};

/// The JSON columns of a row, as text, beside an active model that leaves them unset.
pub type JsonColumns<A> = Vec<(<<A as ActiveModelTrait>::Entity as EntityTrait>::Column, Option<JsonText>)>;

/// The active model with its JSON columns set as values, for sea-orm's typed insert.
pub fn assemble<A: ActiveModelTrait>((mut model, columns): (A, JsonColumns<A>)) -> StoreResult<A> {
    for (column, text) in columns {
        let value = text.map(|t| t.to_value()).transpose()?;
        model.set(column, value.into());
    }
    Ok(model)
}

/// Valid JSON text.
#[derive(Clone, PartialEq, Eq)]
pub struct JsonText(Arc<str>);

impl JsonText {
    /// Serialises `value`.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> StoreResult<Self> {
        serde_json::to_string(value).map(|text| Self(text.into())).map_err(|e| StoreError::InvalidInput(e.to_string()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is JSON `null`.
    pub fn is_null(&self) -> bool {
        &*self.0 == "null"
    }

    /// The value, for sea-orm's typed models.
    pub fn to_value(&self) -> StoreResult<serde_json::Value> {
        serde_json::from_str(&self.0).map_err(|e| StoreError::InvalidInput(e.to_string()))
    }
}

impl Default for JsonText {
    /// An empty object.
    fn default() -> Self {
        Self(Arc::from("{}"))
    }
}

impl From<serde_json::Value> for JsonText {
    fn from(value: serde_json::Value) -> Self {
        Self(value.to_string().into())
    }
}

impl fmt::Debug for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_to_the_same_value() {
        let value = serde_json::json!({ "name": "web \"01\"", "n": [1, 2], "nested": { "x": null } });
        let text = JsonText::of(&value).unwrap();
        assert_eq!(text.to_value().unwrap(), value);
        assert_eq!(JsonText::from(value.clone()), text);
        assert!(JsonText::of(&serde_json::Value::Null).unwrap().is_null());
        assert!(!JsonText::default().is_null());
        assert_eq!(JsonText::default().to_value().unwrap(), serde_json::json!({}));
    }
}
