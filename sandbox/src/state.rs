//! The sandbox's in-memory state and the operations that change it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use bytes::Bytes;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::clock::Clock;
use super::data::{self, Account, Profile, Txn};
use super::errors::{ApiError, ApiResult};
use super::faults::FaultTable;
use super::filter;
use super::history::PersonaData;
use super::ids;
use super::jobs::Job;
use super::retention::{self, Limits, Pruned, StoreSizes};

/// Fixed settings of a running sandbox.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) base_url: String,
    pub(crate) api_key: String,
    pub(crate) token_lifetime: Duration,
    pub(crate) step_delay: Duration,
    pub(crate) seed: u64,
    pub(crate) redirect_url: String,
    pub(crate) clock: Clock,
    /// Bounds on the growing stores.
    pub(crate) limits: Limits,
    /// A failed connection job redirects to the application at once instead of showing the
    /// consent journey's error screen (Basiq's "Skip error screen" setting).
    pub(crate) skip_error_screen: bool,
}

/// Everything the server and the `Sandbox` handle share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) cfg: Config,
    pub(crate) inner: RwLock<Inner>,
    pub(crate) faults: FaultTable,
    pub(crate) token_requests: AtomicUsize,
}

/// Token scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Server,
    Client,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) scope: Scope,
    pub(crate) user_id: Option<String>,
    pub(crate) expires: Instant,
    pub(crate) revoked: bool,
}

/// A consent record.
#[derive(Debug, Clone)]
pub(crate) struct Consent {
    pub(crate) id: String,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) expiry: i64,
    pub(crate) status: &'static str,
    pub(crate) revoked: Option<i64>,
    pub(crate) policy: String,
}

/// State of an auth link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkState {
    Active,
    Gone,
}

/// A hosted auth link.
#[derive(Debug, Clone)]
pub(crate) struct AuthLink {
    pub(crate) id: String,
    pub(crate) mobile: String,
    pub(crate) expires: i64,
    pub(crate) state: LinkState,
}

/// A connection of a user to an institution.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) id: String,
    pub(crate) institution: String,
    pub(crate) method: &'static str,
    pub(crate) login_id: String,
    pub(crate) password: String,
    pub(crate) created: i64,
    pub(crate) last_used: i64,
    /// Latest job for this connection.
    pub(crate) job_id: String,
    /// The latest job has not been folded into the stored state yet.
    pub(crate) pending: bool,
    pub(crate) status: &'static str,
    pub(crate) accounts_loaded: bool,
    pub(crate) txns_loaded: bool,
    pub(crate) data: Arc<PersonaData>,
    pub(crate) profile: Option<Profile>,
}

impl Connection {
    /// A new connection waiting for its first job (`job_id`); no login, no profile.
    pub(crate) fn pending(
        id: String,
        institution: String,
        method: &'static str,
        job_id: String,
        now: i64,
        data: PersonaData,
    ) -> Connection {
        Connection {
            id,
            institution,
            method,
            login_id: String::new(),
            password: String::new(),
            created: now,
            last_used: now,
            job_id,
            pending: true,
            status: "pending",
            accounts_loaded: false,
            txns_loaded: false,
            data: Arc::new(data),
            profile: None,
        }
    }
}

/// A user and everything hanging off it.
#[derive(Debug, Clone, Default)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) created: i64,
    pub(crate) email: Option<String>,
    pub(crate) mobile: Option<String>,
    pub(crate) first_name: Option<String>,
    pub(crate) middle_name: Option<String>,
    pub(crate) last_name: Option<String>,
    pub(crate) business_name: Option<String>,
    pub(crate) business_id_no: Option<String>,
    pub(crate) business_id_no_type: Option<String>,
    pub(crate) business_address: Option<Value>,
    pub(crate) verification_status: Option<bool>,
    pub(crate) verification_date: Option<String>,
    pub(crate) connections: Vec<Connection>,
    pub(crate) accounts: Vec<Account>,
    /// Visible transactions, newest first.
    pub(crate) txns: Vec<Txn>,
    pub(crate) consents: Vec<Consent>,
    pub(crate) auth_link: Option<AuthLink>,
    /// Cached body of the unfiltered `GET /users/{id}/accounts`; reset by [`User::touch_accounts`].
    pub(crate) accounts_body: OnceLock<Bytes>,
}

impl User {
    /// Forget cached renderings after the accounts changed.
    pub(crate) fn touch_accounts(&mut self) {
        self.accounts_body = OnceLock::new();
    }

    /// One of the user's connections, or 404.
    pub(crate) fn connection(&self, id: &str) -> ApiResult<&Connection> {
        self.connections.iter().find(|c| c.id == id).ok_or_else(|| {
            ApiError::not_found("Requested connection does not exist.").pointer("connections/connectionId")
        })
    }
}

/// A recorded event.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) id: String,
    pub(crate) created: i64,
    pub(crate) entity: &'static str,
    pub(crate) event_type: &'static str,
    pub(crate) user_id: String,
    pub(crate) data_ref: String,
    pub(crate) data: Value,
}

impl Event {
    /// `entity.type`, the event type id webhooks subscribe to.
    pub(crate) fn type_id(&self) -> String {
        format!("{}.{}", self.entity, self.event_type)
    }
}

/// A webhook subscription.
#[derive(Debug, Clone)]
pub(crate) struct Webhook {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) url: String,
    pub(crate) secret: String,
    pub(crate) events: Vec<String>,
}

impl Webhook {
    /// Whether the webhook subscribed to this event type.
    pub(crate) fn subscribes(&self, type_id: &str) -> bool {
        self.events.iter().any(|e| e == type_id)
    }
}

/// A webhook message (one per event per subscribed webhook).
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) id: String,
    pub(crate) webhook_id: String,
    pub(crate) event_type_id: String,
    pub(crate) event_id: String,
    pub(crate) entity_url: String,
    pub(crate) created: i64,
}

/// A generated report.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) report_type: String,
    pub(crate) created: i64,
    pub(crate) expires: i64,
    pub(crate) ready_at: Instant,
    pub(crate) filters: Value,
    pub(crate) users: Vec<String>,
    pub(crate) accounts: Vec<String>,
    pub(crate) from: i64,
    pub(crate) to: i64,
    pub(crate) data: Value,
}

/// Kind of an insight snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SnapshotKind {
    Affordability,
    Expenses,
    Income,
}

/// A stored affordability/expenses/income snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) kind: SnapshotKind,
    pub(crate) body: Value,
    pub(crate) accounts: Vec<String>,
    pub(crate) from: i64,
    pub(crate) to: i64,
}

/// Mutable state behind the lock.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) rng: StdRng,
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) users: HashMap<String, User>,
    pub(crate) jobs: HashMap<String, Job>,
    pub(crate) events: Vec<Event>,
    pub(crate) webhooks: Vec<Webhook>,
    pub(crate) messages: Vec<Message>,
    pub(crate) reports: Vec<Report>,
    pub(crate) snapshots: Vec<Snapshot>,
    /// CDR insights asked for (bounded).
    pub(crate) cdr_insights: super::cdr_insights::InsightStore,
    /// Float account, pay requests and payouts (bounded).
    pub(crate) payments: super::payments::Payments,
    /// What the store bounds removed so far.
    pub(crate) pruned: Pruned,
}

impl Inner {
    /// Fresh state for a seed.
    pub(crate) fn new(seed: u64) -> Self {
        Inner {
            rng: StdRng::seed_from_u64(seed),
            tokens: HashMap::new(),
            users: HashMap::new(),
            jobs: HashMap::new(),
            events: Vec::new(),
            webhooks: Vec::new(),
            messages: Vec::new(),
            reports: Vec::new(),
            snapshots: Vec::new(),
            cdr_insights: super::cdr_insights::InsightStore::default(),
            payments: super::payments::Payments::new(seed),
            pruned: Pruned::default(),
        }
    }

    /// Apply every store bound (cheap when none is crossed): events older than the retention
    /// period go, then each full store is cut back, oldest first. Tokens go by expiry (expired
    /// ones first); a connection's latest job is never dropped (its status and refresh rules read it).
    pub(crate) fn prune(&mut self, cfg: &Config) {
        let limits = cfg.limits;
        let cutoff = limits.event_cutoff(cfg.clock.now_wall());
        let expired = self.events.iter().take_while(|e| e.created < cutoff).count();
        let drop = retention::front_cut(self.events.len(), expired, limits.max_events);
        if drop > 0 {
            self.events.drain(..drop);
            self.pruned.events += drop;
        }
        retention::cap_front(&mut self.messages, limits.max_entries);
        retention::cap_front(&mut self.reports, limits.max_documents);
        retention::cap_front(&mut self.snapshots, limits.max_documents);
        if self.tokens.len() >= limits.max_entries.max(1) {
            let now = cfg.clock.now();
            self.tokens.retain(|_, t| t.expires > now);
            retention::cap_map(&mut self.tokens, limits.max_entries, |t| t.expires, |_, _| false);
        }
        if self.jobs.len() >= limits.max_entries.max(1) {
            let current: HashSet<&str> =
                self.users.values().flat_map(|u| u.connections.iter().map(|c| c.job_id.as_str())).collect();
            retention::cap_map(
                &mut self.jobs,
                limits.max_entries,
                |j| j.created,
                |id, _| current.contains(id.as_str()),
            );
        }
    }

    /// How many entries each growing store holds.
    pub(crate) fn store_sizes(&self) -> StoreSizes {
        StoreSizes {
            users: self.users.len(),
            events: self.events.len(),
            messages: self.messages.len(),
            jobs: self.jobs.len(),
            reports: self.reports.len(),
            snapshots: self.snapshots.len(),
            tokens: self.tokens.len(),
        }
    }

    /// A new UUID-shaped id from the seeded generator.
    pub(crate) fn new_id(&mut self) -> String {
        ids::random_uuid(&mut self.rng)
    }

    /// A user or 404.
    pub(crate) fn user(&self, id: &str) -> ApiResult<&User> {
        self.users.get(id).ok_or_else(ApiError::user_not_found)
    }

    /// A user (mutable) or 404.
    pub(crate) fn user_mut(&mut self, id: &str) -> ApiResult<&mut User> {
        self.users.get_mut(id).ok_or_else(ApiError::user_not_found)
    }

    /// Record an event and queue a message for every subscribed webhook.
    pub(crate) fn record_event(
        &mut self,
        cfg: &Config,
        entity: &'static str,
        event_type: &'static str,
        user_id: &str,
        data_ref: String,
        data: Value,
    ) {
        let id = ids::hex64(&mut self.rng);
        let created = cfg.clock.now_wall();
        let event = Event { id, created, entity, event_type, user_id: user_id.to_owned(), data_ref, data };
        self.queue_messages(&event.type_id(), &event.id, &event.data_ref, created);
        self.events.push(event);
    }

    /// Record a message for every webhook subscribed to `type_id` (the sandbox never sends them).
    pub(crate) fn queue_messages(&mut self, type_id: &str, event_id: &str, entity_url: &str, created: i64) {
        let targets: Vec<String> =
            self.webhooks.iter().filter(|w| w.subscribes(type_id)).map(|w| w.id.clone()).collect();
        for webhook_id in targets {
            let id = self.new_id();
            self.messages.push(Message {
                id,
                webhook_id,
                event_type_id: type_id.to_owned(),
                event_id: event_id.to_owned(),
                entity_url: entity_url.to_owned(),
                created,
            });
        }
    }

    /// Store a job; returns its id.
    pub(crate) fn add_job(&mut self, job: Job) -> String {
        let id = job.id.clone();
        self.jobs.insert(id.clone(), job);
        id
    }

    /// Whether a user has connection jobs not yet folded into its stored data.
    pub(crate) fn needs_settle(&self, user_id: &str) -> bool {
        self.users.get(user_id).is_some_and(|u| u.connections.iter().any(|c| c.pending))
    }

    /// Fold finished job steps into the user's visible data (accounts, transactions, statuses).
    pub(crate) fn settle_user(&mut self, cfg: &Config, user_id: &str) {
        let now = cfg.clock.now();
        let base = cfg.base_url.as_str();
        let Some(user) = self.users.get_mut(user_id) else {
            return;
        };
        let mut events: Vec<(&'static str, &'static str, String, Value)> = Vec::new();
        let mut resort = false;
        for conn in user.connections.iter_mut().filter(|c| c.pending) {
            let Some(job) = self.jobs.get(&conn.job_id) else {
                conn.pending = false;
                continue;
            };
            let view = job.view(now, cfg.step_delay, base);
            let conn_url = format!("{base}/users/{user_id}/connections/{}", conn.id);
            if view.step_succeeded("retrieve-accounts") && !conn.accounts_loaded {
                conn.accounts_loaded = true;
                user.accounts_body = OnceLock::new();
                let stamp = cfg.clock.wall(view.updated);
                for acc in &conn.data.accounts {
                    let mut acc = acc.clone();
                    acc.last_updated = stamp;
                    match user.accounts.iter_mut().find(|a| a.id == acc.id) {
                        Some(slot) => *slot = acc,
                        None => user.accounts.push(acc),
                    }
                }
            }
            if view.step_succeeded("retrieve-transactions") && !conn.txns_loaded {
                conn.txns_loaded = true;
                let cid = conn.id.as_str();
                user.txns.retain(|t| &*t.connection != cid);
                user.txns.extend(conn.data.txns.iter().cloned());
                resort = true;
                events.push((
                    "transactions",
                    "updated",
                    filter::eq_link(&format!("{base}/users/{user_id}/transactions"), "connection.id", cid),
                    json!({
                        "type": "transactions",
                        "count": conn.data.txns.len(),
                        "connection": { "type": "connection", "id": cid, "links": { "self": conn_url.clone() } },
                        "links": { "self": format!("{base}/users/{user_id}/transactions") },
                    }),
                ));
            }
            if view.finished() {
                conn.pending = false;
                conn.last_used = cfg.clock.wall(view.updated);
                conn.status = if view.failed { "invalid" } else { "active" };
                let kind = if view.failed { "invalidated" } else { "activated" };
                events.push((
                    "connection",
                    kind,
                    conn_url.clone(),
                    json!({ "type": "connection", "id": conn.id, "status": conn.status }),
                ));
            }
        }
        if resort {
            data::sort_newest_first(&mut user.txns);
        }
        for (entity, kind, data_ref, data) in events {
            self.record_event(cfg, entity, kind, user_id, data_ref, data);
        }
    }

    /// Settle every user with unfinished connection jobs.
    pub(crate) fn settle_all(&mut self, cfg: &Config) {
        let ids: Vec<String> =
            self.users.values().filter(|u| u.connections.iter().any(|c| c.pending)).map(|u| u.id.clone()).collect();
        for id in ids {
            self.settle_user(cfg, &id);
        }
    }
}

impl Shared {
    /// New shared state.
    pub(crate) fn new(cfg: Config) -> Self {
        let seed = cfg.seed;
        Shared {
            cfg,
            inner: RwLock::new(Inner::new(seed)),
            faults: FaultTable::default(),
            token_requests: AtomicUsize::new(0),
        }
    }

    /// Read access (a poisoned lock is recovered).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Write access (a poisoned lock is recovered); applies the store bounds first.
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        let mut guard = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        guard.prune(&self.cfg);
        guard
    }

    /// Read access after folding finished job steps into the user's data.
    pub(crate) fn settled(&self, user_id: &str) -> RwLockReadGuard<'_, Inner> {
        {
            let guard = self.read();
            if !guard.needs_settle(user_id) {
                return guard;
            }
        }
        self.write().settle_user(&self.cfg, user_id);
        self.read()
    }

    /// Write access after folding finished job steps into the user's data.
    pub(crate) fn settled_mut(&self, user_id: &str) -> RwLockWriteGuard<'_, Inner> {
        let mut guard = self.write();
        guard.settle_user(&self.cfg, user_id);
        guard
    }
}

/// Remove the items matching `gone`; whether any was removed.
pub(crate) fn remove_where<T>(items: &mut Vec<T>, mut gone: impl FnMut(&T) -> bool) -> bool {
    let before = items.len();
    items.retain(|item| !gone(item));
    items.len() != before
}
