//! Transaction lists: the filter fields they accept and picking one page of a newest-first
//! history (used by the transactions, report and affordability lists).

use std::borrow::Borrow;

use crate::data::Txn;
use crate::filter::{self, DATE_OPS, EQ_NE_IN, FieldSpec, Filter, Kind};

/// Filter fields accepted on transaction lists.
pub(crate) const TXN_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "account.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "connection.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "institution.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "transaction.id", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "transaction.postDate", kind: Kind::Time, ops: DATE_OPS },
    FieldSpec { name: "transaction.status", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "transaction.direction", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "transaction.class", kind: Kind::Text, ops: EQ_NE_IN },
];

/// Field lookup used by transaction filters.
pub(crate) fn txn_field<'a>(t: &'a Txn, field: &str) -> Option<filter::Value<'a>> {
    use filter::Value::{Text, Time};
    Some(match field {
        "account.id" => Text(&t.account),
        "connection.id" => Text(&t.connection),
        "institution.id" => Text(&t.institution),
        "transaction.id" => Text(&t.id),
        "transaction.postdate" => Time(t.post),
        "transaction.status" => Text(t.status()),
        "transaction.direction" => Text(t.direction()),
        "transaction.class" => Text(t.class),
        _ => return None,
    })
}

/// One page of a newest-first transaction slice: the indices of the page's items and the index
/// of the next page's first item. Scanning starts at `start`, so only the page is visited when
/// there is nothing to skip.
pub(crate) fn page<T: Borrow<Txn>>(
    txns: &[T],
    start: usize,
    limit: usize,
    f: &Filter,
    extra: impl Fn(&Txn) -> bool,
) -> (Vec<usize>, Option<usize>) {
    let mut out = Vec::with_capacity(limit.min(txns.len()));
    for (i, t) in txns.iter().enumerate().skip(start) {
        let t: &Txn = t.borrow();
        if extra(t) && (f.is_empty() || f.matches(|field| txn_field(t, field))) {
            if out.len() == limit {
                return (out, Some(i));
            }
            out.push(i);
        }
    }
    (out, None)
}
