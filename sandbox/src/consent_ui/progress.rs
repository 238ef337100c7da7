//! The progress step: while the connection job runs the page refreshes itself (a meta refresh,
//! no script); it asks for the multi-factor answer when the job waits for one; at the end it
//! redirects to the application, or shows what went wrong.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use super::context::{Journey, field};
use super::request::{open_form, open_query};
use super::{login, page};
use crate::institutions;
use crate::jobs::{JobView, StepPlan, StepStatus};
use crate::personas::Mfa;
use crate::state::Shared;

/// Seconds between refreshes of the progress page.
const REFRESH_SECS: u32 = 1;

/// Most answers read from an MFA form.
const MAX_ANSWERS: usize = 8;

/// What the journey's job looks like now.
enum Seen {
    Running(JobView),
    Mfa(Mfa),
    Failed { code: String, title: String, detail: String },
    Done,
}

/// The journey's job as seen now, or the page saying it cannot be found.
fn look(s: &Shared, journey: &Journey, user: &str) -> Result<Seen, page::Refusal> {
    let id = journey.job_id.as_deref().unwrap_or("");
    let inner = s.read();
    let Some(job) = inner.jobs.get(id).filter(|j| j.user_id == user) else {
        return Err(Box::new(page::render(
            StatusCode::NOT_FOUND,
            "Connection not found",
            &page::error_box(Some("This page does not belong to a connection in progress. Please start again.")),
        )));
    };
    let view = job.view(s.cfg.clock.now(), s.cfg.step_delay, &s.cfg.base_url);
    if view.mfa_waiting {
        let mfa = job.steps.iter().find_map(|st| match &st.plan {
            StepPlan::Mfa(m) => Some(*m),
            _ => None,
        });
        if let Some(m) = mfa {
            return Ok(Seen::Mfa(m));
        }
    }
    if view.failed {
        let failed = view.steps.iter().find(|st| st.status == StepStatus::Failed);
        let text = |k: &str| failed.and_then(|f| f.result[k].as_str()).unwrap_or("").to_owned();
        return Ok(Seen::Failed { code: text("code"), title: text("title"), detail: text("detail") });
    }
    if view.succeeded {
        return Ok(Seen::Done);
    }
    Ok(Seen::Running(view))
}

/// `GET /consent/progress?..&jobId=..`.
pub(crate) async fn page(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let (journey, _, user) = match open_query(&s, &uri) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    match look(&s, &journey, &user) {
        Ok(Seen::Running(view)) => running(&journey, &view),
        Ok(Seen::Mfa(m)) => mfa_form(&journey, &m, None),
        Ok(Seen::Done) => page::see_other(&journey.redirect_target(&s, &[])),
        Ok(Seen::Failed { code, title, detail }) => failed(&s, &journey, &user, &code, &title, &detail),
        Err(resp) => *resp,
    }
}

/// The page shown while the job runs.
fn running(journey: &Journey, view: &JobView) -> Response {
    let steps: String = view
        .steps
        .iter()
        .map(|st| {
            let label = match st.title {
                "verify-credentials" => "Checking your login",
                "mfa-challenge" => "Confirming it is you",
                "retrieve-accounts" => "Fetching your accounts",
                "retrieve-transactions" => "Fetching your transactions",
                other => other,
            };
            format!("<li>{} <span class=\"note\">({})</span></li>", page::escape(label), st.status.as_str())
        })
        .collect();
    let head = format!(
        "<meta http-equiv=\"refresh\" content=\"{REFRESH_SECS};url={}\">",
        page::escape(&journey.link("progress"))
    );
    let body = format!(
        "<p role=\"status\">Connecting to your bank. This page updates by itself.</p>\
<ol class=\"steps\" id=\"steps\">{steps}</ol>\
<p><a id=\"refresh\" href=\"{link}\">Refresh now</a></p>",
        link = page::escape(&journey.link("progress")),
    );
    page::render_with_head(StatusCode::OK, "Connecting…", &head, &body)
}

/// The multi-factor step: one field per prompt.
fn mfa_form(journey: &Journey, m: &Mfa, error: Option<&str>) -> Response {
    let intro = if m.method == "token" {
        "Your bank sent a one-time code to your registered device. In the sandbox the code is 1234."
    } else {
        "Your bank asks you to answer your security questions."
    };
    let fields: String = m
        .prompts
        .iter()
        .enumerate()
        .map(|(i, prompt)| {
            format!(
                "<label for=\"answer{i}\">{}</label>\
<input type=\"text\" id=\"answer{i}\" name=\"answer{i}\" autocomplete=\"one-time-code\" required>",
                page::escape(prompt)
            )
        })
        .collect();
    let body = format!(
        "<p>{intro}</p>{err}<form method=\"post\" action=\"/consent/mfa\">{hidden}{fields}\
<button type=\"submit\" id=\"verify\" class=\"primary\">Verify</button></form>{cancel}",
        err = page::error_box(error),
        hidden = journey.hidden_fields(),
        cancel = journey.cancel_button(),
    );
    page::render(StatusCode::OK, "Verify it's you", &body)
}

/// A failed job: a refused login (or MFA answer) goes back to the login form with the bank's
/// message; any other failure shows the error screen, or redirects when the sandbox skips it.
fn failed(s: &Arc<Shared>, journey: &Journey, user: &str, code: &str, title: &str, detail: &str) -> Response {
    let message = if detail.is_empty() { title } else { detail };
    if code == "invalid-credentials" {
        if journey.connection_id.is_some() {
            return login::credential_update_page(s, journey, user, Some(message));
        }
        if let Some(inst) = journey.institution_id.as_deref().and_then(institutions::institution) {
            return login::render(journey, inst, "", false, Some(message));
        }
    }
    let target = journey.redirect_target(s, &[]);
    if s.cfg.skip_error_screen {
        return page::see_other(&target);
    }
    let retry = Journey { job_id: None, ..journey.clone() };
    let body = format!(
        "{err}<p class=\"note\">Error code: <code id=\"code\">{code}</code></p>\
<p><a id=\"retry\" href=\"{retry}\">Try again</a></p>\
<p><a id=\"back\" href=\"{back}\">Back to the application</a></p>",
        err = page::error_box(Some(message)),
        code = page::escape(code),
        retry = page::escape(&retry.link("login")),
        back = page::escape(&target),
    );
    page::render(StatusCode::OK, "We couldn't connect your bank", &body)
}

/// `POST /consent/mfa`: answer the job's challenge as `POST /jobs/{id}/mfa` would; a wrong
/// answer fails the job, and the progress page then says so.
pub(crate) async fn answer(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let (journey, form, user) = match open_form(&s, &body) {
        Ok(v) => v,
        Err(resp) => return *resp,
    };
    let answers: Vec<String> =
        (0..MAX_ANSWERS).map_while(|i| field(&form, &format!("answer{i}")).map(|a| a.trim().to_owned())).collect();
    let mfa = match look(&s, &journey, &user) {
        Ok(Seen::Mfa(m)) => m,
        Ok(_) => return page::see_other(&journey.link("progress")),
        Err(resp) => return *resp,
    };
    if answers.len() != mfa.prompts.len() || answers.iter().any(String::is_empty) {
        return mfa_form(&journey, &mfa, Some("Please answer every question."));
    }
    let correct = mfa.answers.iter().zip(&answers).all(|(e, a)| e.eq_ignore_ascii_case(a));
    let now = s.cfg.clock.now();
    let id = journey.job_id.as_deref().unwrap_or("");
    if let Some(job) =
        s.write().jobs.get_mut(id).filter(|j| j.user_id == user && j.mfa_answered.is_none() && j.mfa_rejected.is_none())
    {
        if correct {
            job.mfa_answered = Some(now);
        } else {
            job.mfa_rejected = Some(now);
        }
    }
    page::see_other(&journey.link("progress"))
}
