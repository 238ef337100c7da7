//! Bounded, secret-free excerpts of response bodies for error messages and logs.

/// Longest excerpt of a body kept in an error, in characters.
pub(crate) const EXCERPT_CHARS: usize = 300;

/// JSON keys whose values are replaced by `[redacted]` in excerpts.
fn is_sensitive_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["token", "secret", "password", "authorization", "apikey", "api_key", "mfa-response"].iter().any(|s| k.contains(s))
}

/// A short, redacted rendering of `body`: JSON with sensitive values masked, else lossy text.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            mask(&mut value);
            value.to_string()
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    truncate(&text, EXCERPT_CHARS)
}

fn mask(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_sensitive_key(key) && !v.is_null() {
                    *v = serde_json::Value::String("[redacted]".into());
                } else {
                    mask(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

/// Cuts `text` to at most `max` characters, marking the cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() { format!("{head}…") } else { head }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_tokens_and_secrets_at_any_depth() {
        let body = br#"{"access_token":"eyJabc","data":[{"secret":"whsec_x","name":"ok"}]}"#;
        let out = excerpt(body);
        assert!(!out.contains("eyJabc") && !out.contains("whsec_x"), "{out}");
        assert!(out.contains("\"name\":\"ok\""));
    }

    #[test]
    fn bounds_long_bodies() {
        let body = "x".repeat(10_000);
        assert_eq!(excerpt(body.as_bytes()).chars().count(), EXCERPT_CHARS + 1);
    }
}
