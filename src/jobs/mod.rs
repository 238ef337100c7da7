//! Waiting for Basiq jobs: poll with backoff until every step succeeded, one failed, an MFA
//! challenge needs the user, or the deadline passes.
//!
//! Steps are looked up by title, never by position, and titles this crate does not know are
//! tolerated. Nothing here depends on which steps a job has: connection, report, statement and
//! payment jobs (`validate-payment`, `external-processing`, `payment-completed`) are waited for
//! alike. Waiting uses `tokio::time`, spawns nothing and holds no shared state, so dropping the
//! future at any point cancels the wait cleanly.
//!
//! ```no_run
//! # async fn demo(client: &basiq::Client, job_id: &str) -> Result<(), basiq::Error> {
//! use basiq::jobs::JobOutcome;
//! use std::time::Duration;
//!
//! let mut outcome = client.wait_for_job(job_id).on_progress(|p| println!("{p}")).await?;
//! while let JobOutcome::MfaRequired(challenge) = outcome {
//!     println!("{}", challenge.description.as_deref().unwrap_or("Enter the code"));
//!     client.answer_mfa(&challenge.job_id, vec!["123456".into()]).await?;
//!     outcome = client.wait_for_job(job_id).answered(&challenge).deadline(Duration::from_secs(120)).await?;
//! }
//! if let JobOutcome::Succeeded(done) = outcome {
//!     println!("connection {:?}", done.connection_id);
//! }
//! # Ok(()) }
//! ```

mod assess;
mod discovery;
mod schedule;

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use serde_json::Value;

use crate::open::JobStepTitle;
use crate::{Call, Client, Error, types};

use assess::{Prompt, State, assess, challenge_step};
pub use discovery::NewJobWait;
use schedule::{Polling, polling_setters};

/// How long [`JobWait`] waits unless told otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5 * 60);
/// Pause after the first poll.
pub const DEFAULT_INITIAL_INTERVAL: Duration = Duration::from_secs(1);
/// Longest pause between polls.
pub const DEFAULT_MAX_INTERVAL: Duration = Duration::from_secs(10);
/// Factor by which the pause grows after each poll.
pub const DEFAULT_BACKOFF: f64 = 1.5;

/// How a job ended, when it did not fail.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum JobOutcome {
    /// Every step succeeded.
    Succeeded(CompletedJob),
    /// The job is waiting for the user's answer; send it with [`Client::answer_mfa`], then wait again.
    MfaRequired(MfaChallenge),
}

/// A job whose steps all succeeded, with the ids its results point at.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CompletedJob {
    /// The job as last fetched.
    pub job: types::Job,
    /// The connection created or refreshed, from the `verify-credentials` result link.
    pub connection_id: Option<String>,
    /// The report created, from the `create-report` result link.
    pub report_id: Option<String>,
    /// The payrequest a payment job settled, from a step's result link or the job's source.
    pub payrequest_id: Option<String>,
    /// The payout a payment job settled, from a step's result link or the job's source.
    pub payout_id: Option<String>,
}

/// A multi-factor challenge the user must answer before the job can go on.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MfaChallenge {
    /// The job waiting for the answer.
    pub job_id: String,
    /// How the answer is collected, e.g. `token` or `security-questions`.
    pub method: Option<String>,
    /// Instructions to show the user.
    pub description: Option<String>,
    /// One prompt per expected answer, in order.
    pub prompts: Vec<String>,
    /// Milliseconds left to answer, as Basiq reported it.
    pub expiry_ms: Option<i64>,
    /// The job as last fetched.
    pub job: types::Job,
}

impl MfaChallenge {
    fn fingerprint(&self) -> Option<Prompt> {
        let step = challenge_step(self.job.steps.as_deref().unwrap_or_default(), None)?;
        Some(Prompt::of(&step.parsed_result()?))
    }
}

/// What a job is doing, reported to [`JobWait::on_progress`] each time it changes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobProgress {
    /// The job being waited for.
    pub job_id: String,
    /// The step running now (or next to run), when there is one.
    pub step: Option<JobStepTitle>,
    /// Number of steps that succeeded.
    pub done: usize,
    /// Number of steps in the job.
    pub total: usize,
}

impl fmt::Display for JobProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.step {
            Some(step) => write!(f, "job {}: {step} ({}/{} steps done)", self.job_id, self.done, self.total),
            None => write!(f, "job {}: waiting to start", self.job_id),
        }
    }
}

impl types::Job {
    /// The step with this title, wherever it sits in the list.
    pub fn step(&self, title: &JobStepTitle) -> Option<&types::JobStep> {
        self.steps.as_deref().unwrap_or_default().iter().find(|s| s.title.as_ref() == Some(title))
    }
}

impl types::JobStep {
    /// This step's `result` read leniently: an object, a list whose first element is the object, or nothing.
    pub fn parsed_result(&self) -> Option<types::JobStepResult> {
        let value = match self.result.as_ref()? {
            Value::Array(items) => items.first()?,
            other => other,
        };
        let object = value.as_object()?;
        let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
        let number = |value: &Value| value.as_i64().or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
        let input = match object.get("input") {
            Some(Value::Array(items)) => Some(items.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
            Some(Value::String(one)) => Some(vec![one.clone()]),
            _ => None,
        };
        let links = object.get("links").and_then(Value::as_object).map(|links| types::JobStepResultLinks {
            response: links.get("response").and_then(Value::as_str).map(str::to_owned),
        });
        Some(types::JobStepResult {
            code: text("code"),
            description: text("description"),
            // Basiq's schema says `details`; its examples say `detail`.
            detail: text("detail").or_else(|| text("details")),
            expiry_ms: object.get("expiryMs").and_then(number),
            input,
            links,
            method: text("method"),
            title: text("title"),
            type_: text("type"),
            url: text("url"),
        })
    }
}

/// The progress callback of a [`JobWait`].
type ProgressFn<'a> = Box<dyn FnMut(&JobProgress) + Send + 'a>;

/// Waits for one job; build it with [`Client::wait_for_job`], then `.await` it (or call [`wait`](JobWait::wait)).
#[must_use = "a JobWait does nothing until awaited"]
pub struct JobWait<'a> {
    client: &'a Client,
    job_id: String,
    polling: Polling,
    answered: Option<Prompt>,
    /// The answered prompt's `expiryMs` when last seen; a higher one means Basiq asked again.
    answered_expiry: Option<i64>,
    on_progress: Option<ProgressFn<'a>>,
}

impl fmt::Debug for JobWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobWait")
            .field("job_id", &self.job_id)
            .field("polling", &self.polling)
            .field("answered", &self.answered.is_some())
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl<'a> JobWait<'a> {
    polling_setters!();

    /// Calls `report` with the running step whenever the job's progress changes.
    pub fn on_progress(mut self, report: impl FnMut(&JobProgress) + Send + 'a) -> Self {
        self.on_progress = Some(Box::new(report));
        self
    }

    /// Treats `challenge` as answered, so that its prompt, while Basiq still shows it, is not reported again.
    pub fn answered(mut self, challenge: &MfaChallenge) -> Self {
        self.answered = challenge.fingerprint();
        self.answered_expiry = challenge.expiry_ms;
        self
    }

    /// Forgets the answered prompt once Basiq has moved past it, so that the same prompt asked
    /// again (after a wrong answer) is reported: when the prompt disappears from the job, or when
    /// its `expiryMs` goes up instead of counting down.
    fn forget_answered_when_asked_again(&mut self, job: &types::Job) {
        let Some(done) = &self.answered else { return };
        let shown =
            challenge_step(job.steps.as_deref().unwrap_or_default(), None).and_then(types::JobStep::parsed_result);
        match shown {
            Some(result) if Prompt::of(&result) == *done => {
                let restarted =
                    matches!((result.expiry_ms, self.answered_expiry), (Some(now), Some(before)) if now > before);
                if restarted {
                    self.answered = None;
                } else {
                    self.answered_expiry = result.expiry_ms.or(self.answered_expiry);
                }
            }
            _ => self.answered = None,
        }
    }

    /// Polls until the job succeeds, fails, needs MFA or runs out of time.
    pub async fn wait(mut self) -> Result<JobOutcome, Error> {
        if self.job_id.trim().is_empty() {
            return Err(Error::InvalidInput("wait_for_job needs a job id".into()));
        }
        let mut schedule = self.polling.start();
        let mut last: Option<JobProgress> = None;
        loop {
            let fetch = self.client.get_jobs().job_id(self.job_id.as_str()).call();
            let Some(fetched) = schedule.poll(fetch).await else {
                return Err(self.deadline_error(schedule.waited(), last));
            };
            let job = fetched?;
            self.forget_answered_when_asked_again(&job);
            match assess(&job, self.answered.as_ref()) {
                State::Failed(failure) => return Err(Error::JobFailed(failure)),
                State::Mfa(challenge) => return Ok(JobOutcome::MfaRequired(*challenge)),
                State::Done => return Ok(JobOutcome::Succeeded(CompletedJob::from(job))),
                State::Running(progress) => {
                    if last.as_ref() != Some(&progress) {
                        tracing::debug!(job_id = %self.job_id, step = ?progress.step, "job progress");
                        if let Some(report) = self.on_progress.as_mut() {
                            report(&progress);
                        }
                        last = Some(progress);
                    }
                }
            }
            if !schedule.pause().await {
                return Err(self.deadline_error(schedule.waited(), last));
            }
        }
    }

    fn deadline_error(&self, waited: Duration, last: Option<JobProgress>) -> Error {
        Error::JobDeadline {
            job_id: self.job_id.clone(),
            waited,
            step: last.and_then(|p| p.step).map(|s| s.to_string()),
        }
    }
}

impl<'a> IntoFuture for JobWait<'a> {
    type Output = Result<JobOutcome, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

impl Client {
    /// Starts waiting for job `job_id`; configure the returned [`JobWait`], then `.await` it.
    pub fn wait_for_job(&self, job_id: impl Into<String>) -> JobWait<'_> {
        JobWait {
            client: self,
            job_id: job_id.into(),
            polling: Polling::default(),
            answered: None,
            answered_expiry: None,
            on_progress: None,
        }
    }

    /// Sends the user's MFA answers (`POST /jobs/{id}/mfa`); then wait for the job again.
    pub async fn answer_mfa(&self, job_id: &str, answers: Vec<String>) -> Result<types::JobReference, Error> {
        if job_id.trim().is_empty() {
            return Err(Error::InvalidInput("answer_mfa needs a job id".into()));
        }
        if answers.is_empty() {
            return Err(Error::InvalidInput("answer_mfa needs at least one answer".into()));
        }
        self.post_job_mfa().job_id(job_id).body(types::JobMfaRequest { mfa_response: answers }).call().await
    }

    /// Starts waiting for a connection job of `user_id` whose id is not in `known` (for when no consent redirect tells you).
    pub fn wait_for_new_connection_job(
        &self,
        user_id: impl Into<String>,
        known: impl IntoIterator<Item = impl Into<String>>,
    ) -> NewJobWait<'_> {
        NewJobWait::new(self, user_id.into(), known.into_iter().map(Into::into).collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn prompt(input: &str, expiry_ms: i64) -> types::Job {
        serde_json::from_value(json!({"id": "j", "steps": [{"title": "mfa-challenge", "status": "in-progress",
            "result": {"type": "mfa", "input": [input], "expiryMs": expiry_ms}}]}))
        .unwrap()
    }

    #[test]
    fn another_prompt_in_between_forgets_the_answered_one() {
        let client = Client::builder().api_key("a2V5").build().unwrap();
        let State::Mfa(first) = assess(&prompt("Code", 120_000), None) else { panic!("expected MFA") };
        let mut wait = client.wait_for_job("j").answered(&first);
        wait.forget_answered_when_asked_again(&prompt("Code", 100_000));
        assert!(wait.answered.is_some(), "the answered prompt counting down stays answered");
        wait.forget_answered_when_asked_again(&prompt("Other code", 50_000));
        assert!(wait.answered.is_none(), "another prompt means Basiq has moved past the answered one");
    }
}
