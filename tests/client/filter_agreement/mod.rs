//! The typed filters and the sandbox agree: random valid filters for every filtered endpoint are
//! rendered by `basiq::filter`, sent to the in-process sandbox, and what comes back must be
//! exactly the items of the unfiltered list that the filter describes. The expectation is worked
//! out here from the unfiltered list and the filter's documented meaning (text equality; a day
//! covers the whole UTC day; items without a post date match no date condition), not from the
//! sandbox's code.
//!
//! Cases per endpoint: [`CASES`].

mod model;
mod world;

use std::time::{Duration, Instant};

use basiq::filter::{
    AccountFilter, ConnectionFilter, ConnectorFilter, Endpoint, EventFilter, Filter, JobFilter,
    ReportTransactionFilter, TransactionFilter, WebhookMessageFilter,
};
use basiq::jobs::CompletedJob;
use basiq::{Call, open, pages, types};
use futures::StreamExt;
use model::{DateOp, EQ, EQ_NE, EQ_NE_IN, Item, Table, TextField, TextOp, post_time, raw_statements, text, text_field};
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Random filters tried per endpoint (8 endpoints).
const CASES: u32 = 64;

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
    let world = runtime.block_on(world::world());
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
