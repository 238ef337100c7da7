//! Filters for transactions: a user's (`GET /users/{userId}/transactions`) and a report's
//! (`GET /reports/{reportId}/transactions`), which take the same fields.
//!
//! `transaction.postDate` takes a day or an instant with `eq`, `gt`, `gteq`, `lt`, `lteq` and
//! `between`; `institution.id` also takes `ne`; the other fields take `eq`. Pending transactions
//! have no post date, so a post-date condition leaves them out. The two endpoints write
//! `between` differently, each as its own documentation shows: `bt('from','to')` for a user's
//! transactions, `bt('from,to')` for a report's.

use super::typed::{EqNe, EqOnly, Ordered};
use super::values::DateOrTime;
use crate::open::{TransactionClass, TransactionDirection, TransactionStatus};

macro_rules! transaction_fields {
    ($marker:ident, $name:literal, $between:ident, $(#[$doc:meta])* $alias:ident) => {
        endpoint! {
            /// One transactions list.
            $marker, $name, $between;
            $(#[$doc])*
            $alias;
            /// `account.id`.
            account_id: "account.id", String, EqOnly;
            /// `connection.id`.
            connection_id: "connection.id", String, EqOnly;
            /// `institution.id`, e.g. `AU00000`.
            institution_id: "institution.id", String, EqNe;
            /// `transaction.id`.
            id: "transaction.id", String, EqOnly;
            /// `transaction.status`: pending or posted.
            status: "transaction.status", TransactionStatus, EqOnly;
            /// `transaction.direction`: debit or credit.
            direction: "transaction.direction", TransactionDirection, EqOnly;
            /// `transaction.class`, e.g. payment or transfer.
            class: "transaction.class", TransactionClass, EqOnly;
            /// `transaction.postDate`: a [`time::Date`] (the whole UTC day) or a [`time::OffsetDateTime`].
            post_date: "transaction.postDate", DateOrTime, Ordered;
        }
    };
}

transaction_fields!(
    Transactions,
    "get_transactions",
    TwoValues,
    /// A filter for [`Client::get_transactions`](crate::Client::get_transactions) and [`Client::transactions`](crate::Client::transactions).
    TransactionFilter
);

transaction_fields!(
    ReportTransactions,
    "retrieve_report_transactions",
    OneJoined,
    /// A filter for [`Client::retrieve_report_transactions`](crate::Client::retrieve_report_transactions).
    ReportTransactionFilter
);
