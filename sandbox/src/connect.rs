//! Connecting a login at an institution, as the consent page does: the user's consent, the
//! connection with its generated data, and the connection job (with MFA when the institution asks);
//! refreshing a connection starts a new job with the same steps.

use rand::Rng;
use serde_json::json;
use tokio::time::Instant;

use crate::dates::DAY;
use crate::errors::{ApiError, ApiResult};
use crate::history::{self, PersonaData};
use crate::institutions::{self, Institution, MfaPolicy};
use crate::jobs::{self, Job};
use crate::personas::{self, Outcome};
use crate::state::{Config, Connection, Consent, Inner};

impl Inner {
    /// Whether MFA is asked for this job at this institution (AU00003 flips the seeded coin).
    fn wants_mfa(&mut self, institution: &Institution) -> bool {
        match institution.mfa {
            MfaPolicy::Never => false,
            MfaPolicy::Always => true,
            MfaPolicy::Sometimes => self.rng.random_bool(0.5),
        }
    }

    /// A new (not yet stored) job connecting `login` at `inst` for the connection `conn_id`, with an
    /// MFA step when the institution asks for one.
    fn connection_job(
        &mut self,
        user_id: &str,
        conn_id: &str,
        inst: &Institution,
        login: &str,
        outcome: Outcome,
        created: Instant,
    ) -> Job {
        let mfa = self.wants_mfa(inst).then(|| personas::mfa_for(login));
        let job_id = self.new_id();
        let steps = jobs::connection_steps(user_id, conn_id, inst.id, outcome, mfa);
        Job::connection(job_id, user_id.to_owned(), created, steps, Some(conn_id.to_owned()), inst.id.to_owned())
    }

    /// Create (or, for a known login, refresh) a connection as the consent flow does.
    pub(crate) fn connect(
        &mut self,
        cfg: &Config,
        user_id: &str,
        institution_id: &str,
        login: &str,
        password: &str,
    ) -> ApiResult<(String, Option<String>)> {
        self.user(user_id)?;
        let inst = institutions::institution(institution_id).ok_or_else(|| {
            ApiError::not_found(format!("Institution {institution_id} does not exist.")).param("institutionId")
        })?;
        self.ensure_consent(cfg, user_id);
        let (persona, outcome) = personas::outcome_for(login, password);
        let conn_id = history::connection_id(cfg.seed, user_id, inst.id, login);
        let existing = self.user(user_id)?.connections.iter().any(|c| c.id == conn_id);
        if existing {
            if let Some(c) = self.user_mut(user_id)?.connections.iter_mut().find(|c| c.id == conn_id) {
                c.password = password.to_owned();
            }
            let (job_id, _) = self.refresh(cfg, user_id, &conn_id)?;
            return Ok((job_id, Some(conn_id)));
        }
        let mut job = self.connection_job(user_id, &conn_id, inst, login, outcome, cfg.clock.now());
        if matches!(outcome, Outcome::FailVerify(_)) {
            // Refused credentials create no connection for the job to point at.
            job.connection_id = None;
            return Ok((self.add_job(job), None));
        }
        let job_id = self.add_job(job);
        let now = cfg.clock.now_wall();
        let data = match persona {
            Some(p) => history::generate(cfg.seed, inst.id, &conn_id, p, cfg.clock.anchor_day(), now),
            None => PersonaData::default(),
        };
        let conn = Connection {
            login_id: login.to_owned(),
            password: password.to_owned(),
            profile: persona.map(|p| p.profile),
            ..Connection::pending(conn_id.clone(), inst.id.to_owned(), "web", job_id.clone(), now, data)
        };
        let base = &cfg.base_url;
        let summary = json!({
            "type": "connection",
            "id": conn_id,
            "status": "pending",
            "method": "web",
            "institution": institutions::institution_ref(inst.id, base),
        });
        self.user_mut(user_id)?.connections.push(conn);
        self.record_event(
            cfg,
            "connection",
            "created",
            user_id,
            format!("{base}/users/{user_id}/connections/{conn_id}"),
            summary,
        );
        Ok((job_id, Some(conn_id)))
    }

    /// Create an active consent for the user if it has none.
    fn ensure_consent(&mut self, cfg: &Config, user_id: &str) {
        let has = self.users.get(user_id).is_some_and(|u| u.consents.iter().any(|c| c.status == "active"));
        if has {
            return;
        }
        let id = self.new_id();
        let policy = self.new_id();
        let now = cfg.clock.now_wall();
        if let Some(u) = self.users.get_mut(user_id) {
            u.consents.push(Consent {
                id: id.clone(),
                created: now,
                updated: now,
                expiry: now + 365 * DAY,
                status: "active",
                revoked: None,
                policy,
            });
        }
        let base = &cfg.base_url;
        self.record_event(
            cfg,
            "consent",
            "created",
            user_id,
            format!("{base}/users/{user_id}/consents/{id}"),
            json!({ "type": "consent", "id": id, "status": "active" }),
        );
    }

    /// Start a refresh job for a connection; returns the job id and whether it is new.
    pub(crate) fn refresh(&mut self, cfg: &Config, user_id: &str, conn_id: &str) -> ApiResult<(String, bool)> {
        let now = cfg.clock.now();
        let conn = self.user(user_id)?.connection(conn_id)?;
        if let Some(job) = self.jobs.get(&conn.job_id)
            && !job.view(now, cfg.step_delay, &cfg.base_url).finished()
        {
            return Ok((job.id.clone(), false));
        }
        if conn.method != "web" {
            return Err(ApiError::invalid_param(
                "connectionId",
                "Connections created from uploaded statements cannot be refreshed.",
            ));
        }
        let login = conn.login_id.clone();
        let inst = institutions::institution(&conn.institution)
            .ok_or_else(|| ApiError::not_found("Institution does not exist."))?;
        let (_, outcome) = personas::outcome_for(&login, &conn.password);
        let job = self.connection_job(user_id, conn_id, inst, &login, outcome, now);
        let job_id = self.add_job(job);
        if let Some(c) = self.user_mut(user_id)?.connections.iter_mut().find(|c| c.id == conn_id) {
            c.job_id = job_id.clone();
            c.pending = true;
        }
        Ok((job_id, true))
    }
}
