//! Payments: submit payrequests or payouts and wait until every one of their jobs has ended.
//!
//! Basiq answers a submission with one job per entry and nothing else; the payment itself is
//! settled later by the bank. [`Client::submit_payouts_and_wait`] and
//! [`Client::submit_payrequests_and_wait`] check the batch before sending it (Basiq's limit of 100
//! entries, unique request ids, amounts of at least one cent), submit it, then wait for each job in
//! turn under one shared deadline. Each entry ends in its own [`PaymentOutcome`], so one failed
//! payment does not hide the others. When a job fails without saying why, the payment is fetched
//! once and its `reason` fills in the failure.
//!
//! ```no_run
//! # async fn demo(client: &basiq::Client) -> Result<(), basiq::Error> {
//! use basiq::types;
//! use std::time::Duration;
//!
//! let payout = types::PayoutRequest {
//!     request_id: "dividend-2026-05-0001".into(),
//!     amount: 173.45,
//!     description: "Dividends".into(),
//!     method: Some(types::PayoutMethod::FastBatch),
//!     payee: types::PayoutPayeeRequest {
//!         payee_user_id: "4198c70f-210f-433f-b4a0-912ae64bb572".into(),
//!         payee_bank_branch_code: Some("730002".into()),
//!         payee_account_number: Some("123456789".into()),
//!     },
//! };
//! for outcome in client.submit_payouts_and_wait(vec![payout]).deadline(Duration::from_secs(600)).await? {
//!     match &outcome.result {
//!         Ok(done) => println!("{:?} paid as {:?}", outcome.request_id, done.payout_id),
//!         Err(error) => println!("{:?} not paid: {error}", outcome.request_id),
//!     }
//! }
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

use crate::jobs::{CompletedJob, DEFAULT_DEADLINE, JobOutcome};
use crate::{Call, Client, Error, JobFailure, types};

/// The most entries Basiq accepts in one submission.
pub const MAX_BATCH: usize = 100;

/// How one submitted payment ended.
#[derive(Debug)]
#[non_exhaustive]
pub struct PaymentOutcome {
    /// Your `requestId` of the entry, as Basiq echoed it on the job.
    pub request_id: Option<String>,
    /// The job that tracked the payment; its id is also the payment's id.
    pub job_id: String,
    /// The completed job, or why it did not complete: [`Error::JobFailed`] (with the payment's
    /// reason when Basiq gave one), [`Error::JobDeadline`], or an error while polling.
    pub result: Result<CompletedJob, Error>,
}

impl types::PaymentJobList {
    /// The jobs of a submission: the `jobs` list, or the single job Basiq's guides show sent bare.
    pub fn job_refs(&self) -> Vec<types::PaymentJob> {
        match (&self.jobs, &self.id) {
            (Some(jobs), _) => jobs.clone(),
            (None, Some(id)) => vec![types::PaymentJob {
                id: id.clone(),
                links: self.links.clone(),
                request_id: self.request_id.clone(),
                type_: self.type_.clone(),
            }],
            (None, None) => Vec::new(),
        }
    }
}

/// What is being paid: the two kinds of submission share everything but their body and reason lookup.
#[derive(Clone, Debug)]
enum Batch {
    Payrequests(Vec<types::PayrequestRequest>),
    Payouts(Vec<types::PayoutRequest>),
}

impl Batch {
    fn name(&self) -> &'static str {
        match self {
            Self::Payrequests(_) => "payrequests",
            Self::Payouts(_) => "payouts",
        }
    }

    /// (requestId, amount) of every entry.
    fn entries(&self) -> Vec<(&str, f64)> {
        match self {
            Self::Payrequests(items) => items.iter().map(|p| (p.request_id.as_str(), p.amount)).collect(),
            Self::Payouts(items) => items.iter().map(|p| (p.request_id.as_str(), p.amount)).collect(),
        }
    }

    /// Refuses a batch Basiq would refuse, before anything is sent.
    fn check(&self) -> Result<(), Error> {
        let entries = self.entries();
        let refuse = |why: String| Err(Error::InvalidInput(format!("{}: {why}", self.name())));
        if entries.is_empty() {
            return refuse("nothing to submit".into());
        }
        if entries.len() > MAX_BATCH {
            return refuse(format!("{} entries, Basiq accepts at most {MAX_BATCH} at once", entries.len()));
        }
        let mut seen = HashSet::new();
        for (request_id, amount) in entries {
            if request_id.trim().is_empty() {
                return refuse("every entry needs a requestId".into());
            }
            if !seen.insert(request_id) {
                return refuse(format!("requestId {request_id:?} is used twice"));
            }
            if !amount.is_finite() || amount < 0.01 {
                return refuse(format!("the amount of {request_id:?} must be at least 0.01"));
            }
        }
        Ok(())
    }

    async fn submit(self, client: &Client) -> Result<types::PaymentJobList, Error> {
        match self {
            Self::Payrequests(payrequests) => {
                client.submit_payrequests().body(types::PayrequestSubmitRequest { payrequests }).call().await
            }
            Self::Payouts(payouts) => client.submit_payouts().body(types::PayoutSubmitRequest { payouts }).call().await,
        }
    }

    /// The failure reason Basiq recorded on the payment, if it can be read.
    async fn reason(&self, client: &Client, id: &str) -> Option<types::PaymentFailure> {
        match self {
            Self::Payrequests(_) => client.get_payrequest().id(id).call().await.ok()?.reason,
            Self::Payouts(_) => client.get_payout().id(id).call().await.ok()?.reason,
        }
    }
}

/// A submission and the wait for its jobs; build it with [`Client::submit_payouts_and_wait`] or
/// [`Client::submit_payrequests_and_wait`], then `.await` it.
#[derive(Debug)]
#[must_use = "a PaymentsWait does nothing until awaited"]
pub struct PaymentsWait<'a> {
    client: &'a Client,
    batch: Batch,
    deadline: Duration,
    initial_interval: Option<Duration>,
    max_interval: Option<Duration>,
}

impl<'a> PaymentsWait<'a> {
    /// How long to wait for all jobs together (default 5 minutes); a job still running then ends
    /// in [`Error::JobDeadline`]. Batch payments can take days: poll those later with `get_payout`.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Pause after each job's first poll (see [`crate::jobs::JobWait::initial_interval`]).
    pub fn initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = Some(interval);
        self
    }

    /// Longest pause between polls of a job (see [`crate::jobs::JobWait::max_interval`]).
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = Some(interval);
        self
    }

    /// Checks and submits the batch, then waits for every job; errors only when the batch was refused.
    pub async fn wait(self) -> Result<Vec<PaymentOutcome>, Error> {
        self.batch.check()?;
        let until = Instant::now().checked_add(self.deadline);
        let jobs = self.batch.clone().submit(self.client).await?.job_refs();
        let mut outcomes = Vec::with_capacity(jobs.len());
        for job in jobs {
            let left = until.map_or(self.deadline, |until| until.saturating_duration_since(Instant::now()));
            let mut wait = self.client.wait_for_job(job.id.as_str()).deadline(left);
            if let Some(interval) = self.initial_interval {
                wait = wait.initial_interval(interval);
            }
            if let Some(interval) = self.max_interval {
                wait = wait.max_interval(interval);
            }
            let result = match wait.await {
                Ok(JobOutcome::Succeeded(done)) => Ok(done),
                // Payments take no MFA answer; a prompt on a payment job is a failure of that payment.
                Ok(_) => Err(Error::JobFailed(JobFailure {
                    job_id: job.id.clone(),
                    step: "(payment)".to_owned(),
                    code: None,
                    title: Some("The payment job asked for an answer that payments cannot give".to_owned()),
                    detail: None,
                })),
                Err(Error::JobFailed(mut failure)) => {
                    if failure.code.is_none()
                        && let Some(reason) = self.batch.reason(self.client, &job.id).await
                    {
                        failure.code = reason.code;
                        failure.title = reason.title.or(failure.title);
                        failure.detail = reason.detail.or(failure.detail);
                    }
                    Err(Error::JobFailed(failure))
                }
                Err(other) => Err(other),
            };
            outcomes.push(PaymentOutcome { request_id: job.request_id, job_id: job.id, result });
        }
        Ok(outcomes)
    }
}

impl<'a> IntoFuture for PaymentsWait<'a> {
    type Output = Result<Vec<PaymentOutcome>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

impl Client {
    /// Submits `payouts` (at most 100) and waits for every payout's job; configure, then `.await`.
    pub fn submit_payouts_and_wait(&self, payouts: Vec<types::PayoutRequest>) -> PaymentsWait<'_> {
        self.payments_wait(Batch::Payouts(payouts))
    }

    /// Submits `payrequests` (at most 100) and waits for every payrequest's job; configure, then `.await`.
    pub fn submit_payrequests_and_wait(&self, payrequests: Vec<types::PayrequestRequest>) -> PaymentsWait<'_> {
        self.payments_wait(Batch::Payrequests(payrequests))
    }

    fn payments_wait(&self, batch: Batch) -> PaymentsWait<'_> {
        PaymentsWait { client: self, batch, deadline: DEFAULT_DEADLINE, initial_interval: None, max_interval: None }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn payout(request_id: &str, amount: f64) -> types::PayoutRequest {
        let payee: types::PayoutPayeeRequest = serde_json::from_value(json!({"payeeUserId": "u"})).unwrap();
        types::PayoutRequest { request_id: request_id.into(), amount, description: "d".into(), method: None, payee }
    }

    #[test]
    fn batches_basiq_would_refuse_are_refused_first() {
        let refused = |batch: Batch| matches!(batch.check(), Err(Error::InvalidInput(_)));
        assert!(refused(Batch::Payouts(Vec::new())));
        assert!(refused(Batch::Payouts((0..101).map(|i| payout(&format!("r{i}"), 1.0)).collect())));
        assert!(refused(Batch::Payouts(vec![payout("a", 1.0), payout("a", 2.0)])));
        assert!(refused(Batch::Payouts(vec![payout(" ", 1.0)])));
        for amount in [0.0, 0.009, -5.0, f64::NAN, f64::INFINITY] {
            assert!(refused(Batch::Payouts(vec![payout("a", amount)])), "{amount}");
        }
        assert!(Batch::Payouts((0..100).map(|i| payout(&format!("r{i}"), 0.01)).collect()).check().is_ok());
    }

    #[test]
    fn a_bare_job_counts_as_a_list_of_one() {
        let listed: types::PaymentJobList =
            serde_json::from_value(json!({"jobs": [{"id": "j1", "requestId": "r1"}, {"id": "j2"}]})).unwrap();
        assert_eq!(listed.job_refs().iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["j1", "j2"]);
        let bare: types::PaymentJobList =
            serde_json::from_value(json!({"type": "job", "id": "j3", "requestId": "r3"})).unwrap();
        let refs = bare.job_refs();
        assert_eq!((refs[0].id.as_str(), refs[0].request_id.as_deref()), ("j3", Some("r3")));
        let empty: types::PaymentJobList = serde_json::from_value(json!({})).unwrap();
        assert!(empty.job_refs().is_empty());
    }
}
