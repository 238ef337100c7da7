//! Whether an error answer means Basiq refused the access token itself (so a fresh token and one
//! replay may help), as opposed to refusing the caller something the token is fine for.
//!
//! Basiq's documented answers (see the table in the tests):
//! * every 401 concerns the token: missing or garbled (`invalid-authorization-token`), not
//!   valid for the user (`unauthorized-access`), or expired (`access-denied` on some endpoints);
//! * a 403 concerns the token only when its envelope says so: "Token has expired", or an invalid
//!   token. Every other 403 (a user the key may not see, a disabled account, a missing scope, no
//!   production access, the sandbox connection limit, "Missing Authentication Token" from the
//!   gateway) is an answer about the request, and a new token would get the same answer.

use reqwest::StatusCode;

use crate::error::ApiError;

/// True when a `status` answer with this `body` refuses the token itself.
pub(crate) fn token_refused(status: StatusCode, body: &[u8]) -> bool {
    match status {
        StatusCode::UNAUTHORIZED => true,
        StatusCode::FORBIDDEN => {
            let api = ApiError::from_body(403, None, body);
            api.has_code("invalid-authorization-token")
                || api
                    .items
                    .iter()
                    .any(|item| [&item.title, &item.detail].into_iter().flatten().any(|text| says_token_is_bad(text)))
        }
        _ => false,
    }
}

/// "Token has expired", "Invalid authorization token." and the like, but not "Missing Authentication Token".
fn says_token_is_bad(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("token") && (text.contains("expired") || text.contains("invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str, title: &str, detail: &str) -> Vec<u8> {
        serde_json::json!({"type": "list", "correlationId": "c", "data": [
            {"type": "error", "code": code, "title": title, "detail": detail}
        ]})
        .to_string()
        .into_bytes()
    }

    /// Basiq's documented 401 and 403 answers (FACTS §1, §2, §6 and §10 item 8) and whether
    /// each refuses the token itself.
    const DOCUMENTED: &[(u16, &str, &str, &str, bool)] = &[
        (401, "invalid-authorization-token", "Unauthorized", "Invalid authorization token.", true),
        (401, "unauthorized-access", "Unauthorized", "You are not authorized to access this resource", true),
        (401, "unauthorised-access", "Unauthorised", "You are not authorised to access this resource", true),
        (401, "invalid-authorization-request", "Unauthorized", "Invalid authorization request", true),
        (401, "access-denied", "Access denied", "Token has expired", true),
        (403, "access-denied", "Forbidden", "Token has expired", true),
        (403, "forbidden-access", "Forbidden Access", "Token has expired", true),
        (403, "invalid-authorization-token", "Forbidden", "Invalid authorization token.", true),
        (403, "access-denied", "Access denied", "Access to this user is denied", false),
        (403, "access-denied", "Forbidden", "Your account has been disabled. Please contact Basiq support.", false),
        (403, "forbidden-access", "Forbidden Access", "Access to this resource is forbidden", false),
        (
            403,
            "no-production-access",
            "Forbidden",
            "Please contact us to have your API key enabled for Connections.",
            false,
        ),
        (403, "request-not-valid", "Forbidden", "Missing Authentication Token", false),
        (403, "too-many-sandbox-connections", "Forbidden", "Limit reached for sandbox connections.", false),
        (403, "", "Forbidden", "Invalid request", false),
    ];

    #[test]
    fn every_documented_answer_is_classified() {
        for (status, code, title, detail, refused) in DOCUMENTED {
            let status = StatusCode::from_u16(*status).unwrap();
            assert_eq!(token_refused(status, &body(code, title, detail)), *refused, "{status} {code} {detail}");
        }
    }

    #[test]
    fn other_statuses_and_bodies_never_count() {
        assert!(!token_refused(StatusCode::NOT_FOUND, &body("resource-not-found", "Not found", "Token has expired")));
        assert!(!token_refused(StatusCode::FORBIDDEN, b"<html>Forbidden</html>"));
        assert!(!token_refused(StatusCode::FORBIDDEN, b""));
        assert!(token_refused(StatusCode::UNAUTHORIZED, b""));
    }

    #[test]
    fn the_invalid_token_code_counts_whatever_the_text_says() {
        let terse = body("invalid-authorization-token", "Forbidden", "Forbidden");
        assert!(token_refused(StatusCode::FORBIDDEN, &terse), "the code alone says the token is bad");
        let other = body("access-denied", "Forbidden", "Forbidden");
        assert!(!token_refused(StatusCode::FORBIDDEN, &other));
    }
}
