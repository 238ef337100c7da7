//! The consent link and redirect through the public API: a client token from a scripted
//! `/token` lands in the link, encoded; awkward redirects parse back to what was sent.

use crate::scripted;

use basiq::{ConsentAction, ConsentRedirect, ConsentUrl, Error, RetryPolicy};
use scripted::Scripted;

/// A `/token` endpoint that hands out `client+tok/=` for CLIENT_ACCESS.
async fn token_server() -> Scripted {
    Scripted::start(|seen, _| {
        scripted::token(if seen.body.contains("CLIENT_ACCESS") { "client+tok/=" } else { "server" })
    })
    .await
}

#[tokio::test]
async fn the_users_client_token_lands_in_the_consent_link_encoded() {
    let server = token_server().await;
    let client = server.client_with(scripted::API_KEY, RetryPolicy::default());
    let token = client.client_token("u1").await.unwrap();
    let link = ConsentUrl::new(token).action(ConsentAction::Connect).institution_id("AU00000").build().unwrap();
    assert_eq!(link, "https://consent.basiq.io/home?token=client%2Btok%2F%3D&action=connect&institutionId=AU00000");
    let bodies: Vec<String> = server.seen().iter().map(|s| format!("{} {}", s.path, s.body)).collect();
    assert_eq!(bodies, ["/token scope=CLIENT_ACCESS&userId=u1"]);
}

#[test]
fn a_state_with_awkward_characters_comes_back_unchanged() {
    for state in ["plain", "two words", "a&b=c", "#hash", "1+1", "100%", "café", "日本語", "🦀🔒", " padded "] {
        let link = ConsentUrl::new("t").with_base("https://app.example/callback").state(state).build().unwrap();
        let back = ConsentRedirect::parse(&link).unwrap();
        assert_eq!(back.state.as_deref(), Some(state), "{link}");
    }
}

#[test]
fn a_redirect_with_both_job_id_and_job_ids_lists_each_job_once() {
    let back =
        ConsentRedirect::parse("https://app.example/callback?jobId=j1&jobIds=j1%2Cj2,%20j3&state=s%20%F0%9F%A6%80")
            .unwrap();
    assert_eq!(back.job_ids, ["j1", "j2", "j3"]);
    assert_eq!(back.state.as_deref(), Some("s 🦀"));
    assert!(!back.is_error());
}

#[test]
fn a_redirect_without_jobs_is_not_an_error() {
    let back = ConsentRedirect::parse("https://app.example/callback?jobIds=&state=s").unwrap();
    assert!(back.job_ids.is_empty());
    assert_eq!(back.state.as_deref(), Some("s"));
}

#[test]
fn a_malformed_redirect_url_is_invalid_input() {
    assert!(matches!(ConsentRedirect::parse("https://exa mple.com/?jobIds=a"), Err(Error::InvalidInput(_))));
}

#[tokio::test]
async fn the_consent_page_follows_the_server() {
    if std::env::var_os(basiq::consent::ENV_CONSENT_URL).is_some() {
        return; // an explicit setting wins over discovery; nothing to check here
    }
    let sandbox = basiq_sandbox::Sandbox::start().await.unwrap();
    let client = basiq::Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    assert_eq!(client.consent_page().await, sandbox.consent_url_base());

    // A server without a discovery document (here it answers every path with a token) gets Basiq's page.
    let server = token_server().await;
    let client = server.client_with(scripted::API_KEY, RetryPolicy::default());
    assert_eq!(client.consent_page().await, basiq::consent::DEFAULT_CONSENT_URL);
    assert!(server.seen().iter().any(|s| s.path == basiq::consent::SANDBOX_DISCOVERY_PATH));

    // Basiq's own API is not asked.
    let basiq = basiq::Client::builder().api_key("a2V5").build().unwrap();
    assert_eq!(basiq.consent_page().await, basiq::consent::DEFAULT_CONSENT_URL);
}

/// A server whose discovery document names `url`, padded with spaces to `size` bytes.
async fn discovery_server(url: &'static str, size: usize) -> Scripted {
    Scripted::start(move |seen, _| {
        if seen.path != basiq::consent::SANDBOX_DISCOVERY_PATH {
            return (404, Vec::new(), String::from("{}"));
        }
        let doc = serde_json::json!({ "consentUrl": url }).to_string();
        let padded = format!("{doc}{}", " ".repeat(size.saturating_sub(doc.len())));
        assert_eq!(padded.len(), size.max(doc.len()));
        (200, Vec::new(), padded)
    })
    .await
}

#[tokio::test]
async fn a_discovery_document_is_read_up_to_sixteen_kib_and_names_a_web_page() {
    if std::env::var_os(basiq::consent::ENV_CONSENT_URL).is_some() {
        return; // an explicit setting wins over discovery; nothing to check here
    }
    let page = "https://consent.test/home";
    let basiqs = basiq::consent::DEFAULT_CONSENT_URL;
    for (url, size, expected) in [
        (page, 2_000, page),
        (page, 16 * 1024, page),
        (page, 16 * 1024 + 1, basiqs),
        (page, 200_000, basiqs),
        ("http://127.0.0.1:4000/consent", 0, "http://127.0.0.1:4000/consent"),
        ("ftp://consent.test/home", 0, basiqs),
        ("mailto:someone@consent.test", 0, basiqs),
        ("not a url", 0, basiqs),
    ] {
        let server = discovery_server(url, size).await;
        let client = server.client_with(scripted::API_KEY, RetryPolicy::disabled());
        assert_eq!(client.consent_page().await, expected, "{url} in a {size}-byte discovery document");
    }
}
