//! Filters for a user's connections (`GET /users/{userId}/connections`) and jobs
//! (`GET /users/{userId}/jobs`).

use super::typed::{EqNe, EqOnly};
use crate::open::ConnectionStatus;

endpoint! {
    /// The connections list.
    Connections, "get_connections", TwoValues;
    /// A filter for [`Client::get_connections`](crate::Client::get_connections).
    ConnectionFilter;
    /// `id`: the connection's id.
    id: "id", String, EqOnly;
    /// `status`, e.g. active or invalid.
    status: "status", ConnectionStatus, EqOnly;
    /// `institution.id`, e.g. `AU00000`.
    institution_id: "institution.id", String, EqNe;
}

endpoint! {
    /// A user's jobs list.
    UserJobs, "get_user_jobs", TwoValues;
    /// A filter for [`Client::get_user_jobs`](crate::Client::get_user_jobs) and [`NewJobWait`](crate::jobs::NewJobWait).
    JobFilter;
    /// `connection.id`: the jobs of one connection.
    connection_id: "connection.id", String, EqOnly;
}
