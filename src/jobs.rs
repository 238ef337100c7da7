//! Waiting for Basiq jobs: poll with backoff until every step succeeded, one failed, an MFA
//! challenge needs the user, or the deadline passes.
//!
//! Steps are looked up by title, never by position, and titles this crate does not know are
//! tolerated. Waiting uses `tokio::time`, spawns nothing and holds no shared state, so dropping
//! the future at any point cancels the wait cleanly.
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

use std::collections::HashSet;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use futures::TryStreamExt;

use crate::filter::{FilterError, JobFilter};
use crate::open::{JobStepStatus, JobStepTitle};
use crate::{Call, Client, Error, JobFailure, types};
use crate::{clock, pages, timestamp};

/// How long [`JobWait`] waits unless told otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5 * 60);
/// Pause after the first poll.
pub const DEFAULT_INITIAL_INTERVAL: Duration = Duration::from_secs(1);
/// Longest pause between polls.
pub const DEFAULT_MAX_INTERVAL: Duration = Duration::from_secs(10);
/// Factor by which the pause grows after each poll.
pub const DEFAULT_BACKOFF: f64 = 1.5;

/// The shortest pause allowed, so that a zero interval cannot turn polling into a busy loop.
const MIN_INTERVAL: Duration = Duration::from_millis(1);

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

/// Poll timing shared by the waiters.
#[derive(Clone, Copy, Debug)]
struct Polling {
    deadline: Duration,
    initial: Duration,
    max: Duration,
    backoff: f64,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            deadline: DEFAULT_DEADLINE,
            initial: DEFAULT_INITIAL_INTERVAL,
            max: DEFAULT_MAX_INTERVAL,
            backoff: DEFAULT_BACKOFF,
        }
    }
}

impl Polling {
    fn first(&self) -> Duration {
        self.initial.min(self.max).max(MIN_INTERVAL)
    }

    fn next(&self, current: Duration) -> Duration {
        let factor = if self.backoff.is_finite() && self.backoff > 1.0 { self.backoff } else { 1.0 };
        let grown = Duration::try_from_secs_f64(current.as_secs_f64() * factor).unwrap_or(Duration::MAX);
        grown.min(self.max).max(MIN_INTERVAL)
    }

    /// Starts the clock of one wait.
    fn start(self) -> Schedule {
        let started = Instant::now();
        Schedule { until: clock::after(started, self.deadline), interval: self.first(), started, polling: self }
    }
}

/// The builder methods that set a waiter's [`Polling`], shared by [`JobWait`] and [`NewJobWait`].
macro_rules! polling_setters {
    () => {
        /// Gives up with [`Error::JobDeadline`] after this long (default 5 minutes).
        pub fn deadline(mut self, deadline: Duration) -> Self {
            self.polling.deadline = deadline;
            self
        }

        /// Pause after the first poll (default 1 s).
        pub fn initial_interval(mut self, interval: Duration) -> Self {
            self.polling.initial = interval;
            self
        }

        /// Longest pause between polls (default 10 s).
        pub fn max_interval(mut self, interval: Duration) -> Self {
            self.polling.max = interval;
            self
        }

        /// Growth of the pause after each poll (default 1.5; values below 1 mean a fixed pause).
        pub fn backoff(mut self, factor: f64) -> Self {
            self.polling.backoff = factor;
            self
        }
    };
}

/// One wait under way: when it started, when it must end and how long the next pause is.
struct Schedule {
    polling: Polling,
    started: Instant,
    until: Instant,
    interval: Duration,
}

impl Schedule {
    /// Runs one poll; `None` when the deadline comes first.
    async fn poll<T>(&self, fetch: impl Future<Output = T>) -> Option<T> {
        tokio::time::timeout_at(self.until, fetch).await.ok()
    }

    /// Sleeps before the next poll, then lengthens the pause; false when the deadline has come instead.
    async fn pause(&mut self) -> bool {
        let now = Instant::now();
        if now >= self.until {
            return false;
        }
        tokio::time::sleep_until(clock::after(now, self.interval).min(self.until)).await;
        self.interval = self.polling.next(self.interval);
        Instant::now() < self.until
    }

    /// How long the wait has taken so far.
    fn waited(&self) -> Duration {
        self.started.elapsed()
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

/// Waits for a connection job that was not there before; build it with [`Client::wait_for_new_connection_job`].
#[derive(Debug)]
#[must_use = "a NewJobWait does nothing until awaited"]
pub struct NewJobWait<'a> {
    client: &'a Client,
    user_id: String,
    known: HashSet<String>,
    filter: Option<Result<String, FilterError>>,
    polling: Polling,
}

impl<'a> NewJobWait<'a> {
    polling_setters!();

    /// Only looks at jobs the filter matches, e.g. [`JobFilter::connection_id`] to see a refresh of one connection.
    pub fn filter(mut self, filter: JobFilter) -> Self {
        self.filter = Some(filter.render());
        self
    }

    /// Polls the user's jobs until a new connection job appears and returns its id (the newest, if several).
    ///
    /// On timeout the [`Error::JobDeadline`] has no real job id: its `job_id` describes what was awaited.
    pub async fn wait(self) -> Result<String, Error> {
        if self.user_id.trim().is_empty() {
            return Err(Error::InvalidInput("wait_for_new_connection_job needs a user id".into()));
        }
        let filter = self.filter.clone().transpose()?;
        let mut schedule = self.polling.start();
        loop {
            let fetch = self.client.get_user_jobs().user_id(self.user_id.as_str());
            let fetch = filter.iter().fold(fetch, |fetch, filter| fetch.filter(filter.as_str())).call();
            let every_page = pages::items(pages::paginate(self.client, fetch, "get_user_jobs")).try_collect::<Vec<_>>();
            let Some(fetched) = schedule.poll(every_page).await else {
                return Err(self.deadline_error(schedule.waited()));
            };
            if let Some(job) = newest_new_connection_job(&fetched?, &self.known) {
                return Ok(job.id.clone());
            }
            if !schedule.pause().await {
                return Err(self.deadline_error(schedule.waited()));
            }
        }
    }

    fn deadline_error(&self, waited: Duration) -> Error {
        Error::JobDeadline { job_id: format!("<new connection job of user {}>", self.user_id), waited, step: None }
    }
}

impl<'a> IntoFuture for NewJobWait<'a> {
    type Output = Result<String, Error>;
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
        NewJobWait {
            client: self,
            user_id: user_id.into(),
            known: known.into_iter().map(Into::into).collect(),
            filter: None,
            polling: Polling::default(),
        }
    }
}

/// The parts of an MFA prompt that identify it (its expiry may count down between polls).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Prompt {
    method: Option<String>,
    description: Option<String>,
    input: Option<Vec<String>>,
}

impl Prompt {
    fn of(result: &types::JobStepResult) -> Self {
        Self { method: result.method.clone(), description: result.description.clone(), input: result.input.clone() }
    }
}

enum State {
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
fn challenge_step<'j>(steps: &'j [types::JobStep], answered: Option<&Prompt>) -> Option<&'j types::JobStep> {
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

fn assess(job: &types::Job, answered: Option<&Prompt>) -> State {
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
        let connection_id = link(&JobStepTitle::VerifyCredentials, "connections").or_else(|| source("connections"));
        let report_id = link(&JobStepTitle::CreateReport, "reports").or_else(|| source("reports"));
        CompletedJob { job, connection_id, report_id }
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

/// The newest connection job not in `known`: latest `created` read as a time (so `+10:00` offsets
/// and fractions compare right), a job with no readable time counting as oldest; ties broken by list position.
fn newest_new_connection_job<'j>(jobs: &'j [types::Job], known: &HashSet<String>) -> Option<&'j types::Job> {
    let is_connection = |job: &types::Job| {
        job.job_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("connection"))
            || job.step(&JobStepTitle::VerifyCredentials).is_some()
    };
    let created =
        |job: &'j types::Job| job.created.as_deref().or(job.created_date.as_deref()).and_then(timestamp::parse);
    let mut best: Option<&types::Job> = None;
    for job in jobs.iter().filter(|j| is_connection(j) && !known.contains(&j.id)) {
        if best.is_none_or(|b| created(job) > created(b)) {
            best = Some(job);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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

    #[test]
    fn backoff_grows_to_the_cap_and_never_reaches_zero() {
        let p = Polling {
            deadline: DEFAULT_DEADLINE,
            initial: Duration::from_secs(1),
            max: Duration::from_secs(3),
            backoff: 1.5,
        };
        let mut seen = vec![p.first()];
        for _ in 0..4 {
            seen.push(p.next(*seen.last().unwrap()));
        }
        let ms: Vec<u128> = seen.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [1000, 1500, 2250, 3000, 3000]);
        let zero = Polling { initial: Duration::ZERO, backoff: f64::NAN, ..p };
        assert_eq!(zero.next(zero.first()), MIN_INTERVAL);
    }

    #[test]
    fn the_newest_unknown_connection_job_wins() {
        let jobs: Vec<types::Job> = serde_json::from_value(json!([
            {"id": "old", "jobType": "connection", "created": "2024-09-25T04:15:59Z"},
            {"id": "report", "jobType": "report", "created": "2024-09-25T09:00:00Z"},
            {"id": "tie-a", "created": "2024-09-25T05:00:00Z", "steps": [{"title": "verify-credentials", "status": "pending"}]},
            {"id": "tie-b", "jobType": "connection", "created": "2024-09-25T05:00:00Z"},
            {"id": "known", "jobType": "connection", "created": "2024-09-25T06:00:00Z"},
        ]))
        .unwrap();
        let known: HashSet<String> = ["known".to_owned()].into();
        assert_eq!(newest_new_connection_job(&jobs, &known).map(|j| j.id.as_str()), Some("tie-a"));
        let all: HashSet<String> = ["old", "tie-a", "tie-b", "known"].map(str::to_owned).into();
        assert!(newest_new_connection_job(&jobs, &all).is_none());
    }
}
