//! The one-form shortcut into the consent flow (`POST /consent/home` with the token and the
//! credentials starts the job and redirects back with `jobIds` and `state`), the default redirect
//! target and the public auth-link page. The journey a person clicks through is `consent_ui`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

use super::auth::{self, Caller};
use super::encoding::{encode_component, html_escape};
use super::form;
use super::http::{query, read_body};
use super::institutions::INSTITUTIONS;
use super::state::{LinkState, Scope, Shared};

fn page_html(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
<style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}\
label{{display:block;margin:.8rem 0 .2rem}}input,select{{width:100%;padding:.4rem}}\
button{{margin-top:1rem;padding:.5rem 1.2rem}}.error{{color:#a00}}</style></head>\
<body><h1>{t}</h1>{body}</body></html>",
        t = html_escape(title)
    )
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    (status, Html(page_html(title, body))).into_response()
}

fn unauthorized() -> Response {
    html(
        StatusCode::UNAUTHORIZED,
        "Link expired",
        "<p class=\"error\">This consent link is invalid or has expired. Please start again from the application.</p>",
    )
}

/// A CLIENT_ACCESS token bound to an existing user, or `None`.
fn client_user(shared: &Shared, token: Option<&str>) -> Option<String> {
    let caller: Caller = auth::check_token(shared, token.filter(|t| !t.is_empty())).ok()?;
    if caller.scope != Scope::Client {
        return None;
    }
    let user = caller.user_id?;
    shared.read().users.contains_key(&user).then_some(user)
}

fn form(
    token: &str,
    state: Option<&str>,
    action: Option<&str>,
    institution: Option<&str>,
    login: &str,
    error: Option<&str>,
) -> String {
    let options: String = INSTITUTIONS
        .iter()
        .map(|i| {
            let selected = if Some(i.id) == institution { " selected" } else { "" };
            format!("<option value=\"{id}\"{selected}>{name} ({id})</option>", id = i.id, name = html_escape(i.name))
        })
        .collect();
    let hidden = |name: &str, v: Option<&str>| {
        v.map(|v| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", html_escape(v))).unwrap_or_default()
    };
    let error = error.map(|e| format!("<p class=\"error\">{}</p>", html_escape(e))).unwrap_or_default();
    format!(
        "<p>Connect your bank to share your account data with this application (sandbox).</p>{error}\
<form method=\"post\" action=\"home\">{token}{state}{action}\
<label for=\"institutionId\">Institution</label><select id=\"institutionId\" name=\"institutionId\">{options}</select>\
<label for=\"loginId\">Login ID</label><input id=\"loginId\" name=\"loginId\" autocomplete=\"username\" value=\"{login}\">\
<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">\
<button type=\"submit\">Connect</button></form>",
        token = hidden("token", Some(token)),
        state = hidden("state", state),
        action = hidden("action", action),
        login = html_escape(login),
    )
}

/// `POST /consent/home` (one form, no steps): start the connection job and redirect (303) to the
/// redirect URL with `jobIds=<id>&state=<state>`.
pub(crate) async fn submit(State(s): State<Arc<Shared>>, body: Body) -> Response {
    let Ok(body) = read_body(body, 64 * 1024).await else {
        return html(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request too large",
            "<p class=\"error\">The form was too large.</p>",
        );
    };
    let f = form::parse_form(&String::from_utf8_lossy(&body));
    let token = form::field(&f, "token");
    let Some(user_id) = client_user(&s, token) else {
        return unauthorized();
    };
    let state = form::field(&f, "state");
    let action = form::field(&f, "action");
    let institution = form::field(&f, "institutionId").unwrap_or("");
    let login = form::field(&f, "loginId").unwrap_or("").trim();
    let password = form::field(&f, "password").unwrap_or("");
    let retry = |msg: &str| {
        html(
            StatusCode::BAD_REQUEST,
            "Connect your bank",
            &form(token.unwrap_or(""), state, action, Some(institution), login, Some(msg)),
        )
    };
    if login.is_empty() || password.is_empty() {
        return retry("Please enter your login ID and password.");
    }
    let result = s.write().connect(&s.cfg, &user_id, institution, login, password);
    let job_id = match result {
        Ok((job_id, _)) => job_id,
        Err(e) => return retry(&e.detail),
    };
    let sep = if s.cfg.redirect_url.contains('?') { '&' } else { '?' };
    let mut location = format!("{}{sep}jobIds={}", s.cfg.redirect_url, encode_component(&job_id));
    if let Some(st) = state {
        location.push_str("&state=");
        location.push_str(&encode_component(st));
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// `GET /consent/done`: the default redirect target.
pub(crate) async fn done(uri: Uri) -> Response {
    let q = query(&uri);
    let jobs = form::field(&q, "jobIds").unwrap_or("");
    let body = format!(
        "<p>Your bank connection is being set up. You can close this page.</p><p>Job ids: <code id=\"jobIds\">{}</code></p>",
        html_escape(jobs)
    );
    html(StatusCode::OK, "All done", &body)
}

/// `GET /connect/{linkId}`: the public auth-link URL; single use, then the link is gone (410).
pub(crate) async fn auth_link_page(State(s): State<Arc<Shared>>, Path(link_id): Path<String>) -> Response {
    let now = s.cfg.clock.now_wall();
    let user_id = {
        let mut inner = s.write();
        inner.users.values_mut().find_map(|u| {
            let link =
                u.auth_link.as_mut().filter(|l| l.id == link_id && l.state == LinkState::Active && l.expires > now)?;
            link.state = LinkState::Gone;
            Some(u.id.clone())
        })
    };
    let Some(user_id) = user_id else {
        return html(
            StatusCode::GONE,
            "Link no longer available",
            "<p class=\"error\">This link has been used or has expired.</p>",
        );
    };
    let token = auth::issue(&s, Scope::Client, Some(user_id));
    let location = format!("{}/consent/home?token={}", s.cfg.base_url, encode_component(&token));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}
