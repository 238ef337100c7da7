//! The consent actions besides creating a consent: `manage` (see the consent and connections,
//! delete a connection, revoke the consent), `extend` and `update` (both need an active consent;
//! the sandbox's policy never changes, so `update` extends, as Basiq documents for an unchanged
//! policy) and `reauthorise` (open-banking only, which the sandbox does not model).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::context::{Journey, field};
use super::page;
use super::request::open_form;
use crate::dates::{DAY, fmt_date};
use crate::state::Shared;

/// How long a consent given here lasts, in days (Basiq's example consents last a year).
pub(crate) const CONSENT_DAYS: i64 = 365;

/// Whether the user has an active consent.
pub(crate) fn has_active_consent(shared: &Shared, user: &str) -> bool {
    shared.read().users.get(user).is_some_and(|u| u.consents.iter().any(|c| c.status == "active"))
}

/// The error page for `extend`/`update` without an active consent.
fn no_active_consent(action: &str) -> Response {
    page::render(
        StatusCode::BAD_REQUEST,
        "No active consent",
        &page::error_box(Some(&format!(
            "There is no active consent to {action}. Start a new consent instead (open the link without an action)."
        ))),
    )
}

/// The "back to the application" link, carrying `state` (and the job, if any).
fn back_link(s: &Arc<Shared>, journey: &Journey) -> String {
    format!(
        "<p><a id=\"back\" href=\"{}\">Back to the application</a></p>",
        page::escape(&journey.redirect_target(s, &[]))
    )
}

/// `action=manage`: the consent and the connections, with delete and revoke.
pub(crate) fn manage_page(s: &Arc<Shared>, journey: &Journey, user: &str) -> Response {
    let inner = s.settled(user);
    let Some(u) = inner.users.get(user) else {
        return page::invalid_link();
    };
    let consents: String = u
        .consents
        .iter()
        .map(|c| {
            format!(
                "<li>Consent <code>{id}</code>: <strong class=\"consent-status\">{status}</strong>, expires {exp}</li>",
                id = page::escape(&c.id),
                status = c.status,
                exp = fmt_date(c.expiry),
            )
        })
        .collect();
    let consents = if consents.is_empty() { "<li>No consent yet.</li>".to_owned() } else { consents };
    let connections: String = u
        .connections
        .iter()
        .map(|c| {
            let name = crate::institutions::institution(&c.institution).map_or(c.institution.as_str(), |i| i.name);
            format!(
                "<li>{name} · {login} · <span class=\"note\">{status}</span> {delete}</li>",
                name = page::escape(name),
                login = page::escape(&c.login_id),
                status = c.status,
                delete = journey.post_button(
                    "manage/delete-connection",
                    &format!("delete-{}", c.id),
                    "Delete",
                    "secondary",
                    &page::hidden("target", &c.id),
                ),
            )
        })
        .collect();
    let connections =
        if connections.is_empty() { "<li id=\"no-connections\">No connections.</li>".to_owned() } else { connections };
    let active = u.consents.iter().any(|c| c.status == "active");
    let revoke = if active {
        format!(
            "<p>Revoking stops all sharing and deletes every connection.</p>{}",
            journey.post_button("manage/revoke", "revoke", "Revoke consent", "secondary", "")
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h2>Consents</h2><ul id=\"consents\">{consents}</ul><h2>Connections</h2><ul id=\"connections\">{connections}</ul>\
{revoke}{back}",
        back = back_link(s, journey),
    );
    page::render(StatusCode::OK, "Manage your data sharing", &body)
}

/// `POST /consent/manage/delete-connection` (`target` = connection id): as `DELETE
/// /users/{u}/connections/{c}`, then back to the manage page.
pub(crate) async fn delete_connection(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let (journey, form, user) = match open_form(&s, &body) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    let target = field(&form, "target").unwrap_or("").to_owned();
    {
        let mut inner = s.settled_mut(&user);
        let removed = inner.users.get_mut(&user).is_some_and(|u| {
            let before = u.connections.len();
            u.connections.retain(|c| c.id != target);
            u.connections.len() != before
        });
        if removed {
            let url = format!("{}/users/{user}/connections/{target}", s.cfg.base_url);
            let data = json!({ "type": "connection", "id": target });
            inner.record_event(&s.cfg, "connection", "deleted", &user, url, data);
        }
    }
    page::see_other(&journey.link("home"))
}

/// `POST /consent/manage/revoke`: as `DELETE /users/{u}/consents/{id}` for the active consent.
pub(crate) async fn revoke(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let (journey, _, user) = match open_form(&s, &body) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    let now = s.cfg.clock.now_wall();
    {
        let mut inner = s.write();
        let mut revoked = Vec::new();
        if let Some(u) = inner.users.get_mut(&user) {
            for c in u.consents.iter_mut().filter(|c| c.status == "active") {
                c.status = "revoked";
                c.revoked = Some(now);
                c.updated = now;
                revoked.push(c.id.clone());
            }
            if !revoked.is_empty() {
                u.connections.clear();
                u.accounts.clear();
                u.touch_accounts();
                u.txns.clear();
            }
        }
        for id in revoked {
            let url = format!("{}/users/{user}/consents/{id}", s.cfg.base_url);
            let data = json!({ "type": "consent", "id": id, "status": "revoked" });
            inner.record_event(&s.cfg, "consent", "revoked", &user, url, data);
        }
    }
    page::see_other(&journey.link("home"))
}

/// `action=extend` (or `update`): the new expiry and an agree button; an error without an active consent.
pub(crate) fn extend_page(s: &Arc<Shared>, journey: &Journey, user: &str, update: bool) -> Response {
    let action = if update { "update" } else { "extend" };
    if !has_active_consent(s, user) {
        return no_active_consent(action);
    }
    let until = fmt_date(s.cfg.clock.now_wall() + CONSENT_DAYS * DAY);
    let note = if update {
        "<p class=\"note\" id=\"update-note\">The sandbox's data-sharing policy has not changed, \
so updating your consent extends it.</p>"
    } else {
        ""
    };
    let body = format!(
        "{note}<p>Keep sharing the same data with Sandbox application for another 12 months, \
until <span id=\"expiry\">{until}</span>.</p>{agree}{cancel}",
        agree = journey.post_button("extend", "agree", "Extend my consent", "primary", ""),
        cancel = journey.cancel_button(),
    );
    page::render(StatusCode::OK, "Extend your consent", &body)
}

/// `POST /consent/extend`: the active consent now expires a year from today; back to the application.
pub(crate) async fn extend(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let (journey, _, user) = match open_form(&s, &body) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    let now = s.cfg.clock.now_wall();
    let extended = {
        let mut inner = s.write();
        let id = inner.users.get_mut(&user).and_then(|u| {
            let c = u.consents.iter_mut().find(|c| c.status == "active")?;
            c.expiry = now + CONSENT_DAYS * DAY;
            c.updated = now;
            Some(c.id.clone())
        });
        if let Some(id) = &id {
            let url = format!("{}/users/{user}/consents/{id}", s.cfg.base_url);
            let data = json!({ "type": "consent", "id": id, "status": "active" });
            inner.record_event(&s.cfg, "consent", "updated", &user, url, data);
        }
        id.is_some()
    };
    if !extended {
        return no_active_consent(journey.action.as_deref().unwrap_or("extend"));
    }
    page::see_other(&journey.redirect_target(&s, &[]))
}

/// `action=reauthorise` without a connection: not modelled, said plainly.
pub(crate) fn reauthorise_page(s: &Arc<Shared>, journey: &Journey) -> Response {
    let body = format!(
        "<p id=\"not-modelled\">Reauthorising renews open-banking connections that expire within seven days. \
The sandbox only has web (credential) connections, so this action is not modelled here. \
To update a web connection's login, open the link with its <code>connectionId</code>.</p>{}",
        back_link(s, journey)
    );
    page::render(StatusCode::OK, "Nothing to reauthorise", &body)
}
