//! What a journey carries from page to page: the launch parameters (token, `action`, `state`,
//! `institutionId`, `connectionId`) and the job it started, read from the query or the form and
//! written back as hidden fields or a query string. Nothing is stored on the server between
//! pages, so the journey needs no session store; every page checks the token again.

use std::sync::Arc;

use super::page;
use crate::auth;
use crate::state::{Scope, Shared};

/// Longest value accepted for any launch parameter (tokens are 64 characters).
const MAX_VALUE: usize = 2048;

/// The launch parameters and progress of one consent journey.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journey {
    pub(crate) token: String,
    pub(crate) action: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) institution_id: Option<String>,
    pub(crate) connection_id: Option<String>,
    /// The connection job this journey started, once the person logged in.
    pub(crate) job_id: Option<String>,
}

/// Field names a journey travels under, in order.
const FIELDS: [&str; 6] = ["token", "action", "state", "institutionId", "connectionId", "jobId"];

/// First value of a field in query or form pairs.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

impl Journey {
    /// Read a journey from query or form pairs; empty values count as absent.
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> Result<Journey, page::Refusal> {
        let get = |name: &str| -> Result<Option<String>, page::Refusal> {
            match field(pairs, name).map(str::trim).filter(|v| !v.is_empty()) {
                Some(v) if v.len() > MAX_VALUE => {
                    Err(Box::new(page::bad_request(&format!("The {name} value is too long."))))
                }
                Some(v) => Ok(Some(v.to_owned())),
                None => Ok(None),
            }
        };
        let action = get("action")?.filter(|a| a != "null");
        Ok(Journey {
            token: get("token")?.unwrap_or_default(),
            action: action.map(|a| a.to_ascii_lowercase()),
            state: get("state")?,
            institution_id: get("institutionId")?,
            connection_id: get("connectionId")?,
            job_id: get("jobId")?,
        })
    }

    fn values(&self) -> [Option<&str>; 6] {
        [
            Some(self.token.as_str()),
            self.action.as_deref(),
            self.state.as_deref(),
            self.institution_id.as_deref(),
            self.connection_id.as_deref(),
            self.job_id.as_deref(),
        ]
    }

    /// The journey as hidden form fields.
    pub(crate) fn hidden_fields(&self) -> String {
        FIELDS.iter().zip(self.values()).filter_map(|(name, v)| v.map(|v| page::hidden(name, v))).collect()
    }

    /// A one-button POST form to `/consent/{action}` carrying the journey (`id` names the button
    /// for tests and screen readers; `extra` is more hidden markup).
    pub(crate) fn post_button(&self, action: &str, id: &str, label: &str, class: &str, extra: &str) -> String {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"/consent/{action}\">{}{extra}\
<button type=\"submit\" id=\"{id}\" class=\"{class}\">{}</button></form>",
            self.hidden_fields(),
            page::escape(label)
        )
    }

    /// The cancel button every step shows.
    pub(crate) fn cancel_button(&self) -> String {
        self.post_button("cancel", "cancel", "Cancel", "secondary", "")
    }

    /// The journey as a query string (without `?`).
    pub(crate) fn query(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, v) in FIELDS.iter().zip(self.values()) {
            if let Some(v) = v {
                out.append_pair(name, v);
            }
        }
        out.finish()
    }

    /// The path of a journey page under `/consent/`, carrying the journey.
    pub(crate) fn link(&self, page: &str) -> String {
        format!("/consent/{page}?{}", self.query())
    }

    /// The user the token belongs to, or the page explaining why the link cannot be used.
    pub(crate) fn user(&self, shared: &Shared) -> Result<String, page::Refusal> {
        if self.token.is_empty() {
            return Err(Box::new(page::invalid_link()));
        }
        let caller = auth::check_token(shared, Some(&self.token)).map_err(|e| {
            Box::new(if e.code == "access-denied" { page::expired_link() } else { page::invalid_link() })
        })?;
        match caller.user_id {
            Some(user) if caller.scope == Scope::Client && shared.read().users.contains_key(&user) => Ok(user),
            _ => Err(Box::new(page::invalid_link())),
        }
    }

    /// Where the journey ends: the sandbox's redirect URL with `jobIds` (when a job was started
    /// or `with_jobs` names one), `state`, and any `extra` pairs.
    pub(crate) fn redirect_target(&self, shared: &Arc<Shared>, extra: &[(&str, &str)]) -> String {
        let base = &shared.cfg.redirect_url;
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("jobIds", self.job_id.as_deref().unwrap_or(""));
        if let Some(state) = &self.state {
            q.append_pair("state", state);
        }
        for (k, v) in extra {
            q.append_pair(k, v);
        }
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}{}", q.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn round_trips_through_a_query_string() {
        let j = Journey::from_pairs(&pairs(&[("token", "t"), ("state", "a b&c"), ("action", "Connect")])).unwrap();
        assert_eq!(j.action.as_deref(), Some("connect"));
        let back: Vec<(String, String)> =
            url::form_urlencoded::parse(j.query().as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let again = Journey::from_pairs(&back).unwrap();
        assert_eq!(again.state.as_deref(), Some("a b&c"));
        assert_eq!(again.token, "t");
    }

    #[test]
    fn empty_and_null_values_are_absent() {
        let j = Journey::from_pairs(&pairs(&[("action", "null"), ("state", ""), ("institutionId", " ")])).unwrap();
        assert!(j.action.is_none() && j.state.is_none() && j.institution_id.is_none());
        assert!(Journey::from_pairs(&pairs(&[("state", &"x".repeat(MAX_VALUE + 1))])).is_err());
    }
}
