//! Reading a journey page's request: the query or form pairs, the journey they carry and the
//! user its token belongs to.

use axum::body::Bytes;
use axum::http::Uri;

use super::context::Journey;
use super::page;
use crate::state::Shared;

/// Query or form field pairs, in order.
pub(crate) type Pairs = Vec<(String, String)>;

/// A journey, the pairs it was read from, and the user its token belongs to.
pub(crate) type Opened = (Journey, Pairs, String);

/// Query or form pairs from raw `application/x-www-form-urlencoded` bytes.
pub(crate) fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The query pairs of a request.
pub(crate) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    pairs(uri.query().unwrap_or("").as_bytes())
}

/// Read the journey and its user from pairs, or the page saying why the link cannot be used.
pub(crate) fn open(shared: &Shared, pairs: &[(String, String)]) -> Result<(Journey, String), page::Refusal> {
    let journey = Journey::from_pairs(pairs)?;
    let user = journey.user(shared)?;
    Ok((journey, user))
}

/// Read the journey from a GET's query.
pub(crate) fn open_query(shared: &Shared, uri: &Uri) -> Result<Opened, page::Refusal> {
    let q = query_pairs(uri);
    let (journey, user) = open(shared, &q)?;
    Ok((journey, q, user))
}

/// Read the journey from a POSTed form.
pub(crate) fn open_form(shared: &Shared, body: &Bytes) -> Result<Opened, page::Refusal> {
    let f = pairs(body);
    let (journey, user) = open(shared, &f)?;
    Ok((journey, f, user))
}
