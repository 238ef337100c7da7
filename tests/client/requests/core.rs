//! Users, consents, auth links, events and jobs.

use basiq::filter::{EventFilter, JobFilter};
use basiq::open::EventEntity;
use basiq::{Call, types};

use super::{SLASH_QUERY_FRAGMENT, UNICODE, assert_segment};
use crate::support::ops::{CONNECTION, CONSENT, EVENT, EVENT_TYPE, JOB, USER};
use crate::support::spec::request_fixture;

request_test!(create_user, "createUser", |client| client
    .create_user()
    .body(request_fixture::<types::UserCreateRequest>("createUser"))
    .call());

request_test!(get_user, "getUser", |client| client.get_user().user_id(SLASH_QUERY_FRAGMENT).call(), |request| {
    assert_segment(&request, "getUser", "userId", SLASH_QUERY_FRAGMENT, "a%2Fb%3Fc%23d");
    assert_eq!(request.query(), None);
});

request_test!(update_user, "updateUser", |client| client
    .update_user()
    .user_id(USER)
    .body(request_fixture::<types::UserUpdateRequest>("updateUser"))
    .call());

request_test!(delete_user, "deleteUser", |client| client.delete_user().user_id(UNICODE).call(), |request| {
    assert_segment(&request, "deleteUser", "userId", UNICODE, "%C3%BCn%C3%AFc%C3%B8d%C3%A9");
});

request_test!(get_consents, "getConsents", |client| client.get_consents().user_id(USER).call());

request_test!(delete_consent, "deleteConsent", |client| client
    .delete_consent()
    .user_id(USER)
    .consent_id(CONSENT)
    .call());

request_test!(get_auth_link, "getAuthLink", |client| client.get_auth_link().user_id(USER).call());

request_test!(post_auth_link, "postAuthLink", |client| client
    .post_auth_link()
    .user_id(USER)
    .body(request_fixture::<types::AuthLinkCreateRequest>("postAuthLink"))
    .call());

request_test!(delete_auth_link, "deleteAuthLink", |client| client.delete_auth_link().user_id(USER).call());

// ---- events and jobs -----------------------------------------------------------------------

request_test!(
    get_events,
    "getEvents",
    |client| client
        .get_events()
        .filter(EventFilter::user_id().eq(USER).and(EventFilter::entity().eq(EventEntity::Connection)))
        .call(),
    |request| {
        assert_eq!(
            request.query_pairs(),
            [("filter".to_owned(), ["user.id.eq('", USER, "'),event.entity.eq('connection')"].concat())]
        );
    }
);

request_test!(get_type_by_id, "getTypeById", |client| client.get_type_by_id().id(EVENT).call());

request_test!(list_event_types, "listEventTypes", |client| client.list_event_types().call());

request_test!(get_event_type_by_id, "getEventTypeById", |client| client.get_event_type_by_id().id(EVENT_TYPE).call());

request_test!(get_user_jobs, "getUserJobs", |client| client
    .get_user_jobs()
    .user_id(USER)
    .filter(JobFilter::connection_id().eq(CONNECTION))
    .call());

request_test!(get_jobs, "getJobs", |client| client.get_jobs().job_id(JOB).call());

request_test!(post_job_mfa, "postJobMfa", |client| client
    .post_job_mfa()
    .job_id(JOB)
    .body(request_fixture::<types::JobMfaRequest>("postJobMfa"))
    .call());
