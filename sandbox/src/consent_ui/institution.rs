//! The institution step: search the sandbox's institutions by name or id and choose one.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use super::context::{Journey, field};
use super::page;
use super::request::open_query;
use crate::institutions::{INSTITUTIONS, MfaPolicy};
use crate::state::Shared;

/// Longest search text considered.
const MAX_SEARCH: usize = 100;

/// `GET /consent/institutions?..&q=<search>`.
pub(crate) async fn page(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    match open_query(&s, &uri) {
        Ok((journey, q, _)) => {
            let search: String = field(&q, "q").unwrap_or("").trim().chars().take(MAX_SEARCH).collect();
            render(&journey, &search, None)
        }
        Err(resp) => *resp,
    }
}

/// What the person is told about an institution's multi-factor step.
fn mfa_note(policy: MfaPolicy) -> &'static str {
    match policy {
        MfaPolicy::Never => "",
        MfaPolicy::Always => " · asks for a one-time code or security answer",
        MfaPolicy::Sometimes => " · sometimes asks for a one-time code or security answer",
    }
}

/// The picker, filtered by `search` (case-insensitive, name or id).
pub(crate) fn render(journey: &Journey, search: &str, error: Option<&str>) -> Response {
    let journey = Journey { institution_id: None, ..journey.clone() };
    let needle = search.to_lowercase();
    let matches: Vec<_> = INSTITUTIONS
        .iter()
        .filter(|i| {
            needle.is_empty()
                || i.name.to_lowercase().contains(&needle)
                || i.short_name.to_lowercase().contains(&needle)
                || i.id.to_lowercase().contains(&needle)
        })
        .collect();
    let list: String = if matches.is_empty() {
        format!("<p id=\"no-match\">No institution matches \"{}\".</p>", page::escape(search))
    } else {
        let items: String = matches
            .iter()
            .map(|i| {
                format!(
                    "<li><button type=\"submit\" name=\"institutionId\" value=\"{id}\" id=\"inst-{id}\" class=\"secondary\">\
{name} <span class=\"note\">({id}{mfa})</span></button></li>",
                    id = page::escape(i.id),
                    name = page::escape(i.name),
                    mfa = mfa_note(i.mfa),
                )
            })
            .collect();
        format!(
            "<form method=\"get\" action=\"/consent/login\">{}<ul class=\"banks\">{items}</ul></form>",
            journey.hidden_fields()
        )
    };
    let body = format!(
        "{err}<form method=\"get\" action=\"/consent/institutions\" role=\"search\">{hidden}\
<label for=\"q\">Search for your bank</label>\
<input type=\"search\" id=\"q\" name=\"q\" value=\"{q}\" autocomplete=\"off\">\
<button type=\"submit\" id=\"search\" class=\"secondary\">Search</button></form>\
<h2>Institutions</h2>{list}{cancel}",
        err = page::error_box(error),
        hidden = journey.hidden_fields(),
        q = page::escape(search),
        cancel = journey.cancel_button(),
    );
    page::render(StatusCode::OK, "Choose your bank", &body)
}
