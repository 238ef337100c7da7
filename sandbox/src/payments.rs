//! Payments state: the application's float account, and the pay requests (collections into the
//! float) and payouts (from it) submitted so far, each tracked by a job whose id is the payment's.
//!
//! Nothing moves money eagerly: a payment's status is read from its job's lazily computed steps,
//! and the float's available balance is derived from the statuses (opening balance, minus every
//! payout not failed, plus every collected pay request that completed).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::dates;
use super::jobs::{Job, JobKind, StepPlan};
use super::personas::Failure;
use super::seeded::Mix;

/// At most this many payments are kept; the oldest (and its job) is forgotten beyond it.
pub(crate) const MAX_PAYMENTS: usize = 10_000;
/// The float account's balance when the sandbox starts, in cents (10,000.00 AUD).
pub(crate) const FLOAT_OPENING: i64 = 1_000_000;
/// Largest single payment the sandbox's "bank" processes, in cents (50,000.00 AUD).
pub(crate) const TRANSACTION_LIMIT: i64 = 5_000_000;

/// Which way a payment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// A pay request: collect from a payer.
    Payrequest,
    /// A payout: pay a payee from the float.
    Payout,
}

impl Direction {
    /// The resource type and body key (`payrequest` / `payrequests`).
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Direction::Payrequest => "payrequest",
            Direction::Payout => "payout",
        }
    }

    /// The body key and path segment (`payrequests` / `payouts`).
    pub(crate) fn plural(self) -> &'static str {
        match self {
            Direction::Payrequest => "payrequests",
            Direction::Payout => "payouts",
        }
    }

    /// The party prefix of the body fields (`payer` / `payee`).
    pub(crate) fn party(self) -> &'static str {
        match self {
            Direction::Payrequest => "payer",
            Direction::Payout => "payee",
        }
    }

    /// The job kind tracking payments of this direction.
    pub(crate) fn job_kind(self) -> JobKind {
        match self {
            Direction::Payrequest => JobKind::Payrequest,
            Direction::Payout => JobKind::Payout,
        }
    }
}

/// The user and bank account on the other side of a payment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Party {
    pub(crate) user_id: String,
    pub(crate) bsb: Option<String>,
    pub(crate) account_number: Option<String>,
    pub(crate) account_id: Option<String>,
}

/// A submitted payment.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) id: String,
    pub(crate) request_id: String,
    pub(crate) direction: Direction,
    pub(crate) created: Instant,
    pub(crate) method: &'static str,
    pub(crate) requested_method: Option<String>,
    pub(crate) party: Party,
    pub(crate) description: String,
    /// Cents.
    pub(crate) amount: i64,
    /// A completed pay request adds its amount to the float.
    pub(crate) to_float: bool,
    /// The failure its job was planned to end with, if any.
    pub(crate) failure: Option<Failure>,
}

/// A payment's state at some moment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PaymentState {
    pub(crate) status: &'static str,
    pub(crate) reason: Option<Failure>,
    pub(crate) updated: Instant,
}

/// Timing inputs for reading job progress.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Now<'a> {
    pub(crate) at: Instant,
    pub(crate) delay: Duration,
    pub(crate) base: &'a str,
}

impl Payment {
    /// Status from the job's progress; a payment whose job is gone (its user was deleted) shows
    /// the outcome it was planned to have.
    pub(crate) fn state(&self, jobs: &HashMap<String, Job>, now: Now<'_>) -> PaymentState {
        let Some(job) = jobs.get(&self.id) else {
            let status = if self.failure.is_some() { "failed" } else { "successful" };
            return PaymentState { status, reason: self.failure, updated: self.created };
        };
        let view = job.view(now.at, now.delay, now.base);
        let status = if view.failed {
            "failed"
        } else if view.succeeded {
            "successful"
        } else {
            "in-progress"
        };
        PaymentState { status, reason: self.failure.filter(|_| view.failed), updated: view.updated }
    }

    /// The payment resource; `wall` turns an instant into unix seconds.
    pub(crate) fn to_json(&self, st: PaymentState, wall: impl Fn(Instant) -> i64) -> Value {
        let p = self.direction.party();
        let mut party = json!({ format!("{p}UserId"): self.party.user_id });
        let optional = [
            ("BankBranchCode", &self.party.bsb),
            ("AccountNumber", &self.party.account_number),
            ("AccountId", &self.party.account_id),
        ];
        for (suffix, value) in optional {
            if let Some(v) = value {
                party[format!("{p}{suffix}")] = json!(v);
            }
        }
        let path = format!("/payments/{}/{}", self.direction.plural(), self.id);
        let mut out = json!({
            "type": self.direction.kind(),
            "id": self.id,
            "requestId": self.request_id,
            "created": dates::fmt_datetime(wall(self.created)),
            "updated": dates::fmt_datetime(wall(st.updated)),
            "method": self.method,
            "status": st.status,
            p: party,
            "description": self.description,
            "amount": cents_json(self.amount),
            "currency": "AUD",
            "links": { "self": path, "job": format!("/jobs/{}", self.id) },
        });
        if let Some(r) = st.reason {
            out["reason"] = json!({ "code": r.code, "title": r.title, "detail": r.detail });
        }
        if let Some(m) = &self.requested_method {
            out["requestedMethod"] = json!(m);
        }
        out
    }

    /// The three job steps: `validate-payment`, `external-processing`, `payment-completed`, the
    /// failing one (if any) chosen by the failure's code.
    pub(crate) fn steps(&self) -> Vec<super::jobs::Step> {
        let link = || StepPlan::Link(format!("/payments/{}/{}", self.direction.plural(), self.id));
        let fails_at = self.failure.map(|f| if f.code == TRANSACTION_LIMIT_REACHED.code { 1 } else { 0 });
        ["validate-payment", "external-processing", "payment-completed"]
            .into_iter()
            .enumerate()
            .map(|(i, title)| super::jobs::Step {
                title,
                plan: match (fails_at, self.failure) {
                    (Some(at), Some(f)) if at == i => StepPlan::Fail(f),
                    _ => link(),
                },
            })
            .collect()
    }
}

/// An amount in cents as a JSON number of dollars (`17345` → `173.45`).
pub(crate) fn cents_json(cents: i64) -> Value {
    json!(cents as f64 / 100.0)
}

/// The payment is larger than the sandbox processes in one go.
pub(crate) const TRANSACTION_LIMIT_REACHED: Failure = Failure {
    code: "transaction-limit-reached",
    title: "Transaction limit reached.",
    detail: "The amount is above the 50000.00 AUD the bank processes in one payment.",
};

/// The application's float account.
#[derive(Debug, Clone)]
pub(crate) struct FloatAccount {
    pub(crate) id: String,
    pub(crate) bsb: &'static str,
    pub(crate) number: &'static str,
}

/// The float account and the payments, oldest first, at most [`MAX_PAYMENTS`].
#[derive(Debug)]
pub(crate) struct Payments {
    pub(crate) float: FloatAccount,
    items: VecDeque<Payment>,
}

impl Payments {
    /// Fresh payments state for a seed (the float account's id derives from it).
    pub(crate) fn new(seed: u64) -> Self {
        let id = Mix::new(seed, &["float-account"]).uuid();
        Payments { float: FloatAccount { id, bsb: "802919", number: "1748212" }, items: VecDeque::new() }
    }

    /// Whether a partner request id was used already.
    pub(crate) fn has_request_id(&self, request_id: &str) -> bool {
        self.items.iter().any(|p| p.request_id == request_id)
    }

    /// Store a payment, forgetting the oldest (and its job) beyond the cap.
    pub(crate) fn add(&mut self, payment: Payment, jobs: &mut HashMap<String, Job>) {
        self.items.push_back(payment);
        while self.items.len() > MAX_PAYMENTS {
            if let Some(old) = self.items.pop_front() {
                jobs.remove(&old.id);
            }
        }
    }

    /// One payment of a direction.
    pub(crate) fn get(&self, direction: Direction, id: &str) -> Option<&Payment> {
        self.items.iter().find(|p| p.direction == direction && p.id == id)
    }

    /// The payments of a direction, newest first.
    pub(crate) fn list(&self, direction: Direction) -> impl Iterator<Item = &Payment> {
        self.items.iter().rev().filter(move |p| p.direction == direction)
    }

    /// The float's available balance in cents: the opening balance, less every payout that has
    /// not failed, plus every pay request collected into the float that completed.
    pub(crate) fn float_available(&self, jobs: &HashMap<String, Job>, now: Now<'_>) -> i64 {
        self.items.iter().fold(FLOAT_OPENING, |balance, p| {
            let status = p.state(jobs, now).status;
            match p.direction {
                Direction::Payout if status != "failed" => balance - p.amount,
                Direction::Payrequest if p.to_float && status == "successful" => balance + p.amount,
                _ => balance,
            }
        })
    }

    /// The float account resource at its current balance.
    pub(crate) fn float_json(&self, jobs: &HashMap<String, Job>, now: Now<'_>) -> Value {
        let f = &self.float;
        json!({
            "type": "floataccount",
            "id": f.id,
            "status": "active",
            "bankBranchCode": f.bsb,
            "accountNumber": f.number,
            "availableBalance": cents_json(self.float_available(jobs, now)),
            "links": { "self": format!("/payments/float-accounts/{}", f.id) },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(id: &str, direction: Direction, amount: i64, failure: Option<Failure>) -> Payment {
        Payment {
            id: id.to_owned(),
            request_id: format!("req-{id}"),
            direction,
            created: Instant::now(),
            method: "batch",
            requested_method: None,
            party: Party { user_id: "u".into(), ..Party::default() },
            description: "test".into(),
            amount,
            to_float: true,
            failure,
        }
    }

    fn add_with_job(store: &mut Payments, jobs: &mut HashMap<String, Job>, p: Payment) {
        let job = Job::payment(p.id.clone(), "u".into(), p.direction.job_kind(), p.created, p.steps());
        jobs.insert(p.id.clone(), job);
        store.add(p, jobs);
    }

    #[test]
    fn float_moves_with_payment_outcomes() {
        let mut store = Payments::new(1);
        let mut jobs = HashMap::new();
        let delay = Duration::from_millis(10);
        add_with_job(&mut store, &mut jobs, payment("a", Direction::Payout, 20_000, None));
        add_with_job(&mut store, &mut jobs, payment("b", Direction::Payrequest, 5_000, None));
        add_with_job(&mut store, &mut jobs, payment("c", Direction::Payout, 7_000, Some(TRANSACTION_LIMIT_REACHED)));
        let early = Now { at: Instant::now(), delay, base: "http://x" };
        assert_eq!(store.float_available(&jobs, early), FLOAT_OPENING - 20_000 - 7_000, "payouts hold funds at once");
        let late = Now { at: Instant::now() + Duration::from_secs(1), delay, base: "http://x" };
        assert_eq!(store.float_available(&jobs, late), FLOAT_OPENING - 20_000 + 5_000, "failed payout released");
        let c = store.get(Direction::Payout, "c").map(|p| p.state(&jobs, late));
        assert_eq!(c.map(|s| s.status), Some("failed"));
        assert_eq!(c.and_then(|s| s.reason).map(|r| r.code), Some("transaction-limit-reached"));
        let steps = jobs["c"].view(late.at, delay, "http://x").steps;
        let statuses: Vec<_> = steps.iter().map(|s| s.status.as_str()).collect();
        assert_eq!(statuses, ["success", "failed", "pending"]);
    }

    #[test]
    fn store_is_bounded_and_drops_old_jobs() {
        let mut store = Payments::new(1);
        let mut jobs = HashMap::new();
        for n in 0..MAX_PAYMENTS + 3 {
            add_with_job(&mut store, &mut jobs, payment(&format!("p{n}"), Direction::Payout, 1, None));
        }
        assert_eq!(store.list(Direction::Payout).count(), MAX_PAYMENTS);
        assert_eq!(jobs.len(), MAX_PAYMENTS);
        assert!(store.get(Direction::Payout, "p0").is_none() && !jobs.contains_key("p0"));
        assert!(store.has_request_id(&format!("req-p{}", MAX_PAYMENTS + 2)));
        assert!(!store.has_request_id("req-p0"));
    }
}
