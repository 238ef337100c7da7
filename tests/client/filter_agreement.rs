//! The typed filters and the sandbox agree: random valid filters for every filtered endpoint are
//! rendered by `basiq::filter`, sent to the in-process sandbox, and what comes back must be
//! exactly the items of the unfiltered list that the filter describes. The expectation is worked
//! out here from the unfiltered list and the filter's documented meaning (text equality; a day
//! covers the whole UTC day; items without a post date match no date condition), not from the
//! sandbox's code.
//!
//! Cases per endpoint: [`CASES`].

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use basiq::filter::{
    AccountFilter, ConnectionFilter, ConnectorFilter, DateOrTime, Endpoint, EventFilter, Filter, JobFilter,
    ReportTransactionFilter, TransactionFilter, WebhookMessageFilter,
};
use basiq::jobs::{CompletedJob, JobOutcome};
use basiq::{Call, Client, open, pages, types};
use basiq_sandbox::Sandbox;
use futures::StreamExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Random filters tried per endpoint (8 endpoints).
const CASES: u32 = 64;
const DAY: i64 = 86_400;

/// A text operator a field may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextOp {
    Eq,
    Ne,
    In,
}

/// A date operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateOp {
    Eq,
    Gt,
    Gteq,
    Lt,
    Lteq,
    Bt,
}

const DATE_OPS: [DateOp; 6] = [DateOp::Eq, DateOp::Gt, DateOp::Gteq, DateOp::Lt, DateOp::Lteq, DateOp::Bt];

/// One text field of an endpoint: its operators, candidate values and how to build it typed.
struct TextField<E> {
    ops: &'static [TextOp],
    values: Vec<String>,
    build: fn(TextOp, &[String]) -> Filter<E>,
}

/// An item of a list: its id, its value for each text field (in table order), its post time.
#[derive(Debug, Clone)]
struct Item {
    id: String,
    text: Vec<String>,
    post: Option<i64>,
}

/// One endpoint under test: fields, the unfiltered items, and the date field if it has one.
struct Table<E> {
    fields: Vec<TextField<E>>,
    items: Vec<Item>,
    date: Option<fn(DateOp, DateOrTime, Option<DateOrTime>) -> Filter<E>>,
}

/// Raw random choices for one statement, resolved against a table.
/// Field, operator, value picks (one past the candidates = `odd`), date choices, and `odd`: a
/// random value the grammar can carry (no quote, comma or control character).
type RawStatement = (u16, u16, Vec<u16>, (bool, bool, u16, i64, i64), String);

#[derive(Debug, Clone)]
enum Statement {
    Text { field: usize, op: TextOp, values: Vec<String> },
    Date { op: DateOp, from: DateOrTime, to: Option<DateOrTime> },
}

fn span(value: DateOrTime) -> (i64, i64) {
    match value {
        DateOrTime::Date(date) => {
            let start = date.midnight().assume_utc().unix_timestamp();
            (start, start + DAY - 1)
        }
        DateOrTime::DateTime(instant) => (instant.unix_timestamp(), instant.unix_timestamp()),
        _ => unreachable!("no other kinds of date"),
    }
}

fn matches(statement: &Statement, item: &Item) -> bool {
    match statement {
        Statement::Text { field, op, values } => {
            let value = &item.text[*field];
            match op {
                TextOp::Eq => *value == values[0],
                TextOp::Ne => *value != values[0],
                TextOp::In => values.contains(value),
            }
        }
        Statement::Date { op, from, to } => {
            let Some(post) = item.post else { return false };
            let (start, end) = span(*from);
            match op {
                DateOp::Eq => start <= post && post <= end,
                DateOp::Gt => post > end,
                DateOp::Gteq => post >= start,
                DateOp::Lt => post < start,
                DateOp::Lteq => post <= end,
                DateOp::Bt => post >= start && post <= span(to.expect("bt has two bounds")).1,
            }
        }
    }
}

impl<E: Endpoint> Table<E> {
    fn resolve(&self, raw: &[RawStatement]) -> Vec<Statement> {
        let posts: Vec<i64> = self.items.iter().filter_map(|i| i.post).collect();
        let (first, last) = (posts.iter().min().copied().unwrap_or(0), posts.iter().max().copied().unwrap_or(0));
        raw.iter()
            .map(|(field, op, values, (is_date, day, pick, a, b), odd)| {
                if let (Some(_), true) = (self.date, *is_date) {
                    let at = |offset: i64, exact: bool| -> DateOrTime {
                        let range = (last - first).max(1) + 4 * DAY;
                        let second = if exact && !posts.is_empty() {
                            posts[usize::from(*pick) % posts.len()]
                        } else {
                            first - 2 * DAY + offset.rem_euclid(range)
                        };
                        // Any offset from -12 to +14 hours: the filter must send it in UTC.
                        let hours = i8::try_from(pick % 27).unwrap() - 12;
                        let offset = UtcOffset::from_hms(hours, 0, 0).unwrap();
                        let instant = OffsetDateTime::from_unix_timestamp(second).unwrap().to_offset(offset);
                        if *day { DateOrTime::Date(instant.date()) } else { DateOrTime::DateTime(instant) }
                    };
                    let op = DATE_OPS[usize::from(*op) % DATE_OPS.len()];
                    let (mut from, mut to) = (at(*a, pick % 2 == 0), at(*b, pick % 3 == 0));
                    if span(from).0 > span(to).1 {
                        std::mem::swap(&mut from, &mut to);
                    }
                    return Statement::Date { op, from, to: (op == DateOp::Bt).then_some(to) };
                }
                let index = usize::from(*field) % self.fields.len();
                let spec = &self.fields[index];
                let op = spec.ops[usize::from(*op) % spec.ops.len()];
                let count = if op == TextOp::In { values.len() } else { 1 };
                let values = values
                    .iter()
                    .take(count)
                    .map(|v| match usize::from(*v) % (spec.values.len() + 1) {
                        i if i == spec.values.len() => odd.clone(),
                        i => spec.values[i].clone(),
                    })
                    .collect();
                Statement::Text { field: index, op, values }
            })
            .collect()
    }

    fn filter(&self, statements: &[Statement]) -> Filter<E> {
        let one = |statement: &Statement| match statement {
            Statement::Text { field, op, values } => (self.fields[*field].build)(*op, values),
            Statement::Date { op, from, to } => (self.date.expect("a date field"))(*op, *from, *to),
        };
        statements.iter().skip(1).fold(one(&statements[0]), |filter, s| filter.and(one(s)))
    }

    fn expected(&self, statements: &[Statement]) -> Vec<String> {
        self.items.iter().filter(|item| statements.iter().all(|s| matches(s, item))).map(|i| i.id.clone()).collect()
    }
}

fn raw_statements() -> impl Strategy<Value = Vec<RawStatement>> {
    let statement = (
        any::<u16>(),
        any::<u16>(),
        prop::collection::vec(any::<u16>(), 1..=3),
        (any::<bool>(), any::<bool>(), any::<u16>(), any::<i64>(), any::<i64>()),
        "[ !#-&(-+\\--~üé€😀]{1,6}",
    );
    prop::collection::vec(statement, 1..=3)
}

/// Distinct values of field `index` among `items`, plus `extra` (known values, absent ones).
fn candidates(items: &[Item], index: usize, extra: &[&str]) -> Vec<String> {
    let mut values: BTreeSet<String> = items.iter().map(|i| i.text[index].clone()).take(2000).collect();
    values.extend(extra.iter().map(|v| (*v).to_owned()));
    values.into_iter().filter(|v| !v.is_empty()).collect()
}

fn text_field<E>(
    items: &[Item],
    index: usize,
    ops: &'static [TextOp],
    extra: &[&str],
    build: fn(TextOp, &[String]) -> Filter<E>,
) -> TextField<E> {
    TextField { ops, values: candidates(items, index, extra), build }
}

const EQ: &[TextOp] = &[TextOp::Eq];
const EQ_NE: &[TextOp] = &[TextOp::Eq, TextOp::Ne];
const EQ_NE_IN: &[TextOp] = &[TextOp::Eq, TextOp::Ne, TextOp::In];

fn post_time(text: Option<&str>) -> Option<i64> {
    text.filter(|t| !t.is_empty()).map(|t| OffsetDateTime::parse(t, &Rfc3339).unwrap().unix_timestamp())
}

fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Runs `CASES` random filters of one endpoint; `fetch` sends one and returns the ids received.
fn check<E, F>(name: &str, table: &Table<E>, fetch: F) -> (u32, Duration)
where
    E: Endpoint,
    F: Fn(Filter<E>) -> Result<Vec<String>, basiq::Error>,
{
    assert!(!table.items.is_empty(), "{name}: the sandbox has no items to filter");
    let started = Instant::now();
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
    let matched_some = std::cell::Cell::new(0);
    let outcome = runner.run(&raw_statements(), |raw| {
        let statements = table.resolve(&raw);
        let filter = table.filter(&statements);
        let rendered = filter.render().map_err(|e| TestCaseError::fail(format!("valid filter refused: {e}")))?;
        let want = table.expected(&statements);
        let got = fetch(filter).map_err(|e| TestCaseError::fail(format!("{rendered}: {e}")))?;
        if !want.is_empty() {
            matched_some.set(matched_some.get() + 1);
        }
        if got != want {
            let missing: Vec<&String> = want.iter().filter(|id| !got.contains(id)).take(3).collect();
            let extra: Vec<&String> = got.iter().filter(|id| !want.contains(id)).take(3).collect();
            return Err(TestCaseError::fail(format!(
                "{name}: filter {rendered}: got {} items, expected {} (missing e.g. {missing:?}, unexpected e.g. {extra:?})",
                got.len(),
                want.len()
            )));
        }
        Ok(())
    });
    if let Err(error) = outcome {
        panic!("{name}: {error}");
    }
    (matched_some.get(), started.elapsed())
}

struct World {
    _sandbox: Sandbox,
    client: Client,
    users: Vec<String>,
    webhook: String,
    report: String,
}

async fn settle(client: &Client, job: &str) -> CompletedJob {
    let outcome = client
        .wait_for_job(job)
        .initial_interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(20))
        .deadline(Duration::from_secs(30))
        .await
        .unwrap();
    match outcome {
        JobOutcome::Succeeded(done) => done,
        other => panic!("job {job}: {other:?}"),
    }
}

async fn world() -> World {
    let sandbox = Sandbox::builder().job_step_delay(Duration::from_millis(1)).start().await.unwrap();
    let client = Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    let hook: types::WebhookRequest = serde_json::from_value(json!({
        "name": "agreement",
        "url": "https://hooks.example.com/basiq",
        "subscribedEvents": ["user.created", "connection.created", "transactions.updated", "consent.created", "account.updated"],
    }))
    .unwrap();
    let webhook = client.add_webhook().body(hook).call().await.unwrap().id;
    let logins = [
        ("gavin@hooli.com", vec![("AU00000", "gavinBelson", "hooli2016"), ("AU00004", "Whistler", "ShowBox")]),
        ("jared@piedpiper.com", vec![("AU00000", "jared", "django")]),
    ];
    let mut users = Vec::new();
    let mut accounts = Vec::new();
    for (email, connections) in logins {
        let user = sandbox.create_user(email);
        for (institution, login, password) in connections {
            let outcome = sandbox.complete_consent(&user, institution, login, password).unwrap();
            settle(&client, &outcome.job_id).await;
        }
        let list = client.get_accounts().user_id(&user).call().await.unwrap();
        accounts.extend(list.data.into_iter().map(|a| a.id));
        users.push(user);
    }
    let report: types::ReportCreateRequest = serde_json::from_value(json!({
        "reportType": "CON_AFFOR_01",
        "title": "Filter agreement",
        "filters": [
            {"name": "fromDate", "value": "2000-01-01"},
            {"name": "toDate", "value": "2099-12-31"},
            {"name": "accounts", "value": accounts},
            {"name": "users", "value": users},
        ]
    }))
    .unwrap();
    let job = client.create_report().body(report).call().await.unwrap();
    let report = settle(&client, &job.id).await.report_id.expect("the report job links its report");
    World { _sandbox: sandbox, client, users, webhook, report }
}

fn transaction_items(
    list: impl IntoIterator<Item = (String, [Option<String>; 4], [String; 3], Option<String>)>,
) -> Vec<Item> {
    list.into_iter()
        .map(|(id, [account, connection, institution, tid], [status, direction, class], post)| Item {
            text: vec![text(account), text(connection), text(institution), text(tid), status, direction, class],
            id,
            post: post_time(post.as_deref()),
        })
        .collect()
}

macro_rules! transaction_table {
    ($filter:ident, $items:expr) => {{
        let items: Vec<Item> = $items;
        Table {
            fields: vec![
                text_field(&items, 0, EQ, &["no-such-account"], |_, v| $filter::account_id().eq(v[0].as_str())),
                text_field(&items, 1, EQ, &["no-such-connection"], |_, v| $filter::connection_id().eq(v[0].as_str())),
                text_field(&items, 2, EQ_NE, &["AU00002"], |op, v| match op {
                    TextOp::Eq => $filter::institution_id().eq(v[0].as_str()),
                    _ => $filter::institution_id().ne(v[0].as_str()),
                }),
                TextField {
                    ops: EQ,
                    values: items.iter().step_by(37).map(|i| i.id.clone()).chain(["no-such-id".to_owned()]).collect(),
                    build: |_, v| $filter::id().eq(v[0].as_str()),
                },
                text_field(&items, 4, EQ, open::TransactionStatus::KNOWN, |_, v| $filter::status().eq(v[0].as_str())),
                text_field(&items, 5, EQ, open::TransactionDirection::KNOWN, |_, v| {
                    $filter::direction().eq(v[0].as_str())
                }),
                text_field(&items, 6, EQ, open::TransactionClass::KNOWN, |_, v| $filter::class().eq(v[0].as_str())),
            ],
            items,
            date: Some(|op, from, to| {
                let field = $filter::post_date();
                match op {
                    DateOp::Eq => field.eq(from),
                    DateOp::Gt => field.gt(from),
                    DateOp::Gteq => field.gteq(from),
                    DateOp::Lt => field.lt(from),
                    DateOp::Lteq => field.lteq(from),
                    DateOp::Bt => field.between(from, to.expect("two bounds")),
                }
            }),
        }
    }};
}

#[test]
fn typed_filters_and_the_sandbox_agree_on_every_endpoint() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let world = runtime.block_on(world());
    let client = &world.client;
    let mut report = Vec::new();
    let started = Instant::now();

    for (index, user) in world.users.iter().enumerate() {
        // Accounts.
        let all = runtime.block_on(client.get_accounts().user_id(user).call()).unwrap().data;
        let items: Vec<Item> = all
            .into_iter()
            .map(|a| Item { text: vec![a.id.clone(), text(a.connection), text(a.institution)], id: a.id, post: None })
            .collect();
        let table = Table {
            fields: vec![
                text_field(&items, 0, EQ_NE, &["no-such-account"], |op, v| match op {
                    TextOp::Eq => AccountFilter::account_id().eq(v[0].as_str()),
                    _ => AccountFilter::account_id().ne(v[0].as_str()),
                }),
                text_field(&items, 1, EQ_NE, &["no-such-connection"], |op, v| match op {
                    TextOp::Eq => AccountFilter::connection_id().eq(v[0].as_str()),
                    _ => AccountFilter::connection_id().ne(v[0].as_str()),
                }),
                text_field(&items, 2, EQ_NE, &["AU00002"], |op, v| match op {
                    TextOp::Eq => AccountFilter::institution_id().eq(v[0].as_str()),
                    _ => AccountFilter::institution_id().ne(v[0].as_str()),
                }),
            ],
            items,
            date: None,
        };
        report.push((
            "accounts",
            index,
            check("accounts", &table, |f| {
                runtime.block_on(async move {
                    Ok::<_, basiq::Error>(
                        client
                            .get_accounts()
                            .user_id(user)
                            .filter(f)
                            .call()
                            .await?
                            .data
                            .into_iter()
                            .map(|a| a.id)
                            .collect(),
                    )
                })
            }),
        ));

        // Transactions, every page.
        let all: Vec<types::Transaction> = runtime
            .block_on(client.transactions(user).stream().collect::<Vec<_>>())
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        let table = transaction_table!(
            TransactionFilter,
            transaction_items(all.into_iter().map(|t| (
                t.id.clone(),
                [t.account, t.connection, t.institution, Some(t.id)],
                [text(t.status), text(t.direction), text(t.class)],
                t.post_date,
            )))
        );
        report.push((
            "transactions",
            index,
            check("transactions", &table, |f| {
                runtime.block_on(async move {
                    let items: Vec<_> = client.transactions(user).filter(f).stream().collect().await;
                    items.into_iter().map(|t| t.map(|t| t.id)).collect()
                })
            }),
        ));

        // Connections.
        let all = runtime.block_on(client.get_connections().user_id(user).call()).unwrap().data;
        let items: Vec<Item> = all
            .into_iter()
            .map(|c| Item {
                text: vec![c.id.clone(), text(c.status), text(c.institution.and_then(|i| i.id))],
                id: c.id,
                post: None,
            })
            .collect();
        let table = Table {
            fields: vec![
                text_field(&items, 0, EQ, &["no-such-connection"], |_, v| ConnectionFilter::id().eq(v[0].as_str())),
                text_field(&items, 1, EQ, open::ConnectionStatus::KNOWN, |_, v| {
                    ConnectionFilter::status().eq(v[0].as_str())
                }),
                text_field(&items, 2, EQ_NE, &["AU00002"], |op, v| match op {
                    TextOp::Eq => ConnectionFilter::institution_id().eq(v[0].as_str()),
                    _ => ConnectionFilter::institution_id().ne(v[0].as_str()),
                }),
            ],
            items,
            date: None,
        };
        report.push((
            "connections",
            index,
            check("connections", &table, |f| {
                runtime.block_on(async move {
                    Ok::<_, basiq::Error>(
                        client
                            .get_connections()
                            .user_id(user)
                            .filter(f)
                            .call()
                            .await?
                            .data
                            .into_iter()
                            .map(|c| c.id)
                            .collect(),
                    )
                })
            }),
        ));

        // The user's jobs, by connection.
        let all = runtime.block_on(client.get_user_jobs().user_id(user).call()).unwrap().data;
        let items: Vec<Item> = all
            .into_iter()
            .map(|j| Item { id: j.id.clone(), text: vec![text(CompletedJob::from(j).connection_id)], post: None })
            .collect();
        let table = Table {
            fields: vec![text_field(&items, 0, EQ, &["no-such-connection"], |_, v| {
                JobFilter::connection_id().eq(v[0].as_str())
            })],
            items,
            date: None,
        };
        report.push((
            "user jobs",
            index,
            check("user jobs", &table, |f| {
                runtime.block_on(async move {
                    Ok::<_, basiq::Error>(
                        client
                            .get_user_jobs()
                            .user_id(user)
                            .filter(f)
                            .call()
                            .await?
                            .data
                            .into_iter()
                            .map(|j| j.id)
                            .collect(),
                    )
                })
            }),
        ));
    }

    // Events of every user.
    let all = runtime.block_on(client.get_events().call()).unwrap().data;
    let items: Vec<Item> = all
        .into_iter()
        .map(|e| Item { text: vec![text(e.user_id), text(e.entity), text(e.event_type)], id: e.id, post: None })
        .collect();
    let table = Table {
        fields: vec![
            text_field(&items, 0, EQ, &["no-such-user"], |_, v| EventFilter::user_id().eq(v[0].as_str())),
            text_field(&items, 1, EQ, open::EventEntity::KNOWN, |_, v| EventFilter::entity().eq(v[0].as_str())),
            text_field(&items, 2, EQ, open::EventType::KNOWN, |_, v| EventFilter::event_type().eq(v[0].as_str())),
        ],
        items,
        date: None,
    };
    report.push((
        "events",
        0,
        check("events", &table, |f| {
            runtime.block_on(async move {
                Ok::<_, basiq::Error>(
                    client.get_events().filter(f).call().await?.data.into_iter().map(|e| e.id).collect(),
                )
            })
        }),
    ));

    // Connectors.
    let all = runtime.block_on(client.get_connectors().call()).unwrap().data;
    let items: Vec<Item> = all
        .into_iter()
        .map(|c| {
            let institution = c.institution.unwrap_or_default();
            Item {
                text: vec![
                    c.id.clone(),
                    text(c.method),
                    text(c.status),
                    text(c.stage),
                    text(institution.country),
                    text(institution.tier),
                    text(institution.type_),
                    text(c.authorization.and_then(|a| a.type_)),
                ],
                id: c.id,
                post: None,
            }
        })
        .collect();
    let table = Table {
        fields: vec![
            text_field(&items, 0, EQ, &["AU99999"], |_, v| ConnectorFilter::id().eq(v[0].as_str())),
            text_field(&items, 1, EQ, open::ConnectionMethod::KNOWN, |_, v| {
                ConnectorFilter::method().eq(v[0].as_str())
            }),
            text_field(&items, 2, EQ_NE_IN, open::ConnectorStatus::KNOWN, |op, v| match op {
                TextOp::Eq => ConnectorFilter::status().eq(v[0].as_str()),
                TextOp::Ne => ConnectorFilter::status().ne(v[0].as_str()),
                TextOp::In => ConnectorFilter::status().one_of(v.iter().map(String::as_str)),
            }),
            text_field(&items, 3, EQ_NE_IN, open::ConnectorStage::KNOWN, |op, v| match op {
                TextOp::Eq => ConnectorFilter::stage().eq(v[0].as_str()),
                TextOp::Ne => ConnectorFilter::stage().ne(v[0].as_str()),
                TextOp::In => ConnectorFilter::stage().one_of(v.iter().map(String::as_str)),
            }),
            text_field(&items, 4, EQ_NE_IN, open::InstitutionCountry::KNOWN, |op, v| match op {
                TextOp::Eq => ConnectorFilter::country().eq(v[0].as_str()),
                TextOp::Ne => ConnectorFilter::country().ne(v[0].as_str()),
                TextOp::In => ConnectorFilter::country().one_of(v.iter().map(String::as_str)),
            }),
            text_field(&items, 5, EQ_NE_IN, open::InstitutionTier::KNOWN, |op, v| match op {
                TextOp::Eq => ConnectorFilter::tier().eq(v[0].as_str()),
                TextOp::Ne => ConnectorFilter::tier().ne(v[0].as_str()),
                TextOp::In => ConnectorFilter::tier().one_of(v.iter().map(String::as_str)),
            }),
            text_field(&items, 6, EQ_NE, open::InstitutionType::KNOWN, |op, v| match op {
                TextOp::Eq => ConnectorFilter::institution_type().eq(v[0].as_str()),
                _ => ConnectorFilter::institution_type().ne(v[0].as_str()),
            }),
            text_field(&items, 7, EQ_NE_IN, open::AuthorizationType::KNOWN, |op, v| match op {
                TextOp::Eq => ConnectorFilter::authorization_type().eq(v[0].as_str()),
                TextOp::Ne => ConnectorFilter::authorization_type().ne(v[0].as_str()),
                TextOp::In => ConnectorFilter::authorization_type().one_of(v.iter().map(String::as_str)),
            }),
        ],
        items,
        date: None,
    };
    report.push((
        "connectors",
        0,
        check("connectors", &table, |f| {
            runtime.block_on(async move {
                Ok::<_, basiq::Error>(
                    client.get_connectors().filter(f).call().await?.data.into_iter().map(|c| c.id).collect(),
                )
            })
        }),
    ));

    // Webhook messages.
    let webhook = world.webhook.as_str();
    let all: Vec<types::WebhookMessage> = runtime
        .block_on(client.webhook_messages(webhook).stream().collect::<Vec<_>>())
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let items: Vec<Item> = all
        .into_iter()
        .map(|m| {
            let payload = m.payload.unwrap_or_default();
            Item {
                text: vec![
                    text(m.event_type_id.or(payload.event_type_id)),
                    text(m.event_id.or(payload.event_id)),
                    text(m.webhook_id),
                ],
                id: m.id,
                post: None,
            }
        })
        .collect();
    let table = Table {
        fields: vec![
            text_field(&items, 0, EQ, open::EventTypeId::KNOWN, |_, v| {
                WebhookMessageFilter::event_type_id().eq(v[0].as_str())
            }),
            text_field(&items, 1, EQ, &["no-such-event"], |_, v| WebhookMessageFilter::event_id().eq(v[0].as_str())),
            text_field(&items, 2, EQ, &["no-such-webhook"], |_, v| {
                WebhookMessageFilter::webhook_id().eq(v[0].as_str())
            }),
        ],
        items,
        date: None,
    };
    report.push((
        "webhook messages",
        0,
        check("webhook messages", &table, |f| {
            runtime.block_on(async move {
                let items: Vec<_> = client.webhook_messages(webhook).filter(f).stream().collect().await;
                items.into_iter().map(|m| m.map(|m| m.id)).collect()
            })
        }),
    ));

    // A report's transactions (both users), every page.
    let report_id = world.report.as_str();
    let report_pages = |filter: Option<Filter<basiq::filter::ReportTransactions>>| {
        let call = client.retrieve_report_transactions().report_id(report_id);
        let call = match filter {
            Some(filter) => call.filter(filter),
            None => call,
        };
        pages::items(pages::paginate(client, call.call(), "retrieve_report_transactions"))
    };
    let all: Vec<types::ReportTransaction> =
        runtime.block_on(report_pages(None).collect::<Vec<_>>()).into_iter().collect::<Result<_, _>>().unwrap();
    let table = transaction_table!(
        ReportTransactionFilter,
        transaction_items(all.into_iter().map(|t| (
            t.id.clone(),
            [t.account, t.connection, t.institution, Some(t.id)],
            [text(t.status), text(t.direction), text(t.class)],
            t.post_date,
        )))
    );
    report.push((
        "report transactions",
        0,
        check("report transactions", &table, |f| {
            runtime.block_on(async move {
                let items: Vec<_> = report_pages(Some(f)).collect().await;
                items.into_iter().map(|t| t.map(|t| t.id)).collect()
            })
        }),
    ));

    for (endpoint, user, (matched, took)) in &report {
        eprintln!("{endpoint} (user {user}): {CASES} cases, {matched} matched at least one item, {took:?}");
        assert!(*matched > 0, "{endpoint}: no random filter matched anything; the test would prove nothing");
    }
    eprintln!("all endpoints: {:?}", started.elapsed());
}
