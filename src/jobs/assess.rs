//! Reading one fetched job: failed, waiting for an MFA answer, done or still running; and the
//! ids a finished job's results point at. Steps are found by title and status, never by
//! position, so connection, report, statement and payment jobs are read alike.

use crate::open::{JobStepStatus, JobStepTitle};
use crate::{JobFailure, types};

use super::{CompletedJob, JobProgress, MfaChallenge};

/// The parts of an MFA prompt that identify it (its expiry may count down between polls).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Prompt {
    method: Option<String>,
    description: Option<String>,
    input: Option<Vec<String>>,
}

impl Prompt {
    pub(super) fn of(result: &types::JobStepResult) -> Self {
        Self { method: result.method.clone(), description: result.description.clone(), input: result.input.clone() }
    }
}

/// What a fetched job asks of the waiter.
pub(super) enum State {
    Failed(JobFailure),
    Mfa(Box<MfaChallenge>),
    Done,
    Running(JobProgress),
}

fn is(step: &types::JobStep, status: &JobStepStatus) -> bool {
    step.status.as_ref() == Some(status)
}

fn title_of(step: &types::JobStep) -> String {
    step.title.as_ref().map_or_else(|| "(untitled step)".to_owned(), |t| t.to_string())
}

/// The step in progress, else the first one still pending.
fn running_step(steps: &[types::JobStep]) -> Option<&types::JobStep> {
    steps
        .iter()
        .find(|s| is(s, &JobStepStatus::InProgress))
        .or_else(|| steps.iter().find(|s| is(s, &JobStepStatus::Pending)))
}

/// An in-progress step carrying an MFA prompt (preferring `mfa-challenge`), other than one already answered.
pub(super) fn challenge_step<'j>(steps: &'j [types::JobStep], answered: Option<&Prompt>) -> Option<&'j types::JobStep> {
    let waiting = |s: &&types::JobStep| {
        is(s, &JobStepStatus::InProgress)
            && s.parsed_result().is_some_and(|r| {
                r.type_.as_deref() == Some("mfa") && answered.is_none_or(|done| *done != Prompt::of(&r))
            })
    };
    let mut candidates = steps.iter().filter(waiting);
    let first = candidates.next()?;
    if first.title == Some(JobStepTitle::MfaChallenge) {
        return Some(first);
    }
    Some(candidates.find(|s| s.title == Some(JobStepTitle::MfaChallenge)).unwrap_or(first))
}

/// Where `job` stands, ignoring the prompt already `answered`.
pub(super) fn assess(job: &types::Job, answered: Option<&Prompt>) -> State {
    let steps = job.steps.as_deref().unwrap_or_default();
    if let Some(step) = steps.iter().find(|s| is(s, &JobStepStatus::Failed)) {
        let result = step.parsed_result().unwrap_or_default();
        return State::Failed(JobFailure {
            job_id: job.id.clone(),
            step: title_of(step),
            code: result.code,
            title: result.title,
            detail: result.detail,
        });
    }
    let job_status = job.status.as_deref().map(str::to_ascii_lowercase);
    if job_status.as_deref() == Some("failed") {
        return State::Failed(JobFailure {
            job_id: job.id.clone(),
            step: running_step(steps).map_or_else(|| "(job)".to_owned(), title_of),
            code: None,
            title: Some("The job failed".to_owned()),
            detail: None,
        });
    }
    if let Some(step) = challenge_step(steps, answered) {
        let result = step.parsed_result().unwrap_or_default();
        return State::Mfa(Box::new(MfaChallenge {
            job_id: job.id.clone(),
            method: result.method,
            description: result.description,
            prompts: result.input.unwrap_or_default(),
            expiry_ms: result.expiry_ms,
            job: job.clone(),
        }));
    }
    let all_succeeded = !steps.is_empty() && steps.iter().all(|s| is(s, &JobStepStatus::Success));
    if all_succeeded || (steps.is_empty() && job_status.as_deref() == Some("success")) {
        return State::Done;
    }
    State::Running(JobProgress {
        job_id: job.id.clone(),
        step: running_step(steps).and_then(|s| s.title.clone()),
        done: steps.iter().filter(|s| is(s, &JobStepStatus::Success)).count(),
        total: steps.len(),
    })
}

impl From<types::Job> for CompletedJob {
    fn from(job: types::Job) -> Self {
        let link = |title: &JobStepTitle, segment: &str| {
            job.step(title)
                .and_then(types::JobStep::parsed_result)
                .and_then(|r| r.url)
                .and_then(|url| id_after(&url, segment))
        };
        let source =
            |segment: &str| job.links.as_ref().and_then(|l| l.source.as_deref()).and_then(|u| id_after(u, segment));
        // Payment jobs link every step to the payment; any step (or the source) names it.
        let payment = |segment: &str| {
            job.steps
                .as_deref()
                .unwrap_or_default()
                .iter()
                .filter_map(|step| step.parsed_result()?.url)
                .find_map(|url| id_after(&url, segment))
                .or_else(|| source(segment))
        };
        let connection_id = link(&JobStepTitle::VerifyCredentials, "connections").or_else(|| source("connections"));
        let report_id = link(&JobStepTitle::CreateReport, "reports").or_else(|| source("reports"));
        let (payrequest_id, payout_id) = (payment("payrequests"), payment("payouts"));
        CompletedJob { job, connection_id, report_id, payrequest_id, payout_id }
    }
}

/// The path segment after `segment` in a relative or absolute URL: `/users/u/connections/c` → `c`.
fn id_after(url: &str, segment: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let mut parts = path.split('/');
    parts.by_ref().find(|p| *p == segment)?;
    let id = parts.next().filter(|id| !id.is_empty())?;
    Some(percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn job(value: Value) -> types::Job {
        serde_json::from_value(value).unwrap()
    }

    fn step(title: &str, status: &str, result: Value) -> Value {
        json!({ "title": title, "status": status, "result": result })
    }

    #[test]
    fn results_are_read_from_objects_lists_or_nothing() {
        let object = types::JobStep {
            result: Some(json!({"type": "link", "url": "/users/u/connections/c"})),
            ..Default::default()
        };
        assert_eq!(object.parsed_result().unwrap().url.as_deref(), Some("/users/u/connections/c"));
        let list = types::JobStep {
            result: Some(json!([{"type": "mfa", "input": ["Code"], "expiryMs": "3600"}])),
            ..Default::default()
        };
        let parsed = list.parsed_result().unwrap();
        assert_eq!((parsed.type_.as_deref(), parsed.expiry_ms), (Some("mfa"), Some(3600)));
        assert_eq!(parsed.input, Some(vec!["Code".to_owned()]));
        for nothing in [None, Some(Value::Null), Some(json!([])), Some(json!("text"))] {
            assert!(types::JobStep { result: nothing, ..Default::default() }.parsed_result().is_none());
        }
    }

    #[test]
    fn failures_accept_details_as_well_as_detail() {
        let j = job(
            json!({"id": "j", "steps": [step("verify-credentials", "failed", json!({"code": "x", "details": "why"}))]}),
        );
        match assess(&j, None) {
            State::Failed(f) => assert_eq!((f.code.as_deref(), f.detail.as_deref()), (Some("x"), Some("why"))),
            _ => panic!("expected a failure"),
        }
    }

    #[test]
    fn completion_does_not_depend_on_step_order() {
        let j = job(json!({"id": "j", "steps": [
            step("retrieve-transactions", "success", json!({"type": "link", "url": "/users/u/transactions"})),
            step("verify-credentials", "success", json!({"type": "link", "url": "https://h/users/u/connections/c%2D1?x=1"})),
            step("retrieve-accounts", "success", Value::Null),
        ]}));
        assert!(matches!(assess(&j, None), State::Done));
        assert_eq!(CompletedJob::from(j).connection_id.as_deref(), Some("c-1"));
    }

    #[test]
    fn report_ids_come_from_the_create_report_link_or_the_source() {
        let j = job(
            json!({"id": "j", "steps": [step("create-report", "success", json!({"type": "link", "url": "/reports/r1"}))]}),
        );
        assert_eq!(CompletedJob::from(j).report_id.as_deref(), Some("r1"));
        let j = job(json!({"id": "j", "status": "success", "steps": [], "links": {"source": "/reports/r2"}}));
        assert!(matches!(assess(&j, None), State::Done));
        assert_eq!(CompletedJob::from(j).report_id.as_deref(), Some("r2"));
    }

    #[test]
    fn progress_names_the_running_step_and_tolerates_unknown_titles() {
        let j = job(json!({"id": "j", "steps": [
            step("verify-credentials", "success", Value::Null),
            step("check-the-weather", "in-progress", Value::Null),
            step("retrieve-accounts", "pending", Value::Null),
        ]}));
        match assess(&j, None) {
            State::Running(p) => {
                assert_eq!(p.step, Some(JobStepTitle::Unknown("check-the-weather".into())));
                assert_eq!((p.done, p.total), (1, 3));
                assert_eq!(p.to_string(), "job j: check-the-weather (1/3 steps done)");
            }
            _ => panic!("expected progress"),
        }
    }

    #[test]
    fn the_mfa_challenge_step_is_preferred_over_an_earlier_step_asking() {
        let mfa = |method: &str, input: &str| json!({"type": "mfa", "method": method, "input": [input]});
        let j = job(json!({"id": "j", "steps": [
            step("verify-credentials", "in-progress", mfa("sms", "Earlier")),
            step("retrieve-accounts", "in-progress", mfa("sms", "Also earlier")),
            step("mfa-challenge", "in-progress", mfa("token", "Challenge")),
        ]}));
        let State::Mfa(challenge) = assess(&j, None) else { panic!("expected MFA") };
        assert_eq!(
            (challenge.method.as_deref(), challenge.prompts.as_slice()),
            (Some("token"), &["Challenge".to_owned()][..])
        );
        let first = job(json!({"id": "j", "steps": [step("verify-credentials", "in-progress", mfa("sms", "Only"))]}));
        let State::Mfa(challenge) = assess(&first, None) else { panic!("expected MFA") };
        assert_eq!(challenge.prompts, ["Only"]);
    }

    #[test]
    fn a_job_without_steps_is_done_only_when_its_status_says_so() {
        for status in [None, Some("in-progress"), Some("queued")] {
            let j = job(json!({"id": "j", "steps": [], "status": status}));
            assert!(matches!(assess(&j, None), State::Running(_)), "{status:?}");
        }
        let j = job(
            json!({"id": "j", "status": "success", "steps": [step("verify-credentials", "in-progress", Value::Null)]}),
        );
        assert!(matches!(assess(&j, None), State::Running(_)), "a step still running outweighs the job's status");
    }

    #[test]
    fn an_answered_prompt_is_not_reported_again_but_a_new_one_is() {
        let prompt = |input: &str, expiry: i64| {
            job(json!({"id": "j", "steps": [
                step("verify-credentials", "success", Value::Null),
                step("mfa-challenge", "in-progress", json!({"type": "mfa", "method": "token", "input": [input], "expiryMs": expiry})),
            ]}))
        };
        let State::Mfa(challenge) = assess(&prompt("Code", 120000), None) else { panic!("expected MFA") };
        assert_eq!(challenge.prompts, ["Code"]);
        let answered = challenge.fingerprint();
        assert!(matches!(assess(&prompt("Code", 90000), answered.as_ref()), State::Running(_)));
        assert!(matches!(assess(&prompt("Second code", 90000), answered.as_ref()), State::Mfa(_)));
    }
}
