//! Rendering of every endpoint's filters and every typed error, through the public API.

use time::macros::{date, datetime};

use super::*;
use crate::open::{
    ConnectorStage, ConnectorStatus, InstitutionType, TransactionClass, TransactionDirection, TransactionStatus,
};

#[test]
fn each_endpoint_renders_its_fields() {
    let cases = [
        (
            AccountFilter::connection_id().eq("c-1").and(AccountFilter::institution_id().ne("AU00000")).render(),
            "connection.id.eq('c-1'),institution.id.ne('AU00000')",
        ),
        (ConnectionFilter::status().eq(crate::open::ConnectionStatus::Active).render(), "status.eq('active')"),
        (ConnectionFilter::id().eq("c-1").render(), "id.eq('c-1')"),
        (JobFilter::connection_id().eq("c-1").render(), "connection.id.eq('c-1')"),
        (
            EventFilter::user_id().eq("u").and(EventFilter::entity().eq(crate::open::EventEntity::Connection)).render(),
            "user.id.eq('u'),event.entity.eq('connection')",
        ),
        (EventFilter::event_type().eq(crate::open::EventType::Created).render(), "event.type.eq('created')"),
        (
            WebhookMessageFilter::event_type_id().eq(crate::open::EventTypeId::UserCreated).render(),
            "eventTypeId.eq('user.created')",
        ),
        (
            ConnectorFilter::status().one_of([ConnectorStatus::Operational, ConnectorStatus::PartialOutage]).render(),
            "connector.status.in('operational','partial-outage')",
        ),
        (
            ConnectorFilter::institution_type().ne(InstitutionType::ForeignBank).render(),
            "connector.institution.type.ne('Bank (Foreign)')",
        ),
        (
            TransactionFilter::class()
                .eq(TransactionClass::Payment)
                .and(TransactionFilter::direction().eq(TransactionDirection::Debit))
                .and(TransactionFilter::post_date().gteq(datetime!(2024-03-01 10:00 +10:00)))
                .render(),
            "transaction.class.eq('payment'),transaction.direction.eq('debit'),transaction.postDate.gteq('2024-03-01T00:00:00Z')",
        ),
        (
            ReportTransactionFilter::post_date().between(date!(2024 - 01 - 01), date!(2024 - 01 - 31)).render(),
            "transaction.postDate.bt('2024-01-01,2024-01-31')",
        ),
    ];
    for (rendered, want) in cases {
        assert_eq!(rendered.unwrap(), want);
    }
}

#[test]
fn open_values_take_strings_too() {
    let f = TransactionFilter::status().eq("posted");
    assert_eq!(f, TransactionFilter::status().eq(TransactionStatus::Posted));
    assert_eq!(TransactionFilter::status().eq("settling").render().unwrap(), "transaction.status.eq('settling')");
}

fn kind<E: Endpoint>(filter: Filter<E>) -> (String, FilterErrorKind) {
    let error = filter.render().unwrap_err();
    (error.field().to_owned(), error.kind())
}

#[test]
fn every_value_problem_is_a_typed_error() {
    use FilterErrorKind::*;
    let field = |f: &str| f.to_owned();
    assert_eq!(kind(AccountFilter::account_id().eq("a'b")), (field("account.id"), Quote));
    assert_eq!(kind(AccountFilter::account_id().ne("a,b")), (field("account.id"), Comma));
    assert_eq!(kind(JobFilter::connection_id().eq("")), (field("connection.id"), EmptyValue));
    assert_eq!(kind(EventFilter::user_id().eq("u\r\n")), (field("user.id"), ControlCharacter));
    assert_eq!(
        kind(ConnectorFilter::stage().one_of(Vec::<ConnectorStage>::new())),
        (field("connector.stage"), EmptyList)
    );
    assert_eq!(kind(ConnectorFilter::tier().one_of(["1", "x'"])), (field("connector.institution.tier"), Quote));
    assert_eq!(
        kind(TransactionFilter::post_date().between(date!(2024 - 02 - 01), date!(2024 - 01 - 31))),
        (field("transaction.postDate"), ReversedRange)
    );
    assert_eq!(
        kind(TransactionFilter::post_date().lt(datetime!(2024-01-01 00:00:00.001 UTC))),
        (field("transaction.postDate"), SubSecond)
    );
    assert_eq!(
        kind(TransactionFilter::post_date().gt(date!(-0005 - 01 - 01))),
        (field("transaction.postDate"), YearOutOfRange)
    );
    assert_eq!(kind(TransactionFilter::raw("  ")), (field("raw"), EmptyRaw));
}

#[test]
fn between_accepts_one_day_and_mixed_bounds() {
    let day = date!(2024 - 01 - 31);
    assert!(TransactionFilter::post_date().between(day, day).render().is_ok());
    // An instant inside the end day is not before the day's start: not reversed.
    let f = TransactionFilter::post_date().between(datetime!(2024-01-31 12:00 UTC), day);
    assert_eq!(f.render().unwrap(), "transaction.postDate.bt('2024-01-31T12:00:00Z','2024-01-31')");
    let f = TransactionFilter::post_date().between(date!(2024 - 02 - 01), datetime!(2024-01-31 23:59:59 UTC));
    assert_eq!(f.render().unwrap_err().kind(), FilterErrorKind::ReversedRange);
}

#[test]
fn the_first_error_survives_and() {
    let f = AccountFilter::account_id()
        .eq("ok")
        .and(AccountFilter::connection_id().eq("bad'"))
        .and(AccountFilter::institution_id().eq("also,bad"));
    assert_eq!(kind(f), ("connection.id".to_owned(), FilterErrorKind::Quote));
    let f = AccountFilter::connection_id().eq("bad'").and(AccountFilter::account_id().eq("ok"));
    assert_eq!(kind(f), ("connection.id".to_owned(), FilterErrorKind::Quote));
}

#[test]
fn raw_text_joins_typed_statements_and_converts_to_string() {
    let f = TransactionFilter::raw("transaction.class.ne('transfer')").and(TransactionFilter::account_id().eq("a"));
    assert_eq!(String::try_from(&f).unwrap(), "transaction.class.ne('transfer'),account.id.eq('a')");
    assert_eq!(String::try_from(f).unwrap(), "transaction.class.ne('transfer'),account.id.eq('a')");
    let bad = String::try_from(AccountFilter::account_id().eq("'")).unwrap_err();
    assert_eq!(bad.to_string(), "invalid filter on account.id: a value holds a quote");
}

#[test]
fn fields_know_their_names_and_debug_shows_the_endpoint() {
    assert_eq!(TransactionFilter::post_date().name(), "transaction.postDate");
    assert_eq!(format!("{:?}", ConnectorFilter::id()), "Field(\"connector.id\")");
    let debug = format!("{:?}", AccountFilter::account_id().eq("a"));
    assert!(debug.contains("get_accounts") && debug.contains("account.id"), "{debug}");
}
