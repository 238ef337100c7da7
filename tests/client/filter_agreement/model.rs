//! The model the property test checks against: generated statements, what each means for one
//! item, and the tables of fields each endpoint is tried with.

use std::collections::BTreeSet;

use basiq::filter::{DateOrTime, Endpoint, Filter};
use proptest::prelude::*;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A text operator a field may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextOp {
    Eq,
    Ne,
    In,
}

/// A date operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateOp {
    Eq,
    Gt,
    Gteq,
    Lt,
    Lteq,
    Bt,
}

pub(super) const DATE_OPS: [DateOp; 6] = [DateOp::Eq, DateOp::Gt, DateOp::Gteq, DateOp::Lt, DateOp::Lteq, DateOp::Bt];

/// One text field of an endpoint: its operators, candidate values and how to build it typed.
pub(super) struct TextField<E> {
    pub(super) ops: &'static [TextOp],
    pub(super) values: Vec<String>,
    pub(super) build: fn(TextOp, &[String]) -> Filter<E>,
}

/// An item of a list: its id, its value for each text field (in table order), its post time.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) id: String,
    pub(super) text: Vec<String>,
    pub(super) post: Option<i64>,
}

/// One endpoint under test: fields, the unfiltered items, and the date field if it has one.
pub(super) struct Table<E> {
    pub(super) fields: Vec<TextField<E>>,
    pub(super) items: Vec<Item>,
    pub(super) date: Option<DateFilter<E>>,
}

/// Builds the endpoint's date filter from an operator and one or two bounds.
pub(super) type DateFilter<E> = fn(DateOp, DateOrTime, Option<DateOrTime>) -> Filter<E>;

/// Raw random choices for one statement, resolved against a table.
/// Field, operator, value picks (one past the candidates = `odd`), date choices, and `odd`: a
/// random value the grammar can carry (no quote, comma or control character).
pub(super) type RawStatement = (u16, u16, Vec<u16>, (bool, bool, u16, i64, i64), String);

#[derive(Debug, Clone)]
pub(super) enum Statement {
    Text { field: usize, op: TextOp, values: Vec<String> },
    Date { op: DateOp, from: DateOrTime, to: Option<DateOrTime> },
}

pub(super) fn span(value: DateOrTime) -> (i64, i64) {
    match value {
        DateOrTime::Date(date) => {
            let start = date.midnight().assume_utc().unix_timestamp();
            (start, start + DAY - 1)
        }
        DateOrTime::DateTime(instant) => (instant.unix_timestamp(), instant.unix_timestamp()),
        _ => unreachable!("no other kinds of date"),
    }
}

pub(super) fn matches(statement: &Statement, item: &Item) -> bool {
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
    pub(super) fn resolve(&self, raw: &[RawStatement]) -> Vec<Statement> {
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

    pub(super) fn filter(&self, statements: &[Statement]) -> Filter<E> {
        let one = |statement: &Statement| match statement {
            Statement::Text { field, op, values } => (self.fields[*field].build)(*op, values),
            Statement::Date { op, from, to } => (self.date.expect("a date field"))(*op, *from, *to),
        };
        statements.iter().skip(1).fold(one(&statements[0]), |filter, s| filter.and(one(s)))
    }

    pub(super) fn expected(&self, statements: &[Statement]) -> Vec<String> {
        self.items.iter().filter(|item| statements.iter().all(|s| matches(s, item))).map(|i| i.id.clone()).collect()
    }
}

pub(super) fn raw_statements() -> impl Strategy<Value = Vec<RawStatement>> {
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
pub(super) fn candidates(items: &[Item], index: usize, extra: &[&str]) -> Vec<String> {
    let mut values: BTreeSet<String> = items.iter().map(|i| i.text[index].clone()).take(2000).collect();
    values.extend(extra.iter().map(|v| (*v).to_owned()));
    values.into_iter().filter(|v| !v.is_empty()).collect()
}

pub(super) fn text_field<E>(
    items: &[Item],
    index: usize,
    ops: &'static [TextOp],
    extra: &[&str],
    build: fn(TextOp, &[String]) -> Filter<E>,
) -> TextField<E> {
    TextField { ops, values: candidates(items, index, extra), build }
}

pub(super) const EQ: &[TextOp] = &[TextOp::Eq];
pub(super) const EQ_NE: &[TextOp] = &[TextOp::Eq, TextOp::Ne];
pub(super) const EQ_NE_IN: &[TextOp] = &[TextOp::Eq, TextOp::Ne, TextOp::In];

pub(super) fn post_time(text: Option<&str>) -> Option<i64> {
    text.filter(|t| !t.is_empty()).map(|t| OffsetDateTime::parse(t, &Rfc3339).unwrap().unix_timestamp())
}

pub(super) fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}
