//! `application/x-www-form-urlencoded` pairs (query strings and posted forms) and field lookup.

/// Parse an `application/x-www-form-urlencoded` string into pairs.
pub(crate) fn parse_form(s: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// First value of a form/query field.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}
