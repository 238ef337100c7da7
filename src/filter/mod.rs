//! Typed `?filter=` expressions, per endpoint, instead of hand-written strings.
//!
//! Each list endpoint that narrows its results has a filter type ([`AccountFilter`],
//! [`TransactionFilter`], [`ConnectionFilter`], [`JobFilter`], [`EventFilter`],
//! [`ConnectorFilter`], [`WebhookMessageFilter`], [`ReportTransactionFilter`]) whose functions
//! are the fields that endpoint accepts. A field has the operators Basiq documents for it and
//! takes values of its kind: any string for ids, a value of its open set from [`crate::open`],
//! or a [`DateOrTime`] (a [`time::Date`] or [`time::OffsetDateTime`]). Statements joined with
//! [`Filter::and`] must all hold.
//!
//! ```
//! use basiq::filter::TransactionFilter;
//! use basiq::open::TransactionStatus;
//! use time::macros::date;
//!
//! let posted_in_q3 = TransactionFilter::status()
//!     .eq(TransactionStatus::Posted)
//!     .and(TransactionFilter::post_date().between(date!(2024 - 07 - 01), date!(2024 - 09 - 30)));
//! assert_eq!(
//!     posted_in_q3.render()?,
//!     "transaction.status.eq('posted'),transaction.postDate.bt('2024-07-01','2024-09-30')"
//! );
//! # Ok::<(), basiq::filter::FilterError>(())
//! ```
//!
//! Give a filter to the generated builders (`client.get_transactions().user_id(u).filter(f)`),
//! to the paging streams ([`Client::transactions`](crate::Client::transactions)`(u).filter(f)`)
//! or to [`NewJobWait::filter`](crate::jobs::NewJobWait::filter). A value the grammar cannot
//! carry (a quote, a comma, an empty string), an empty [`one_of`](Field::one_of) list, a
//! reversed [`between`](Field::between) or a date-time with a fraction of a second is a
//! [`FilterError`], surfacing as [`Error::InvalidInput`](crate::Error::InvalidInput) before any
//! request is sent. What is not modelled can still be sent with [`Filter::raw`].
//!
//! The types rule out the rest. An operator a field does not take does not exist:
//!
//! ```compile_fail
//! use basiq::filter::AccountFilter;
//! let _ = AccountFilter::account_id().gt("acc-1");
//! ```
//!
//! A field of another endpoint cannot be joined in:
//!
//! ```compile_fail
//! use basiq::filter::{AccountFilter, TransactionFilter};
//! use basiq::open::TransactionStatus;
//! let _ = AccountFilter::account_id().eq("acc-1").and(TransactionFilter::status().eq(TransactionStatus::Posted));
//! ```
//!
//! A field takes only its kind of value:
//!
//! ```compile_fail
//! use basiq::filter::TransactionFilter;
//! let _ = TransactionFilter::post_date().gt("2024-01-01");
//! ```
//!
//! ```compile_fail
//! use basiq::filter::TransactionFilter;
//! use basiq::open::TransactionDirection;
//! let _ = TransactionFilter::status().eq(TransactionDirection::Debit);
//! ```
//!
//! `in` exists only where documented (connectors), `ne` too:
//!
//! ```compile_fail
//! use basiq::filter::TransactionFilter;
//! let _ = TransactionFilter::account_id().one_of(["a", "b"]);
//! ```
//!
//! ```compile_fail
//! use basiq::filter::EventFilter;
//! let _ = EventFilter::user_id().ne("u-1");
//! ```
//!
//! A paging stream takes only its own endpoint's filter:
//!
//! ```compile_fail
//! # fn demo(client: &basiq::Client) {
//! use basiq::filter::AccountFilter;
//! let _ = client.transactions("u-1").filter(AccountFilter::account_id().eq("acc-1"));
//! # }
//! ```
//!
//! The generated builders take any `TryInto<String>`, so there nothing stops a filter of
//! another endpoint; pass the one named after the call.

/// Declares one endpoint: its marker type, its filter type alias and its fields.
macro_rules! endpoint {
    (
        $(#[$doc:meta])* $marker:ident, $name:literal, $between:ident;
        $(#[$alias_doc:meta])* $alias:ident;
        $($(#[$field_doc:meta])* $field:ident: $wire:literal, $value:ty, $ops:ident;)*
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $marker {}

        impl $crate::filter::typed::sealed::Endpoint for $marker {
            const NAME: &'static str = $name;
            const BETWEEN: $crate::filter::grammar::Between = $crate::filter::grammar::Between::$between;
        }

        impl $crate::filter::typed::Endpoint for $marker {}

        $(#[$alias_doc])*
        pub type $alias = $crate::filter::typed::Filter<$marker>;

        impl $crate::filter::typed::Filter<$marker> {
            $(
                $(#[$field_doc])*
                pub fn $field() -> $crate::filter::typed::Field<$marker, $value, $ops> {
                    $crate::filter::typed::Field::new($wire)
                }
            )*
        }
    };
}

mod accounts;
mod connections;
mod connectors;
mod error;
mod events;
mod grammar;
#[cfg(test)]
mod tests;
mod transactions;
mod typed;
mod values;

pub use accounts::{AccountFilter, Accounts};
pub use connections::{ConnectionFilter, Connections, JobFilter, UserJobs};
pub use connectors::{ConnectorFilter, Connectors};
pub use error::{FilterError, FilterErrorKind};
pub use events::{EventFilter, Events, WebhookMessageFilter, WebhookMessages};
pub use transactions::{ReportTransactionFilter, ReportTransactions, TransactionFilter, Transactions};
pub use typed::{AllowsIn, AllowsNe, AllowsOrder, Endpoint, EqNe, EqNeIn, EqOnly, Field, Filter, Operators, Ordered};
pub use values::{DateOrTime, FilterValue};
