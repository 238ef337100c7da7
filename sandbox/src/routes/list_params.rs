//! Query parameters of list endpoints: `filter` (checked against the fields an endpoint
//! supports), `limit`, and the opaque `next` cursor with the `links` that carry it.

use serde_json::{Value, json};

use crate::encoding;
use crate::errors::{ApiError, ApiResult};
use crate::filter::{FieldSpec, Filter};
use crate::form;

/// The `filter` query parameter, parsed and checked against the fields an endpoint supports.
pub(crate) fn filter_param(q: &[(String, String)], fields: &[FieldSpec]) -> ApiResult<Filter> {
    Ok(Filter::parse_for(form::field(q, "filter").unwrap_or(""), fields)?)
}

/// Default and maximum page size for transactions.
pub(crate) const MAX_LIMIT: usize = 500;

/// A decoded pagination cursor: where to resume, the page size and the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) pos: usize,
    pub(crate) limit: usize,
    pub(crate) filter: String,
}

impl Cursor {
    /// Opaque URL-safe encoding.
    pub(crate) fn encode(&self) -> String {
        encoding::base64url_encode(format!("v1|{}|{}|{}", self.pos, self.limit, self.filter).as_bytes())
    }

    /// Decode; `None` when tampered with.
    pub(crate) fn decode(s: &str) -> Option<Cursor> {
        let raw = String::from_utf8(encoding::base64url_decode(s)?).ok()?;
        let mut parts = raw.splitn(4, '|');
        if parts.next()? != "v1" {
            return None;
        }
        let pos = parts.next()?.parse().ok()?;
        let limit: usize = parts.next()?.parse().ok()?;
        let filter = parts.next()?.to_owned();
        (1..=MAX_LIMIT).contains(&limit).then_some(Cursor { pos, limit, filter })
    }
}

/// Parse `limit` (default 500, 1..=500).
pub(crate) fn parse_limit(raw: Option<&str>) -> ApiResult<usize> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(MAX_LIMIT);
    };
    let n: i64 = raw.parse().map_err(|_| ApiError::invalid_param("limit", "Limit value is not valid"))?;
    if n < 1 {
        return Err(ApiError::invalid_param("limit", "Limit value is not valid"));
    }
    if n > MAX_LIMIT as i64 {
        return Err(ApiError::invalid_param("limit", "Maximum limit allowed is 500"));
    }
    Ok(n as usize)
}

/// The cursor from the `next` query parameter, or a first page of `limit` items with `filter`.
pub(crate) fn cursor_param(q: &[(String, String)], filter: &str) -> ApiResult<Cursor> {
    match form::field(q, "next").filter(|n| !n.is_empty()) {
        Some(next) => Cursor::decode(next).ok_or_else(|| ApiError::invalid_param("next", "Next value is not valid")),
        None => Ok(Cursor { pos: 0, limit: parse_limit(form::field(q, "limit"))?, filter: filter.to_owned() }),
    }
}

/// Resolve `limit`/`filter`/`next` query parameters into a cursor and parsed filter.
pub(crate) fn paging_params(q: &[(String, String)], fields: &[FieldSpec]) -> ApiResult<(Cursor, Filter)> {
    let cursor = cursor_param(q, form::field(q, "filter").unwrap_or(""))?;
    let f = Filter::parse_for(&cursor.filter, fields)?;
    Ok((cursor, f))
}

/// A page's `links`: `self`, plus `next` (`{list_url}?next=<cursor>`) while more items remain.
pub(crate) fn page_links(self_link: String, list_url: &str, cursor: &Cursor, next: Option<usize>) -> Value {
    let mut links = json!({ "self": self_link });
    if let Some(pos) = next {
        let c = Cursor { pos, ..cursor.clone() };
        links["next"] = json!(format!("{list_url}?next={}", c.encode()));
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_tamper() {
        let c = Cursor { pos: 1500, limit: 500, filter: "account.id.eq('a|b')".into() };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("!!!"), None);
        assert_eq!(Cursor::decode(&encoding::base64url_encode(b"v1|x|500|")), None);
        assert_eq!(Cursor::decode(&encoding::base64url_encode(b"v1|0|501|")), None);
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None).unwrap(), 500);
        assert_eq!(parse_limit(Some("20")).unwrap(), 20);
        assert_eq!(parse_limit(Some("501")).unwrap_err().detail, "Maximum limit allowed is 500");
        assert_eq!(parse_limit(Some("abc")).unwrap_err().detail, "Limit value is not valid");
        assert!(parse_limit(Some("0")).is_err());
    }
}
