//! An offline imitation of the Basiq API v3 (the "embedded sandbox"), for tests, demos and
//! benchmarks.
//!
//! [`Sandbox::start`] binds `127.0.0.1` on a free port and answers all 78 operations of our
//! OpenAPI description (Basiq's 56 v3 operations and the 22 of CDR Insights, Payees, Analytics
//! and Payments) from in-memory state, with Basiq's error envelope
//! (`{"type":"list","correlationId",…,"data":[{"type":"error","code","title","detail","source"}]}`),
//! token rules and asynchronous jobs. Point the client at [`Sandbox::base_url`] and use
//! [`Sandbox::api_key`] as the API key. Dropping the [`Sandbox`] stops the server.
//!
//! ```no_run
//! # async fn demo() -> Result<(), basiq_sandbox::SandboxError> {
//! use basiq_sandbox::Sandbox;
//! let sandbox = Sandbox::start().await?;
//! let user = sandbox.create_user("gavin@hooli.com");
//! let outcome = sandbox.complete_consent(&user, "AU00000", "gavinBelson", "hooli2016")?;
//! // poll GET {base}/jobs/{outcome.job_id} until every step succeeded, then read the data.
//! # Ok(()) }
//! ```
//!
//! # Tokens
//! `POST /token` needs `Authorization: Basic <api_key>` verbatim (missing → 400
//! `parameter-not-valid`, source `Authorization`; another key → 404 `parameter-not-valid`
//! "Unable to authenticate. Please, check your API key"), `basiq-version: 3.0` (missing or another
//! version → 400) and a form body with `scope=SERVER_ACCESS`, or `scope=CLIENT_ACCESS` plus the
//! `userId` of an existing user (else 400). Tokens are opaque random strings; they expire after
//! `token_lifetime` (403 `access-denied` "Token has expired", as do revoked tokens); a missing or
//! unknown bearer gets 401 `invalid-authorization-token`. A CLIENT_ACCESS token only opens
//! `GET /jobs/{id}` and `POST /jobs/{id}/mfa` for its own user's jobs, and the consent page;
//! anywhere else it gets 403 `forbidden-access` "Access to this resource is forbidden".
//!
//! # Connecting: the consent page and the personas
//! Connections are created only through the consent journey ([`Sandbox::consent_url_base`]:
//! `GET /consent/home?token=<CLIENT_ACCESS token>&state=..&institutionId=..&connectionId=..&action=..`),
//! plain HTML pages that work without JavaScript: consent (data, purpose, duration) → institution
//! search → login → multi-factor answer when asked → progress → 303 to the redirect URL with
//! `jobIds=<job id>&state=<state>` (the state percent-encoded again, so it decodes to exactly what
//! was received). A refused login shows the bank's message on the login page; another failure
//! shows an error screen, or redirects at once with [`SandboxBuilder::skip_error_screen`]; cancel
//! redirects with `state` and `error=cancelled`. `action=connect` skips the consent screen under
//! an active consent; `manage` lists the consent and connections (delete, revoke); `extend` and
//! `update` need an active consent (else an error page) and move its expiry a year on;
//! `reauthorise` says it is not modelled (no open-banking connections); `connectionId` updates an
//! existing connection's password. An invalid or expired token gets a 401 page. The one-form
//! shortcut `POST /consent/home` (token, `institutionId`, `loginId`, `password`) and
//! [`Sandbox::complete_consent`] start the job directly. The first connection of a user creates an
//! `active` consent. `GET /.well-known/basiq-sandbox` names the consent page and redirect URL for
//! clients. An auth link's public URL (`{base}/connect/{id}`) is single use and leads to the
//! consent journey.
//!
//! Institutions: `AU00000` Hooli (no MFA; refuses statement uploads), `AU00002` Pied Piper Bank
//! (MFA on every job), `AU00003` Nucleus Bank (MFA on half the jobs, drawn from the seeded
//! generator), `AU00004` HooliGov Bank (no MFA). Every institution accepts every login.
//!
//! Happy-path logins (`loginId` / `password`). Each yields a connection with a profile and 2–4
//! accounts with about a year of history, generated deterministically from
//! `(seed, institution, login)`: the same seed always gives the same connection, account and
//! transaction ids, account numbers, descriptions and amounts. Dates count back from the UTC day
//! the sandbox started; two pending transactions are dated that day.
//!
//! | login / password | accounts | story |
//! |---|---|---|
//! | `gavinBelson` / `hooli2016` | transaction, credit-card, loan | salary rises half-way; weekly tutoring income |
//! | `Whistler` / `ShowBox` | transaction, savings | fortnightly salary, Afterpay/Zip, rent, one big transfer to Jared, no daily spending |
//! | `Gilfoyle` / `PiedPiper` | transaction, credit-card | salary stops, Centrelink after; growing Afterpay; card late fees |
//! | `Wentworth-Smith` / `whislter` | joint transaction, credit-card, mortgage, loan | monthly + fortnightly salaries, mortgage and car loan |
//! | `jared` / `django` | transaction, mortgage, loan, term-deposit | weekly Uber income, transfers from Whistler |
//! | `richard` / `tabsnotspaces` | transaction, mortgage, loan, credit-card | high salary, two rentals, many loan and card repayments |
//! | `laurieBream` / `business2024` | business transaction, business savings | invoices, payroll, BAS; business identity |
//! | `ashMann` / `hooli2024` | transaction, savings | monthly salary + rent received; gambling, cash, crypto |
//!
//! Unhappy paths. Which step fails is a sandbox choice (Basiq documents only the codes):
//! - a wrong password or an unknown login: `verify-credentials` fails with `invalid-credentials`;
//!   no connection is created ([`ConsentOutcome::connection_id`] is `None`);
//! - `bighead` / `password`: `verify-credentials` fails, `invalid-credentials`, "Account is locked"
//!   (no connection either);
//! - `erlich` / `aviato`: `verify-credentials` succeeds, `retrieve-accounts` fails with
//!   `account-not-accessible-requires-user-action`; the connection turns `invalid`, no data;
//! - `jianYang` / `nothotdog`: `retrieve-transactions` fails with `service-unavailable`;
//!   the accounts are visible, the transactions are not.
//!
//! Connecting a login the user already has at that institution refreshes that connection.
//!
//! # Jobs and MFA
//! Connection jobs run `verify-credentials` → (`mfa-challenge`) → `retrieve-accounts` →
//! `retrieve-transactions`. Each step is `in-progress` for `job_step_delay` after the previous one
//! finished (computed lazily from `tokio::time::Instant` timestamps), then `success` with a
//! `{"type":"link","url":…}` result, or `failed` with `{code,title,detail}` while the later steps
//! stay `pending` with a `null` result. Accounts and transactions become visible when their step
//! succeeded; the connection is `pending`, then `active` or `invalid`.
//!
//! The `mfa-challenge` step stays `in-progress` with result
//! `{type:"mfa", method, description, input:[prompts], expiryMs:120000, links.response}` until
//! `POST /jobs/{id}/mfa {"mfa-response":[..]}` answers it (SERVER_ACCESS or the user's
//! CLIENT_ACCESS token). Expected answers: `jared`, `richard` and every login without a documented
//! method get an OTP prompt `["OTP Password"]` answered `["1234"]`; `gavinBelson` and `Gilfoyle`
//! get "What's your first company?" answered `["Hooli"]`; `Whistler` and `Wentworth-Smith` get two
//! questions answered `["Basiq", "AU00000"]` (answers compare case-insensitively). A right answer →
//! 202 `{type:"job",id,links.self}` and the job continues; a wrong answer → 400
//! `invalid-credentials` and the step (so the job) fails; no answer within 120 s → the step fails
//! with `job-timed-out`; answering a job that is not waiting → 400.
//!
//! Refreshing a connection whose job still runs answers 200 with that job; otherwise 202 with a
//! new job that repeats the same steps (and MFA). Report jobs have one `create-report` step.
//! Statement uploads (`POST /users/{u}/statements`, multipart `institutionId` + `statement`) create
//! a `pdf` or `csv` connection with one account: CSV rows `date,description,amount` are read,
//! other files yield 40 generated transactions; an empty file fails `verify-credentials` with
//! `empty-file`; AU00000 answers 400 `institution-not-supported`.
//!
//! # Data endpoints
//! Transactions are listed newest first (by post date, pending first), `limit` 1–500 (default
//! 500; more → 400 "Maximum limit allowed is 500", source `limit`), with `links.next` =
//! `{base}/users/{u}/transactions?next=<cursor>` while more remain; the opaque cursor carries the
//! position, limit and filter (a tampered cursor → 400, source `next`). Paging only touches the
//! requested page of the user's pre-sorted history. Basiq's filter grammar
//! (`field.op('v')`, comma = AND, ops `eq ne gt gteq lt lteq bt in`) works on accounts,
//! transactions, connections, user jobs, connectors, events, webhook messages and report
//! transactions; a malformed or unsupported filter → 400 `parameter-not-valid`, source `filter`.
//! Every other list pages the same way (`limit`, `links.next`; events by a cursor that new and
//! aged-out events never shift).
//!
//! Input is read as strictly as Basiq reads it: an optional body field is absent or of its type;
//! `null`, `""` or another type is a 400 `parameter-not-valid` with a `source.pointer`, nested
//! fields included (`businessAddress/postcode`). Connection, account and transaction ids are
//! unique to the user who connected (two users of one persona share none).
//!
//! A long-running sandbox levels off: events age out after seven days and every growing store is
//! capped, oldest first (see [`SandboxBuilder::max_entries`] and [`Sandbox::store_sizes`]).
//!
//! Deleting a connection keeps its accounts and transactions (as Basiq documents); purging removes
//! them until the next refresh; deleting a consent revokes it and removes every connection, account
//! and transaction; deleting a user removes it with its jobs and snapshots. Affordability, expenses
//! and income snapshots are computed from the user's posted transactions (204 when the user has
//! none). Identities come from connection profiles. `GET /enrich` guesses the merchant from a small
//! table (unknown text → `matchType: "none"`). Events are recorded for users, connections,
//! consents and transaction retrievals; webhook messages are recorded for matching subscriptions
//! but never delivered (the sandbox makes no outgoing calls).
//!
//! # CDR Insights, Payees, Analytics, Payments
//! Each path also answers with a trailing slash; all take SERVER_ACCESS tokens only.
//!
//! Insights need a user with an active consent (else 404). Account checks give one result per
//! account (the number matches the account number with or without its BSB, so a number the user
//! does not hold matches nowhere); balance checks compare each account's current balance with
//! `min..=max` (a missing `max` is echoed as `""`, names stay `accountNumber` as in Basiq's
//! examples); identity checks compare name, phone, email and address with the user record and
//! the connection profiles; income is the average monthly income of the last twelve months
//! (direct credits and interest into deposit accounts, transfers into everyday accounts); the
//! expense ratio is `expense ÷ income` in ten-point bands, `Income Exceeded` above 100 % (the
//! users' incomes add up; no posted transactions → 400 `invalid-content`). Every check is stored
//! (the newest 2,000 insights are kept), listed 20 a page with `links.next`, filtered by
//! `created` and `insightType` (a bad filter → 400 `invalid-content` "Invalid filter param: …").
//!
//! Payees are derived from the user's debits on everyday and savings accounts: transfers to
//! others become `domestic` payees, household bills and external loan repayments `biller`s;
//! transfers between the user's own accounts and card spending are no payees. Analytics count
//! the sandbox's users (live ones, and deletions from the `user.deleted` events) and connections
//! (by method and current status) in daily, weekly, monthly, quarterly or yearly buckets (at most
//! 1,000).
//!
//! Payments: one float account (BSB `802919`, account `1748212`, 10,000.00 AUD to start). A
//! submit (at most 100 entries) is checked whole and answers 201 `{"jobs":[{type,id,requestId,
//! links}]}`, or one 400 listing every wrong entry (`id` = its `requestId`, `source.pointer` such
//! as `/payouts[1]/amount`): bad amount, BSB, account number or method, unknown user, a reused
//! `requestId` (`resource-already-exists`), a payout beyond the float's available balance,
//! more than 100 entries (`maximum-count-exceeded`), an unreadable body (`invalid-content`). Each
//! payment's job (same id) runs `validate-payment` → `external-processing` → `payment-completed`,
//! one `job_step_delay` each. `validate-payment` fails with `invalid-user-name` (first or last
//! name under two letters), `invalid-user-email`, `missing-payer-account-details` /
//! `missing-payee-account-details` (no bank details and no connected transaction account) or,
//! with `checkAccountBalance`, `check-balance-insufficient-funds`; `external-processing` fails
//! with `transaction-limit-reached` above 50,000.00. The payment's `status` follows its job
//! (`in-progress`, `successful`, `failed` with `reason`). Payouts hold their amount on the float
//! unless they fail; completed pay requests add theirs unless `collectFundsToFloat` is false. The
//! newest 10,000 payments (and their jobs) are kept.
//!
//! # Faults
//! A [`Fault`] makes the next `times` requests to an operation (our camelCase operationId such as
//! `"getAccounts"` or `"postToken"`, or `"*"`) answer 429 `too-many-requests` with an optional
//! `Retry-After`, answer 503 `service-unavailable`, wait, revoke the caller's bearer token first,
//! or close the TCP connection without any response (the client sees a transport error). Arm them
//! on the builder or at runtime with [`Sandbox::inject`].

// Foundations: no sandbox types.
mod clock;
mod dates;
mod encoding;
mod form;
mod ids;
mod money;
mod retention;
mod seeded;

// The domain: bank data, personas, filters, errors, jobs and the state behind the lock.
mod analysis;
mod cdr_insights;
mod connect;
mod data;
mod errors;
mod faults;
mod filter;
mod history;
mod insight_checks;
mod institutions;
mod jobs;
mod payees;
mod payment_input;
mod payments;
mod personas;
mod state;

// The HTTP surface: shared HTTP helpers, strict reading of JSON input, tokens, the consent pages,
// the API routes and the accept loop.
mod auth;
mod builder;
mod consent;
mod consent_ui;
mod http;
mod routes;
mod server;
mod validate;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use builder::SandboxBuilder;
pub use faults::{Fault, FaultKind};
pub use retention::StoreSizes;

use errors::ApiError;
use state::{Scope, Shared};

/// Errors from starting or driving the sandbox.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listening socket could not be opened.
    #[error("sandbox could not bind 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0 = any).
        port: u16,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// No user has this id.
    #[error("unknown sandbox user {0}")]
    UnknownUser(String),
    /// No institution has this id.
    #[error("unknown sandbox institution {0}")]
    UnknownInstitution(String),
    /// The user has no account with this id.
    #[error("unknown sandbox account {0}")]
    UnknownAccount(String),
    /// The sandbox refused the request, with Basiq's error code and detail.
    #[error("sandbox refused the request ({status} {code}): {detail}")]
    Rejected {
        /// HTTP status the API would have answered.
        status: u16,
        /// Basiq error code.
        code: String,
        /// Human-readable detail.
        detail: String,
    },
}

impl From<ApiError> for SandboxError {
    fn from(e: ApiError) -> Self {
        SandboxError::Rejected { status: e.status.as_u16(), code: e.code.to_owned(), detail: e.detail }
    }
}

/// What [`Sandbox::complete_consent`] started.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentOutcome {
    /// The connection job to poll with `GET /jobs/{id}`.
    pub job_id: String,
    /// The connection, unless the credentials were refused outright.
    pub connection_id: Option<String>,
}

/// A running sandbox server; dropping it stops the server.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.shared.cfg.base_url)
            .field("seed", &self.shared.cfg.seed)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Sandbox {
    /// Start a sandbox with default settings.
    pub async fn start() -> Result<Sandbox, SandboxError> {
        SandboxBuilder::default().start().await
    }

    /// A builder for non-default settings.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Base URL of the API, like `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.shared.cfg.base_url.clone()
    }

    /// The socket address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API key `/token` accepts (`Authorization: Basic <key>`).
    pub fn api_key(&self) -> &str {
        &self.shared.cfg.api_key
    }

    /// The consent page, like `{base}/consent/home` (append `?token=<CLIENT_ACCESS token>`).
    pub fn consent_url_base(&self) -> String {
        format!("{}/consent/home", self.shared.cfg.base_url)
    }

    /// Where the consent page redirects after submitting.
    pub fn redirect_url(&self) -> &str {
        &self.shared.cfg.redirect_url
    }

    /// The seed in use.
    pub fn seed(&self) -> u64 {
        self.shared.cfg.seed
    }

    /// Arm a fault at runtime.
    pub fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    /// Disarm every fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// How many `POST /token` requests were received (valid or not).
    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// Revoke every token issued so far (later calls with them get 403 "Token has expired").
    pub fn revoke_all_tokens(&self) {
        for t in self.shared.write().tokens.values_mut() {
            t.revoked = true;
        }
    }

    /// How many entries each growing store holds (to check that a long-running sandbox levels off).
    pub fn store_sizes(&self) -> StoreSizes {
        self.shared.read().store_sizes()
    }

    /// Issue a SERVER_ACCESS token directly (not counted by [`Sandbox::token_requests`]).
    pub fn server_token(&self) -> String {
        auth::issue(&self.shared, Scope::Server, None)
    }

    /// Issue a CLIENT_ACCESS token bound to a user (not counted by [`Sandbox::token_requests`]).
    pub fn client_token(&self, user_id: &str) -> Result<String, SandboxError> {
        if !self.shared.read().users.contains_key(user_id) {
            return Err(SandboxError::UnknownUser(user_id.to_owned()));
        }
        Ok(auth::issue(&self.shared, Scope::Client, Some(user_id.to_owned())))
    }

    /// Create a user directly (as `POST /users` with this email would) and return its id.
    pub fn create_user(&self, email: &str) -> String {
        let user = state::User { email: Some(email.to_owned()), ..state::User::default() };
        routes::add_user(&mut self.shared.write(), &self.shared.cfg, user).0
    }

    /// Do what submitting the consent page does: start the connection job for these credentials.
    pub fn complete_consent(
        &self,
        user_id: &str,
        institution_id: &str,
        login_id: &str,
        password: &str,
    ) -> Result<ConsentOutcome, SandboxError> {
        let mut inner = self.shared.write();
        if !inner.users.contains_key(user_id) {
            return Err(SandboxError::UnknownUser(user_id.to_owned()));
        }
        if institutions::institution(institution_id).is_none() {
            return Err(SandboxError::UnknownInstitution(institution_id.to_owned()));
        }
        let (job_id, connection_id) = inner.connect(&self.shared.cfg, user_id, institution_id, login_id, password)?;
        Ok(ConsentOutcome { job_id, connection_id })
    }

    /// Replace one account's transactions with `count` generated ones (for benchmarks), spread
    /// over at least a year, visible at once. Without `account_id` the user's first account is
    /// used, or a benchmark connection and account are created. Returns the account id.
    pub fn set_transaction_history(
        &self,
        user_id: &str,
        account_id: Option<&str>,
        count: usize,
    ) -> Result<String, SandboxError> {
        let cfg = &self.shared.cfg;
        let mut inner = self.shared.write();
        inner.settle_user(cfg, user_id);
        let conn_id = inner.new_id();
        let user = inner.users.get_mut(user_id).ok_or_else(|| SandboxError::UnknownUser(user_id.to_owned()))?;
        let anchor = cfg.clock.anchor_day();
        let now = cfg.clock.now_wall();
        let account = match account_id {
            Some(id) => user
                .accounts
                .iter()
                .find(|a| a.id == id)
                .cloned()
                .ok_or_else(|| SandboxError::UnknownAccount(id.to_owned()))?,
            None => match user.accounts.first() {
                Some(a) => a.clone(),
                None => {
                    let acc = history::bench_account(cfg.seed, user_id, &conn_id, "AU00000", anchor, now);
                    let empty = history::PersonaData::default();
                    // Settled at once: no job, everything visible.
                    user.connections.push(state::Connection {
                        pending: false,
                        status: "active",
                        accounts_loaded: true,
                        txns_loaded: true,
                        ..state::Connection::pending(conn_id, "AU00000".to_owned(), "web", String::new(), now, empty)
                    });
                    user.accounts.push(acc.clone());
                    acc
                }
            },
        };
        user.touch_accounts();
        let history = history::bench_history(cfg.seed, user_id, &account, count, anchor);
        user.txns.retain(|t| *t.account != *account.id);
        user.txns.extend(history);
        data::sort_newest_first(&mut user.txns);
        if let Some(acc) = user.accounts.iter_mut().find(|a| a.id == account.id) {
            let mut txns = std::mem::take(&mut user.txns);
            data::apply_running_balances(std::slice::from_mut(acc), &mut txns);
            user.txns = txns;
        }
        Ok(account.id)
    }

    /// Stop the server and wait for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
