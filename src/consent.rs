//! The Consent UI: build the URL that sends a user to Basiq's consent page ([`ConsentUrl`]) and
//! read the redirect that brings them back ([`ConsentRedirect`]).
//!
//! ```
//! use basiq::consent::{ConsentAction, ConsentRedirect, ConsentUrl};
//! # fn demo(token: basiq::Secret) -> Result<(), basiq::Error> {
//! let url = ConsentUrl::new(token).action(ConsentAction::Connect).state("csrf-3f9a").build()?;
//! assert!(url.starts_with("https://consent.basiq.io/home?token="));
//!
//! let back = ConsentRedirect::parse("https://app.example/done?jobIds=j1,j2&state=csrf-3f9a")?;
//! assert_eq!(back.job_ids, ["j1", "j2"]);
//! assert_eq!(back.state.as_deref(), Some("csrf-3f9a"));
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::{Client, Error, Secret};

/// Basiq's hosted consent page.
pub const DEFAULT_CONSENT_URL: &str = "https://consent.basiq.io/home";

/// Environment variable naming the consent page to link to instead (read by [`Client::consent_page`]).
pub const ENV_CONSENT_URL: &str = "BASIQ_CONSENT_URL";

/// Where a sandbox server describes itself (`{"consentUrl": ..}`); Basiq's API has no such path.
pub const SANDBOX_DISCOVERY_PATH: &str = "/.well-known/basiq-sandbox";

/// Largest discovery document read.
const MAX_DISCOVERY_BYTES: usize = 16 * 1024;

/// How long the discovery request may take.
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(5);

impl Client {
    /// The consent page for this client's users, so links follow the server the client talks to:
    /// [`ENV_CONSENT_URL`] when set; [`DEFAULT_CONSENT_URL`] for Basiq's own API; otherwise the page
    /// the server names at [`SANDBOX_DISCOVERY_PATH`] (a sandbox does), or Basiq's page when it
    /// names none. Never fails: a server that does not answer gets Basiq's page.
    pub async fn consent_page(&self) -> String {
        if let Some(url) = std::env::var(ENV_CONSENT_URL).ok().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) {
            return url;
        }
        if self.base_url() == crate::DEFAULT_BASE_URL {
            return DEFAULT_CONSENT_URL.to_owned();
        }
        discover(&self.inner.0.http, self.base_url()).await.unwrap_or_else(|| DEFAULT_CONSENT_URL.to_owned())
    }
}

/// The `consentUrl` of the server's discovery document, when it has a usable one.
async fn discover(http: &reqwest::Client, base: &str) -> Option<String> {
    let mut resp = http.get(format!("{base}{SANDBOX_DISCOVERY_PATH}")).timeout(DISCOVERY_TIMEOUT).send().await.ok()?;
    if !resp.status().is_success() {
        return None;
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.ok()? {
        if body.len() + chunk.len() > MAX_DISCOVERY_BYTES {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    let doc: serde_json::Value = serde_json::from_slice(&body).ok()?;
    let url = doc.get("consentUrl")?.as_str()?.trim();
    let parsed = url::Url::parse(url).ok()?;
    (matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some()).then(|| url.to_owned())
}

/// What the Consent UI should do; without one it creates (or renews) the user's consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConsentAction {
    /// Add institutions under the user's existing consent.
    Connect,
    /// Let the user view consents and history, delete connections or revoke.
    Manage,
    /// Extend a consent close to expiry (fails when there is no active consent).
    Extend,
    /// Re-consent to a changed policy (fails when there is no active consent).
    Update,
    /// Renew open-banking connections that expire within seven days.
    Reauthorise,
}

impl ConsentAction {
    /// The value sent as `action=`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ConsentAction::Connect => "connect",
            ConsentAction::Manage => "manage",
            ConsentAction::Extend => "extend",
            ConsentAction::Update => "update",
            ConsentAction::Reauthorise => "reauthorise",
        }
    }
}

impl fmt::Display for ConsentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Builds the Consent UI link for one user from their CLIENT_ACCESS token.
///
/// The token travels in the URL (that is how Basiq's page receives it), so treat the built
/// string as a secret; this builder's `Debug` never shows it.
#[derive(Clone)]
pub struct ConsentUrl {
    base: String,
    token: Secret,
    action: Option<ConsentAction>,
    state: Option<String>,
    institution_id: Option<String>,
    connection_id: Option<String>,
}

impl fmt::Debug for ConsentUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsentUrl")
            .field("base", &self.base)
            .field("token", &self.token)
            .field("action", &self.action)
            .field("state", &self.state)
            .field("institution_id", &self.institution_id)
            .field("connection_id", &self.connection_id)
            .finish()
    }
}

impl ConsentUrl {
    /// Starts a link to [`DEFAULT_CONSENT_URL`] carrying `token` (from [`Client::client_token`](crate::Client::client_token)).
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            base: DEFAULT_CONSENT_URL.to_owned(),
            token: token.into(),
            action: None,
            state: None,
            institution_id: None,
            connection_id: None,
        }
    }

    /// Points the link at another consent page (a sandbox's, say); give the full page URL.
    pub fn with_base(mut self, url: impl Into<String>) -> Self {
        self.base = url.into();
        self
    }

    /// Asks the Consent UI for a specific flow (`action=`).
    pub fn action(mut self, action: ConsentAction) -> Self {
        self.action = Some(action);
        self
    }

    /// An opaque value Basiq echoes back on the redirect (`state=`); use it to tie the redirect to your session.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Preselects an institution such as `AU00000` (`institutionId=`).
    pub fn institution_id(mut self, id: impl Into<String>) -> Self {
        self.institution_id = Some(id.into());
        self
    }

    /// Updates or reauthorises an existing connection (`connectionId=`).
    pub fn connection_id(mut self, id: impl Into<String>) -> Self {
        self.connection_id = Some(id.into());
        self
    }

    /// The finished link, every value percent-encoded; it contains the token.
    pub fn build(&self) -> Result<String, Error> {
        if self.token.is_blank() {
            return Err(Error::InvalidInput("the consent URL needs a client token".into()));
        }
        let mut url = url::Url::parse(self.base.trim())
            .map_err(|e| Error::InvalidInput(format!("consent page {:?} is not a URL: {e}", self.base)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::InvalidInput(format!("consent page {:?} must be an http or https URL", self.base)));
        }
        url.set_fragment(None);
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("token", self.token.expose());
            let optional = [
                ("action", self.action.map(|a| a.as_str())),
                ("state", self.state.as_deref()),
                ("institutionId", self.institution_id.as_deref()),
                ("connectionId", self.connection_id.as_deref()),
            ];
            for (name, value) in optional {
                if let Some(value) = value {
                    query.append_pair(name, value);
                }
            }
        }
        Ok(url.into())
    }
}

/// What the Consent UI's redirect back to your app carried.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsentRedirect {
    /// Jobs started by the consent, from `jobIds` and `jobId`, without duplicates, in order.
    pub job_ids: Vec<String>,
    /// The `state` you passed to [`ConsentUrl::state`], decoded.
    pub state: Option<String>,
    /// An error code, when the redirect reports one (`error`, `errorCode`).
    pub error: Option<String>,
    /// Explanation of the error (`error_description`, `errorDescription`, `errorMessage`).
    pub error_description: Option<String>,
    /// Every other query parameter (first value of each name).
    pub other: BTreeMap<String, String>,
}

impl ConsentRedirect {
    /// Reads a redirect URL, a path with a query, or a bare query string (with or without `?`).
    ///
    /// A `state` that appears twice with different values is refused, since it could not be
    /// checked against your session.
    pub fn parse(url_or_query: &str) -> Result<ConsentRedirect, Error> {
        let query = query_part(url_or_query.trim())?;
        let mut redirect = ConsentRedirect::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "jobIds" | "jobId" => {
                    for id in value.split(',').map(str::trim).filter(|id| !id.is_empty()) {
                        if !redirect.job_ids.iter().any(|known| known == id) {
                            redirect.job_ids.push(id.to_owned());
                        }
                    }
                }
                "state" => match &redirect.state {
                    Some(first) if *first != value => {
                        return Err(Error::InvalidInput(
                            "the consent redirect carries two different `state` values".into(),
                        ));
                    }
                    Some(_) => {}
                    None => redirect.state = Some(value.into_owned()),
                },
                "error" | "errorCode" | "error_code" => {
                    redirect.error.get_or_insert_with(|| value.into_owned());
                }
                "error_description" | "errorDescription" | "errorMessage" | "error_message" => {
                    redirect.error_description.get_or_insert_with(|| value.into_owned());
                }
                other => {
                    redirect.other.entry(other.to_owned()).or_insert_with(|| value.into_owned());
                }
            }
        }
        Ok(redirect)
    }

    /// True when the redirect reports an error.
    pub fn is_error(&self) -> bool {
        self.error.is_some() || self.error_description.is_some()
    }
}

/// The query of a URL, path or bare query string, without `?` or fragment.
fn query_part(input: &str) -> Result<&str, Error> {
    let looks_like_url = input.contains("://");
    if looks_like_url {
        url::Url::parse(input).map_err(|e| Error::InvalidInput(format!("the consent redirect is not a URL: {e}")))?;
    }
    // The fragment goes first: a `?` inside it does not start a query.
    let input = input.split('#').next().unwrap_or_default();
    Ok(match input.find('?') {
        Some(at) => &input[at + 1..],
        None if looks_like_url || input.starts_with('/') => "",
        None => input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_of(url: &str) -> Vec<(String, String)> {
        let parsed = url::Url::parse(url).unwrap();
        parsed.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    #[test]
    fn actions_display_as_the_value_basiq_reads() {
        let shown: Vec<String> = [
            ConsentAction::Connect,
            ConsentAction::Manage,
            ConsentAction::Extend,
            ConsentAction::Update,
            ConsentAction::Reauthorise,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(shown, ["connect", "manage", "extend", "update", "reauthorise"]);
    }

    #[test]
    fn builds_the_documented_url_with_every_parameter() {
        let url = ConsentUrl::new("tok")
            .action(ConsentAction::Reauthorise)
            .state("s1")
            .institution_id("AU00000")
            .connection_id("c-1")
            .build()
            .unwrap();
        assert_eq!(
            url,
            "https://consent.basiq.io/home?token=tok&action=reauthorise&state=s1&institutionId=AU00000&connectionId=c-1"
        );
    }

    #[test]
    fn only_the_token_is_required() {
        assert_eq!(ConsentUrl::new("tok").build().unwrap(), "https://consent.basiq.io/home?token=tok");
        assert!(matches!(ConsentUrl::new(" ").build(), Err(Error::InvalidInput(_))));
    }

    #[test]
    fn awkward_values_are_encoded_and_survive_a_round_trip() {
        let state = "a b&c=d#e+f/é✓🦀%";
        let token = "eyJ+/=&#?";
        let url = ConsentUrl::new(token).state(state).institution_id("AU 1&2").build().unwrap();
        assert_eq!(
            url,
            "https://consent.basiq.io/home?token=eyJ%2B%2F%3D%26%23%3F\
             &state=a+b%26c%3Dd%23e%2Bf%2F%C3%A9%E2%9C%93%F0%9F%A6%80%25&institutionId=AU+1%262"
        );
        assert_eq!(
            query_of(&url),
            vec![
                ("token".to_owned(), token.to_owned()),
                ("state".to_owned(), state.to_owned()),
                ("institutionId".to_owned(), "AU 1&2".to_owned()),
            ]
        );
    }

    #[test]
    fn every_action_has_its_wire_value() {
        let all = [
            (ConsentAction::Connect, "connect"),
            (ConsentAction::Manage, "manage"),
            (ConsentAction::Extend, "extend"),
            (ConsentAction::Update, "update"),
            (ConsentAction::Reauthorise, "reauthorise"),
        ];
        for (action, wire) in all {
            let url = ConsentUrl::new("t").action(action).build().unwrap();
            assert!(url.ends_with(&format!("&action={wire}")), "{url}");
        }
    }

    #[test]
    fn the_base_can_point_at_a_sandbox() {
        let url = ConsentUrl::new("t").with_base("http://127.0.0.1:9000/consent?x=1#frag").build().unwrap();
        assert_eq!(url, "http://127.0.0.1:9000/consent?x=1&token=t");
        assert!(matches!(ConsentUrl::new("t").with_base("not a url").build(), Err(Error::InvalidInput(_))));
        assert!(matches!(ConsentUrl::new("t").with_base("ftp://h/x").build(), Err(Error::InvalidInput(_))));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let builder = ConsentUrl::new("very-secret-token").state("s");
        let debug = format!("{builder:?}");
        assert!(!debug.contains("very-secret-token"), "{debug}");
        assert!(debug.contains("\"s\""), "{debug}");
    }

    #[test]
    fn redirect_merges_job_id_and_job_ids_in_order_without_duplicates() {
        let r = ConsentRedirect::parse("https://app.example/cb?jobId=j2&jobIds=j1,%20j2%20,,j3&jobIds=j4").unwrap();
        assert_eq!(r.job_ids, ["j2", "j1", "j3", "j4"]);
    }

    #[test]
    fn redirect_with_empty_job_ids_has_none() {
        let r = ConsentRedirect::parse("?jobIds=&state=x").unwrap();
        assert!(r.job_ids.is_empty());
        assert_eq!(r.state.as_deref(), Some("x"));
        assert!(ConsentRedirect::parse("https://app.example/cb").unwrap().job_ids.is_empty());
        assert_eq!(ConsentRedirect::parse("").unwrap(), ConsentRedirect::default());
    }

    #[test]
    fn redirect_state_is_decoded_including_emoji_and_reserved_characters() {
        let state = "a b&c=d#e+f/é✓🦀";
        let built = ConsentUrl::new("t").with_base("https://app.example/cb").state(state).build().unwrap();
        let r = ConsentRedirect::parse(&format!("{built}&jobIds=j1#fragment")).unwrap();
        assert_eq!(r.state.as_deref(), Some(state));
        assert_eq!(r.job_ids, ["j1"]);
        assert_eq!(r.other.get("token").map(String::as_str), Some("t"));
        let r = ConsentRedirect::parse("state=%F0%9F%A6%80%20x%2By+z").unwrap();
        assert_eq!(r.state.as_deref(), Some("🦀 x+y z"));
    }

    #[test]
    fn redirect_accepts_a_path_or_a_bare_query() {
        assert_eq!(ConsentRedirect::parse("/cb?jobIds=a").unwrap().job_ids, ["a"]);
        assert_eq!(ConsentRedirect::parse("jobIds=a,b").unwrap().job_ids, ["a", "b"]);
        assert!(ConsentRedirect::parse("/cb").unwrap().job_ids.is_empty());
    }

    #[test]
    fn redirect_keeps_errors_and_other_parameters() {
        let r =
            ConsentRedirect::parse("?error=access_denied&error_description=User%20cancelled&lang=en&lang=fr").unwrap();
        assert!(r.is_error());
        assert_eq!(r.error.as_deref(), Some("access_denied"));
        assert_eq!(r.error_description.as_deref(), Some("User cancelled"));
        assert_eq!(r.other.get("lang").map(String::as_str), Some("en"));
        assert!(!ConsentRedirect::parse("?jobIds=a").unwrap().is_error());
    }

    #[test]
    fn a_question_mark_inside_the_fragment_is_not_a_query() {
        let r = ConsentRedirect::parse("https://app.example/cb#/done?jobIds=forged&state=x").unwrap();
        assert_eq!(r, ConsentRedirect::default());
        let r = ConsentRedirect::parse("/cb?jobIds=j1#tab?jobIds=j2").unwrap();
        assert_eq!(r.job_ids, ["j1"]);
        assert!(r.other.is_empty());
        let r = ConsentRedirect::parse("jobIds=j1#x?state=s").unwrap();
        assert_eq!((r.job_ids.as_slice(), r.state.as_deref()), (["j1".to_owned()].as_slice(), None));
    }

    #[test]
    fn a_url_or_path_without_a_query_has_no_parameters() {
        for input in ["/cb", "https://app.example/cb", "https://app.example/cb#frag"] {
            let r = ConsentRedirect::parse(input).unwrap();
            assert_eq!(r, ConsentRedirect::default(), "{input}");
        }
    }

    #[test]
    fn either_error_field_alone_makes_an_error() {
        assert!(ConsentRedirect::parse("?error=access_denied").unwrap().is_error());
        assert!(ConsentRedirect::parse("?errorMessage=Bank%20unavailable").unwrap().is_error());
        assert!(!ConsentRedirect::parse("?state=s&jobIds=j").unwrap().is_error());
    }

    #[test]
    fn redirect_refuses_conflicting_states_and_broken_urls() {
        assert!(matches!(ConsentRedirect::parse("?state=a&state=b"), Err(Error::InvalidInput(_))));
        assert_eq!(ConsentRedirect::parse("?state=a&state=a").unwrap().state.as_deref(), Some("a"));
        assert!(matches!(ConsentRedirect::parse("https://[::1/cb?jobIds=a"), Err(Error::InvalidInput(_))));
    }
}
