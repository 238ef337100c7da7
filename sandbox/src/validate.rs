//! Strict reading of optional JSON input, as Basiq does it: an optional field is either absent or
//! of its documented type. `null`, `""` or another JSON type answer 400 `parameter-not-valid`
//! with a `source.pointer` naming the field, instead of being read as "absent".

use serde_json::{Map, Value};

use super::errors::{ApiError, ApiResult};

/// 400 `parameter-not-valid` pointing at the body field `pointer` (`a/b` for nested fields).
pub(crate) fn invalid(pointer: &str, detail: impl Into<String>) -> ApiError {
    ApiError::invalid_param(pointer, detail).pointer(pointer)
}

/// An optional, non-empty string field: `None` when absent; 400 when `null`, `""` (after
/// trimming) or not a string.
pub(crate) fn optional_text(obj: &Map<String, Value>, key: &str) -> ApiResult<Option<String>> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
        Some(Value::String(_)) => Err(invalid(key, format!("{key} must not be empty."))),
        Some(Value::Null) => Err(invalid(key, format!("{key} must not be null."))),
        Some(_) => Err(invalid(key, format!("{key} must be a string."))),
    }
}

/// An optional list of strings: `None` when absent; 400 when `null`, `""`, not a list, or holding
/// anything but strings.
pub(crate) fn optional_text_list(obj: &Map<String, Value>, key: &str) -> ApiResult<Option<Vec<String>>> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(|| invalid(key, format!("{key} must hold strings."))))
            .collect::<ApiResult<Vec<_>>>()
            .map(Some),
        Some(Value::Null) => Err(invalid(key, format!("{key} must not be null."))),
        Some(_) => Err(invalid(key, format!("{key} must be a list of strings."))),
    }
}

/// The fields of a business address, all strings.
const ADDRESS_FIELDS: &[&str] = &["addressLine1", "addressLine2", "suburb", "state", "postcode", "countryCode"];

/// A business address object: each known field absent, `null` or a string (unknown fields are
/// dropped, never echoed); 400 pointing at the offending nested field otherwise, and 400 for a
/// `null` address.
pub(crate) fn business_address(obj: &Map<String, Value>, key: &str) -> ApiResult<Option<Value>> {
    let fields = match obj.get(key) {
        None => return Ok(None),
        Some(Value::Object(fields)) => fields,
        Some(_) => return Err(invalid(key, format!("{key} must be an object."))),
    };
    let mut clean = Map::new();
    for (name, value) in fields {
        if !ADDRESS_FIELDS.contains(&name.as_str()) {
            continue;
        }
        match value {
            Value::Null => {}
            Value::String(s) => {
                clean.insert(name.clone(), Value::String(s.clone()));
            }
            _ => return Err(invalid(&format!("{key}/{name}"), format!("{key}.{name} must be a string."))),
        }
    }
    Ok(Some(Value::Object(clean)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn optional_text_refuses_null_empty_and_other_types() {
        assert_eq!(optional_text(&obj(json!({})), "a").ok(), Some(None));
        assert_eq!(optional_text(&obj(json!({"a": " x "})), "a").ok(), Some(Some("x".to_owned())));
        for bad in [json!(null), json!(""), json!(1), json!([])] {
            let e = optional_text(&obj(json!({ "a": bad })), "a").err().map(|e| e.code);
            assert_eq!(e, Some("parameter-not-valid"));
        }
    }

    #[test]
    fn business_address_points_at_the_nested_field() {
        let e = business_address(&obj(json!({"b": {"postcode": 12345}})), "b").err();
        assert!(matches!(e.and_then(|e| e.source), Some(crate::errors::ErrorSource::Pointer(p)) if p == "b/postcode"));
        let ok = business_address(&obj(json!({"b": {"postcode": "2000", "x": {"y": 1}}})), "b").ok().flatten();
        assert_eq!(ok, Some(json!({"postcode": "2000"})));
    }
}
