//! Decoders for fields where Basiq's own examples disagree with its schema (see
//! `openapi/DEVIATIONS.md`, "Lenient fields"); build.rs attaches them to the generated types.
//!
//! * [`one_or_many`] / [`list_or_one`]: a list, or one object where a list was promised; an
//!   element that does not decode is dropped rather than failing the list.
//! * [`or_none`]: an optional nested object that does not decode becomes `None`, so one
//!   malformed detail never fails the account or transaction (or the page) around it.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::Value;

/// The elements of `value` that decode: a list's elements, or the one object given for a list.
fn elements<T: DeserializeOwned>(value: Value) -> Vec<T> {
    let items = match value {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        one => vec![one],
    };
    items
        .into_iter()
        .filter_map(|item| match serde_json::from_value(item) {
            Ok(item) => Some(item),
            Err(error) => {
                tracing::debug!(%error, "dropped a list element that does not decode");
                None
            }
        })
        .collect()
}

/// An optional list that may arrive as a list, one object or null.
pub(crate) fn one_or_many<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok((!value.is_null()).then(|| elements(value)))
}

/// A required list that may arrive as a list or one object.
pub(crate) fn list_or_one<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(elements(Value::deserialize(deserializer)?))
}

/// An optional object that becomes `None` when it does not decode.
pub(crate) fn or_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    if value.is_null() {
        return Ok(None);
    }
    Ok(serde_json::from_value(value)
        .map_err(|error| tracing::debug!(%error, "dropped an optional field that does not decode"))
        .ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Tier {
        name: String,
    }

    #[derive(Debug, Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "one_or_many")]
        tiers: Option<Vec<Tier>>,
        #[serde(default, deserialize_with = "or_none")]
        detail: Option<Tier>,
    }

    #[test]
    fn one_object_reads_as_a_list_and_bad_elements_are_dropped() {
        let h: Holder = serde_json::from_str(r#"{"tiers": {"name": "a"}}"#).unwrap();
        assert_eq!(h.tiers, Some(vec![Tier { name: "a".into() }]));
        let h: Holder = serde_json::from_str(r#"{"tiers": [{"name": "a"}, {"name": 5}, 7]}"#).unwrap();
        assert_eq!(h.tiers, Some(vec![Tier { name: "a".into() }]));
        let h: Holder = serde_json::from_str(r#"{"tiers": null}"#).unwrap();
        assert_eq!(h.tiers, None);
        let h: Holder = serde_json::from_str("{}").unwrap();
        assert_eq!((h.tiers, h.detail), (None, None));
    }

    #[test]
    fn a_malformed_optional_object_becomes_none() {
        let h: Holder = serde_json::from_str(r#"{"detail": [1, 2]}"#).unwrap();
        assert_eq!(h.detail, None);
        let h: Holder = serde_json::from_str(r#"{"detail": {"name": "x"}}"#).unwrap();
        assert_eq!(h.detail, Some(Tier { name: "x".into() }));
    }
}
