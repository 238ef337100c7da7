//! Jobs: get one, list a user's jobs, answer MFA challenges.

use std::sync::Arc;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use serde_json::Value;

use super::list_params::paging_params;
use super::paging;
use crate::auth::{Caller, require_user};
use crate::errors::{ApiError, ApiResult};
use crate::filter::{EQ_NE, FieldSpec, Kind};
use crate::http::{json, ok, query, read_json, self_url};
use crate::jobs::StepPlan;
use crate::state::Shared;

const JOB_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "connection.id", kind: Kind::Text, ops: EQ_NE },
    FieldSpec { name: "institution.id", kind: Kind::Text, ops: EQ_NE },
];

fn job_not_found() -> ApiError {
    ApiError::not_found("Requested job does not exist.").pointer("jobs/jobId")
}

/// `GET /jobs/{jobId}` (getJobs). CLIENT_ACCESS tokens may read their own user's jobs.
pub(crate) async fn get_job(
    State(s): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(job_id): Path<String>,
) -> ApiResult {
    let inner = s.read();
    let job = inner.jobs.get(&job_id).ok_or_else(job_not_found)?;
    require_user(&caller, &job.user_id)?;
    let view = job.view(s.cfg.clock.now(), s.cfg.step_delay, &s.cfg.base_url);
    ok(job.to_json(&view, &s.cfg.clock, &s.cfg.base_url, false))
}

/// `GET /users/{userId}/jobs` (getUserJobs), newest first, optionally `connection.id.eq('..')`.
pub(crate) async fn get_user_jobs(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, uri: Uri) -> ApiResult {
    let (cursor, f) = paging_params(&query(&uri), JOB_FIELDS)?;
    let inner = s.read();
    inner.user(&user_id)?;
    let now = s.cfg.clock.now();
    let mut jobs: Vec<_> = inner
        .jobs
        .values()
        .filter(|j| j.user_id == user_id)
        .filter(|j| {
            f.matches_text(|field| {
                Some(match field {
                    "connection.id" => j.connection_id.as_deref().unwrap_or(""),
                    "institution.id" => j.institution_id.as_deref().unwrap_or(""),
                    _ => return None,
                })
            })
        })
        .collect();
    jobs.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
    let data: Vec<Value> = jobs
        .iter()
        .skip(paging::skip(&cursor))
        .take(paging::take(&cursor))
        .map(|j| {
            let view = j.view(now, s.cfg.step_delay, &s.cfg.base_url);
            j.to_json(&view, &s.cfg.clock, &s.cfg.base_url, true)
        })
        .collect();
    let list_url = format!("{}/users/{user_id}/jobs", s.cfg.base_url);
    ok(paging::finish(data, &cursor, self_url(&s, &uri), &list_url))
}

/// `POST /jobs/{jobId}/mfa` (postJobMfa): 202 when the answer is right; a wrong answer fails the
/// `mfa-challenge` step (and so the job) and is answered 400 `invalid-credentials`.
pub(crate) async fn post_job_mfa(
    State(s): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(job_id): Path<String>,
    body: Body,
) -> ApiResult {
    let v = read_json(body, 64 * 1024, "MFA response").await?;
    let answers: Vec<String> = match v.get("mfa-response") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.trim().to_owned()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(ApiError::invalid_param("mfa-response", "Each MFA response must be a string.")
                    .pointer("mfa-response")),
            })
            .collect::<Result<_, _>>()?,
        Some(Value::String(one)) => vec![one.trim().to_owned()],
        _ => {
            return Err(
                ApiError::missing_param("mfa-response", "The mfa-response field is required.").pointer("mfa-response")
            );
        }
    };
    let now = s.cfg.clock.now();
    let mut inner = s.write();
    let job = inner.jobs.get_mut(&job_id).ok_or_else(job_not_found)?;
    require_user(&caller, &job.user_id)?;
    let view = job.view(now, s.cfg.step_delay, &s.cfg.base_url);
    if !view.mfa_waiting {
        return Err(ApiError::invalid_param("jobId", "The job is not waiting for an MFA response."));
    }
    let expected: Vec<&str> = job
        .steps
        .iter()
        .find_map(|st| match &st.plan {
            StepPlan::Mfa(m) => Some(m.answers.to_vec()),
            _ => None,
        })
        .unwrap_or_default();
    let correct =
        expected.len() == answers.len() && expected.iter().zip(&answers).all(|(e, a)| e.eq_ignore_ascii_case(a));
    if !correct {
        job.mfa_rejected = Some(now);
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-credentials",
            "Invalid MFA response",
            "The answer to the multi-factor authentication challenge was not correct.",
        )
        .pointer("mfa-response"));
    }
    job.mfa_answered = Some(now);
    Ok(json(StatusCode::ACCEPTED, job.reference(&s.cfg.base_url)))
}
