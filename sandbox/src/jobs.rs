//! Jobs: their step plans and how their progress is computed lazily from timestamps.
//!
//! A job stores only its creation instant, its planned steps and MFA answers; the state shown at
//! any moment is derived from the clock. Step `n` starts when step `n-1` finished and takes
//! `job_step_delay`; an `mfa-challenge` step stays `in-progress` until answered (or until it
//! expires after 120 s, when it fails with `job-timed-out`).

use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::clock::Clock;
use super::dates;
use super::filter;
use super::institutions::institution_ref;
use super::personas::{Failure, Mfa, Outcome};

/// How long an MFA challenge waits for an answer.
pub(crate) const MFA_EXPIRY: Duration = Duration::from_secs(120);

/// What kind of work a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobKind {
    /// Connection create/refresh or statement upload (`jobType: "connection"`).
    Connection,
    /// Report creation (`jobType: "report"`).
    Report,
}

/// How a step ends.
#[derive(Debug, Clone)]
pub(crate) enum StepPlan {
    /// Succeeds with a link result pointing at this relative URL.
    Link(String),
    /// Fails with this failure.
    Fail(Failure),
    /// Waits for an MFA answer.
    Mfa(Mfa),
}

/// One planned step.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) title: &'static str,
    pub(crate) plan: StepPlan,
}

/// A job.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) kind: JobKind,
    pub(crate) created: Instant,
    pub(crate) steps: Vec<Step>,
    pub(crate) connection_id: Option<String>,
    pub(crate) institution_id: Option<String>,
    pub(crate) report_id: Option<String>,
    pub(crate) mfa_answered: Option<Instant>,
    pub(crate) mfa_rejected: Option<Instant>,
}

/// Status of a step at some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StepStatus {
    Pending,
    InProgress,
    Success,
    Failed,
}

impl StepStatus {
    /// The wire spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::InProgress => "in-progress",
            StepStatus::Success => "success",
            StepStatus::Failed => "failed",
        }
    }
}

/// A step as seen at some moment.
#[derive(Debug, Clone)]
pub(crate) struct StepView {
    pub(crate) title: &'static str,
    pub(crate) status: StepStatus,
    pub(crate) result: Value,
}

/// A job as seen at some moment.
#[derive(Debug, Clone)]
pub(crate) struct JobView {
    pub(crate) steps: Vec<StepView>,
    /// Instant of the latest change.
    pub(crate) updated: Instant,
    /// Some step failed.
    pub(crate) failed: bool,
    /// Every step succeeded.
    pub(crate) succeeded: bool,
    /// An MFA step is waiting for its answer.
    pub(crate) mfa_waiting: bool,
}

impl JobView {
    /// Whether the job finished (successfully or not).
    pub(crate) fn finished(&self) -> bool {
        self.failed || self.succeeded
    }

    /// Whether the step with this title has succeeded.
    pub(crate) fn step_succeeded(&self, title: &str) -> bool {
        self.steps.iter().any(|s| s.title == title && s.status == StepStatus::Success)
    }

    /// Job-level status, as report jobs show it.
    pub(crate) fn status(&self) -> &'static str {
        if self.failed {
            "failed"
        } else if self.succeeded {
            "success"
        } else if self.steps.iter().any(|s| s.status != StepStatus::Pending) {
            "in-progress"
        } else {
            "pending"
        }
    }
}

fn failure_json(f: &Failure) -> Value {
    json!({ "code": f.code, "title": f.title, "detail": f.detail })
}

/// The MFA step's result object.
fn mfa_json(m: &Mfa, job_id: &str, base: &str) -> Value {
    let description = if m.method == "token" {
        "Enter the one-time password sent to your registered device."
    } else {
        "Answer the security questions set up with your bank."
    };
    json!({
        "type": "mfa",
        "method": m.method,
        "description": description,
        "input": m.prompts,
        "expiryMs": MFA_EXPIRY.as_millis() as u64,
        "links": { "response": format!("{base}/jobs/{job_id}/mfa") },
    })
}

/// The failure a wrong MFA answer produces on the step.
pub(crate) const MFA_REJECTED: Failure = Failure {
    code: "invalid-credentials",
    title: "Cannot login to target institution, check credentials.",
    detail: "The answer to the multi-factor authentication challenge was not correct.",
};

/// The failure an unanswered MFA challenge produces.
pub(crate) const MFA_EXPIRED: Failure = Failure {
    code: "job-timed-out",
    title: "Multi-factor authentication timed out.",
    detail: "The multi-factor authentication challenge was not answered in time.",
};

impl Job {
    /// A connection job (create, refresh or statement upload) created at `created`.
    pub(crate) fn connection(
        id: String,
        user_id: String,
        created: Instant,
        steps: Vec<Step>,
        connection_id: Option<String>,
        institution_id: String,
    ) -> Job {
        Job {
            id,
            user_id,
            kind: JobKind::Connection,
            created,
            steps,
            connection_id,
            institution_id: Some(institution_id),
            report_id: None,
            mfa_answered: None,
            mfa_rejected: None,
        }
    }

    /// A report job: one `create-report` step linking to the report.
    pub(crate) fn report(id: String, user_id: String, created: Instant, report_id: String) -> Job {
        Job {
            id,
            user_id,
            kind: JobKind::Report,
            created,
            steps: vec![Step { title: "create-report", plan: StepPlan::Link(format!("/reports/{report_id}")) }],
            connection_id: None,
            institution_id: None,
            report_id: Some(report_id),
            mfa_answered: None,
            mfa_rejected: None,
        }
    }

    /// The job's state at `now`.
    pub(crate) fn view(&self, now: Instant, delay: Duration, base: &str) -> JobView {
        let mut t = self.created;
        let mut updated = self.created;
        let mut blocked = false;
        let mut failed = false;
        let mut mfa_waiting = false;
        let mut steps = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let pending = StepView { title: step.title, status: StepStatus::Pending, result: Value::Null };
            if blocked || now < t {
                blocked = true;
                steps.push(pending);
                continue;
            }
            updated = updated.max(t);
            let view = match &step.plan {
                StepPlan::Link(_) | StepPlan::Fail(_) => {
                    let end = t + delay;
                    if now < end {
                        blocked = true;
                        StepView { status: StepStatus::InProgress, ..pending }
                    } else {
                        updated = end;
                        t = end;
                        match &step.plan {
                            StepPlan::Link(url) => StepView {
                                status: StepStatus::Success,
                                result: json!({ "type": "link", "url": url }),
                                ..pending
                            },
                            StepPlan::Fail(f) => {
                                blocked = true;
                                failed = true;
                                StepView { status: StepStatus::Failed, result: failure_json(f), ..pending }
                            }
                            StepPlan::Mfa(_) => pending,
                        }
                    }
                }
                StepPlan::Mfa(m) => {
                    if let Some(a) = self.mfa_answered.filter(|a| *a <= now) {
                        updated = a.max(t);
                        t = updated;
                        StepView { status: StepStatus::Success, result: mfa_json(m, &self.id, base), ..pending }
                    } else if let Some(r) = self.mfa_rejected.filter(|r| *r <= now) {
                        updated = r.max(t);
                        blocked = true;
                        failed = true;
                        StepView { status: StepStatus::Failed, result: failure_json(&MFA_REJECTED), ..pending }
                    } else if now >= t + MFA_EXPIRY {
                        updated = t + MFA_EXPIRY;
                        blocked = true;
                        failed = true;
                        StepView { status: StepStatus::Failed, result: failure_json(&MFA_EXPIRED), ..pending }
                    } else {
                        blocked = true;
                        mfa_waiting = true;
                        StepView { status: StepStatus::InProgress, result: mfa_json(m, &self.id, base), ..pending }
                    }
                }
            };
            steps.push(view);
        }
        JobView { steps, updated, failed, succeeded: !blocked, mfa_waiting }
    }

    /// The job's JSON at `now` (`with_institution` adds the institution reference user-job lists carry).
    pub(crate) fn to_json(&self, view: &JobView, clock: &Clock, base: &str, with_institution: bool) -> Value {
        let mut links = json!({ "self": format!("{base}/jobs/{}", self.id) });
        if let Some(c) = &self.connection_id {
            links["source"] = json!(format!("{base}/users/{}/connections/{c}", self.user_id));
        }
        if let Some(r) = &self.report_id {
            links["source"] = json!(format!("{base}/reports/{r}"));
        }
        let mut out = json!({
            "type": "job",
            "id": self.id,
            "created": dates::fmt_datetime(clock.wall(self.created)),
            "updated": dates::fmt_datetime(clock.wall(view.updated)),
            "jobType": match self.kind { JobKind::Connection => "connection", JobKind::Report => "report" },
            "steps": view.steps.iter().map(|s| json!({
                "title": s.title,
                "status": s.status.as_str(),
                "result": s.result,
            })).collect::<Vec<_>>(),
            "links": links,
        });
        if self.kind == JobKind::Report {
            out["status"] = json!(view.status());
            out["partnerId"] = json!("sandbox");
            out["applicationId"] = json!("sandbox");
        }
        if with_institution && let Some(inst) = &self.institution_id {
            out["institution"] = institution_ref(inst, base);
        }
        out
    }

    /// A `{type:"job", id, links.self}` reference.
    pub(crate) fn reference(&self, base: &str) -> Value {
        job_reference(&self.id, base)
    }
}

/// A `{type:"job", id, links.self}` reference for a job id.
pub(crate) fn job_reference(id: &str, base: &str) -> Value {
    json!({ "type": "job", "id": id, "links": { "self": format!("{base}/jobs/{id}") } })
}

/// The steps of a connection job for a login's outcome.
pub(crate) fn connection_steps(
    user: &str,
    connection: &str,
    institution: &str,
    outcome: Outcome,
    mfa: Option<Mfa>,
) -> Vec<Step> {
    let verify = match outcome {
        Outcome::FailVerify(f) => StepPlan::Fail(f),
        _ => StepPlan::Link(format!("/users/{user}/connections/{connection}")),
    };
    let accounts = match outcome {
        Outcome::FailAccounts(f) => StepPlan::Fail(f),
        _ => StepPlan::Link(filter::eq_link(&format!("/users/{user}/accounts"), "institution.id", institution)),
    };
    let transactions = match outcome {
        Outcome::FailTransactions(f) => StepPlan::Fail(f),
        _ => StepPlan::Link(filter::eq_link(&format!("/users/{user}/transactions"), "institution.id", institution)),
    };
    let mut steps = vec![Step { title: "verify-credentials", plan: verify }];
    if let Some(m) = mfa {
        steps.push(Step { title: "mfa-challenge", plan: StepPlan::Mfa(m) });
    }
    steps.push(Step { title: "retrieve-accounts", plan: accounts });
    steps.push(Step { title: "retrieve-transactions", plan: transactions });
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personas::{BAD_CREDENTIALS, mfa_for};

    fn job(steps: Vec<Step>) -> Job {
        Job::connection("j".into(), "u".into(), Instant::now(), steps, Some("c".into()), "AU00000".into())
    }

    fn statuses(v: &JobView) -> Vec<&'static str> {
        v.steps.iter().map(|s| s.status.as_str()).collect()
    }

    #[test]
    fn advances_one_step_per_delay() {
        let d = Duration::from_millis(100);
        let j = job(connection_steps("u", "c", "AU00000", Outcome::Success, None));
        let at = |ms| j.view(j.created + Duration::from_millis(ms), d, "http://x");
        assert_eq!(statuses(&at(0)), ["in-progress", "pending", "pending"]);
        assert_eq!(statuses(&at(150)), ["success", "in-progress", "pending"]);
        let done = at(300);
        assert_eq!(statuses(&done), ["success", "success", "success"]);
        assert!(done.succeeded && !done.failed);
        assert_eq!(done.steps[2].result["url"], "/users/u/transactions?filter=institution.id.eq('AU00000')");
    }

    #[test]
    fn failure_blocks_later_steps() {
        let d = Duration::from_millis(10);
        let j = job(connection_steps("u", "c", "AU00000", Outcome::FailVerify(BAD_CREDENTIALS), None));
        let v = j.view(j.created + Duration::from_secs(1), d, "http://x");
        assert_eq!(statuses(&v), ["failed", "pending", "pending"]);
        assert_eq!(v.steps[0].result["code"], "invalid-credentials");
        assert!(v.steps[1].result.is_null());
        assert!(v.failed && v.finished());
    }

    #[test]
    fn mfa_waits_then_continues() {
        let d = Duration::from_millis(10);
        let mut j = job(connection_steps("u", "c", "AU00002", Outcome::Success, Some(mfa_for("jared"))));
        let v = j.view(j.created + Duration::from_secs(5), d, "http://x");
        assert_eq!(statuses(&v), ["success", "in-progress", "pending", "pending"]);
        assert!(v.mfa_waiting);
        assert_eq!(v.steps[1].result["input"][0], "OTP Password");
        assert_eq!(v.steps[1].result["links"]["response"], "http://x/jobs/j/mfa");
        j.mfa_answered = Some(j.created + Duration::from_secs(5));
        let v = j.view(j.created + Duration::from_secs(6), d, "http://x");
        assert_eq!(statuses(&v), ["success", "success", "success", "success"]);
        let expired = job(connection_steps("u", "c", "AU00002", Outcome::Success, Some(mfa_for("jared"))));
        let v = expired.view(expired.created + Duration::from_secs(200), d, "http://x");
        assert_eq!(statuses(&v), ["success", "failed", "pending", "pending"]);
        assert_eq!(v.steps[1].result["code"], "job-timed-out");
    }
}
