//! Basiq's paging rules for every list the sandbox serves: `limit` 1–500 (default 500), and
//! `links.next` = `{list_url}?next=<cursor>` while more items remain. The cursor is opaque and
//! carries the position, the page size and the filter, so a next page keeps the first page's filter.

use serde_json::Value;

use super::envelopes::page_list;
use super::list_params::{Cursor, cursor_param, page_links};
use crate::errors::ApiResult;

/// The cursor of a list request without a filter.
pub(crate) fn cursor(q: &[(String, String)]) -> ApiResult<Cursor> {
    cursor_param(q, "")
}

/// How many items to skip before a page.
pub(crate) fn skip(cursor: &Cursor) -> usize {
    cursor.pos
}

/// How many items to take for a page: one more than the page holds, to learn whether a next
/// page exists (see [`finish`]).
pub(crate) fn take(cursor: &Cursor) -> usize {
    cursor.limit.saturating_add(1)
}

/// The list envelope of a page rendered from `skip`/`take`: the extra item is cut and turns into
/// `links.next`.
pub(crate) fn finish(mut data: Vec<Value>, cursor: &Cursor, self_link: String, list_url: &str) -> Value {
    let next = (data.len() > cursor.limit).then(|| {
        data.truncate(cursor.limit);
        cursor.pos.saturating_add(cursor.limit)
    });
    envelope(data, cursor, self_link, list_url, next)
}

/// The list envelope of one page: `{type:"list", count, size, data, links:{self, next?}}`.
pub(crate) fn envelope(
    data: Vec<Value>,
    cursor: &Cursor,
    self_link: String,
    list_url: &str,
    next: Option<usize>,
) -> Value {
    page_list(data, cursor.limit, page_links(self_link, list_url, cursor, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_turns_the_extra_item_into_a_next_link() {
        let c = Cursor { pos: 2, limit: 2, filter: String::new() };
        let v = finish(vec![Value::from(1), Value::from(2), Value::from(3)], &c, "s".into(), "http://x/l");
        assert_eq!(v["count"], 2);
        assert!(v["links"]["next"].as_str().is_some_and(|n| n.starts_with("http://x/l?next=")));
        let v = finish(vec![Value::from(1)], &c, "s".into(), "http://x/l");
        assert!(v["links"].get("next").is_none());
    }
}
