//! The JSON envelopes responses share: list shapes (`count`, `size`, `links`) and adding fields
//! to an object.

use serde_json::Value;

/// A list envelope counting its items: `{type:"list", count, data, links.self}`.
pub(crate) fn counted_list(data: Vec<Value>, self_link: String) -> Value {
    serde_json::json!({ "type": "list", "count": data.len(), "data": data, "links": { "self": self_link } })
}

/// A list envelope with `count` and `size` both the number of items.
pub(crate) fn sized_list(data: Vec<Value>, self_link: String) -> Value {
    let size = data.len();
    page_list(data, size, serde_json::json!({ "self": self_link }))
}

/// One page of a list: `{type:"list", count, size, data, links}` (`size` is the page size asked for).
pub(crate) fn page_list(data: Vec<Value>, size: usize, links: Value) -> Value {
    serde_json::json!({ "type": "list", "count": data.len(), "size": size, "data": data, "links": links })
}

/// Add the entries of the object `fields` to the object `target` (anything else is left alone).
pub(crate) fn extend_object(target: &mut Value, fields: Value) {
    if let (Some(target), Value::Object(fields)) = (target.as_object_mut(), fields) {
        target.extend(fields);
    }
}
