//! Filter expressions for the sandbox's tests, written in one place. The sandbox has no typed
//! filters (it does not depend on `basiq`), and these tests feed its parser raw grammar.

/// `field.op('v1','v2'…)`: one statement with quoted values.
pub fn statement(field: &str, op: &str, values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| ["'", v, "'"].concat()).collect();
    [field, ".", op, "(", &quoted.join(","), ")"].concat()
}

/// `field.eq(value)` with the value bare, as Basiq's events page writes it.
pub fn bare_eq(field: &str, value: &str) -> String {
    [field, ".eq(", value, ")"].concat()
}

/// Statements that must all hold.
pub fn all(statements: &[String]) -> String {
    statements.join(",")
}

/// `path` with `filter` added to its query, URL-encoded.
pub fn url(path: &str, filter: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    let separator = if path.contains('?') { "&" } else { "?" };
    [path, separator, "filter=", &encoded].concat()
}

/// `path?filter=<filter>` unencoded, as the sandbox writes its own links.
pub fn plain_url(path: &str, filter: &str) -> String {
    [path, "?filter=", filter].concat()
}
