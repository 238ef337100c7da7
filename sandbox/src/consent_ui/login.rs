//! The login step: the persona's credentials for the chosen institution, or, with
//! `connectionId`, new credentials for an existing connection (Basiq's credential-update flow).
//! Submitting starts the connection job and moves on to the progress page.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use super::context::{Journey, field};
use super::request::{open_form, open_query};
use super::{institution, page};
use crate::institutions::{self, Institution};
use crate::state::Shared;

/// Longest login id or password accepted.
const MAX_CREDENTIAL: usize = 256;

/// `GET /consent/login?..&institutionId=..`.
pub(crate) async fn page(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let (journey, _, user) = match open_query(&s, &uri) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    if journey.connection_id.is_some() {
        return credential_update_page(&s, &journey, &user, None);
    }
    match journey.institution_id.as_deref().and_then(institutions::institution) {
        Some(inst) => render(&journey, inst, "", false, None),
        None => institution::render(&journey, "", Some("Please choose an institution first.")),
    }
}

/// The login form for an existing connection, or a page saying it does not exist.
pub(crate) fn credential_update_page(s: &Shared, journey: &Journey, user: &str, error: Option<&str>) -> Response {
    match connection_login(s, journey, user) {
        Ok((inst, login)) => {
            let journey = Journey { institution_id: Some(inst.id.to_owned()), ..journey.clone() };
            render(&journey, inst, &login, true, error)
        }
        Err(resp) => *resp,
    }
}

/// The institution and login id of the journey's `connectionId`.
fn connection_login(
    s: &Shared,
    journey: &Journey,
    user: &str,
) -> Result<(&'static Institution, String), page::Refusal> {
    let id = journey.connection_id.as_deref().unwrap_or("");
    let inner = s.read();
    let conn = inner.users.get(user).and_then(|u| u.connections.iter().find(|c| c.id == id));
    match conn {
        Some(c) if c.method != "web" => Err(Box::new(page::render(
            StatusCode::BAD_REQUEST,
            "Nothing to update",
            &page::error_box(Some("This connection came from an uploaded statement; it has no bank login to update.")),
        ))),
        Some(c) => match institutions::institution(&c.institution) {
            Some(inst) => Ok((inst, c.login_id.clone())),
            None => Err(Box::new(page::bad_request("The connection's institution is not available."))),
        },
        None => Err(Box::new(page::render(
            StatusCode::NOT_FOUND,
            "Connection not found",
            &page::error_box(Some("The connection in this link does not exist (it may have been deleted).")),
        ))),
    }
}

/// The login form; `fixed_login` makes the login id read-only (credential update).
pub(crate) fn render(
    journey: &Journey,
    inst: &Institution,
    login: &str,
    fixed_login: bool,
    error: Option<&str>,
) -> Response {
    let journey = Journey { institution_id: Some(inst.id.to_owned()), job_id: None, ..journey.clone() };
    let readonly = if fixed_login { " readonly" } else { "" };
    let intro = if fixed_login {
        "Enter your current password to update this connection."
    } else {
        "Log in with your online banking details. In the sandbox, use a persona such as gavinBelson / hooli2016."
    };
    let body = format!(
        "<p>{intro}</p><p>Institution: <strong id=\"institution\">{name}</strong> ({id})</p>{err}\
<form method=\"post\" action=\"/consent/login\">{hidden}\
<label for=\"loginId\">Login ID</label>\
<input type=\"text\" id=\"loginId\" name=\"loginId\" value=\"{login}\" autocomplete=\"username\" required{readonly}>\
<label for=\"password\">Password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
<button type=\"submit\" id=\"login\" class=\"primary\">Connect</button></form>{cancel}",
        name = page::escape(inst.name),
        id = page::escape(inst.id),
        err = page::error_box(error),
        hidden = journey.hidden_fields(),
        login = page::escape(login),
        cancel = journey.cancel_button(),
    );
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    page::render(status, &format!("Log in to {}", inst.short_name), &body)
}

/// `POST /consent/login`: start the connection job, then show its progress.
pub(crate) async fn submit(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let (mut journey, form, user) = match open_form(&s, &body) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    let Some(inst) = journey.institution_id.as_deref().and_then(institutions::institution) else {
        return institution::render(&journey, "", Some("Please choose an institution first."));
    };
    let login = field(&form, "loginId").unwrap_or("").trim().to_owned();
    let password = field(&form, "password").unwrap_or("").to_owned();
    let update = journey.connection_id.is_some();
    let retry = |msg: &str| {
        if update {
            credential_update_page(&s, &journey, &user, Some(msg))
        } else {
            render(&journey, inst, &login, false, Some(msg))
        }
    };
    if login.is_empty() || password.is_empty() {
        return retry("Please enter your login ID and password.");
    }
    if login.len() > MAX_CREDENTIAL || password.len() > MAX_CREDENTIAL {
        return retry("The login ID or password is too long.");
    }
    if update {
        match connection_login(&s, &journey, &user) {
            Ok((_, expected)) if expected != login => {
                return retry("This connection belongs to another login ID.");
            }
            Ok(_) => {}
            Err(resp) => return *resp,
        }
    }
    let started = s.write().connect(&s.cfg, &user, inst.id, &login, &password);
    match started {
        Ok((job_id, _)) => {
            journey.job_id = Some(job_id);
            page::see_other(&journey.link("progress"))
        }
        Err(e) => retry(&e.detail),
    }
}
