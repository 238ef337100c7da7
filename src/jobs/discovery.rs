//! Finding a connection job that was not there before, for when no consent redirect names it:
//! the user's jobs are read over every page and the newest unknown connection job wins.

use std::collections::HashSet;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use futures::TryStreamExt;

use super::schedule::{Polling, polling_setters};
use crate::filter::{FilterError, JobFilter};
use crate::open::JobStepTitle;
use crate::{Call, Client, Error, pages, timestamp, types};

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

    pub(super) fn new(client: &'a Client, user_id: String, known: HashSet<String>) -> Self {
        NewJobWait { client, user_id, known, filter: None, polling: Polling::default() }
    }

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
