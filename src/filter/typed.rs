//! The typed building blocks: [`Filter`] (what is sent), [`Field`] (one field of one endpoint,
//! with its value kind and operator set) and the operator sets.

use std::fmt;
use std::marker::PhantomData;

use super::error::{FilterError, FilterErrorKind};
use super::grammar::{self, Op, Statement};
use super::values::FilterValue;

pub(crate) mod sealed {
    use crate::filter::grammar::Between;

    /// Sealed: the endpoints and operator sets are this crate's.
    pub trait Endpoint {
        /// The operation's name, for error messages.
        const NAME: &'static str;
        /// How this endpoint writes `bt`.
        const BETWEEN: Between;
    }

    /// Sealed marker for operator sets.
    pub trait Operators {}
}

/// A list endpoint that takes `?filter=`; each has its own [`Filter`] type.
pub trait Endpoint: sealed::Endpoint {}

/// A set of operators a field accepts.
pub trait Operators: sealed::Operators {}

/// Operator sets that include `ne`.
pub trait AllowsNe: Operators {}

/// Operator sets that include `in` ([`Field::one_of`]).
pub trait AllowsIn: Operators {}

/// Operator sets that include `gt`, `gteq`, `lt`, `lteq` and `bt` ([`Field::between`]).
pub trait AllowsOrder: Operators {}

macro_rules! operator_sets {
    ($($(#[$doc:meta])* $set:ident: $($allows:ident),*;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $set {}
        impl sealed::Operators for $set {}
        impl Operators for $set {}
        $(impl $allows for $set {})*
    )*};
}

operator_sets! {
    /// Only `eq`.
    EqOnly: ;
    /// `eq` and `ne`.
    EqNe: AllowsNe;
    /// `eq`, `ne` and `in`.
    EqNeIn: AllowsNe, AllowsIn;
    /// `eq`, `gt`, `gteq`, `lt`, `lteq` and `bt`: for dates.
    Ordered: AllowsOrder;
}

/// A filter for endpoint `E`: one or more statements that must all hold.
///
/// Build it from the field functions of its endpoint (e.g. [`TransactionFilter::status`](super::TransactionFilter::status))
/// and [`and`](Filter::and). A value the grammar cannot carry is kept as an error and reported
/// by [`render`](Filter::render), by the generated builders' `.filter(..)` (as
/// [`Error::InvalidInput`](crate::Error::InvalidInput) on `send`) and by the paging streams, always
/// before a request is sent.
#[derive(Clone, PartialEq, Eq)]
#[must_use = "a filter does nothing until passed to a call"]
pub struct Filter<E> {
    statements: Vec<Statement>,
    error: Option<FilterError>,
    endpoint: PhantomData<fn() -> E>,
}

impl<E: Endpoint> fmt::Debug for Filter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("endpoint", &E::NAME)
            .field("statements", &self.statements)
            .field("error", &self.error)
            .finish()
    }
}

impl<E: Endpoint> Filter<E> {
    fn one(statement: Result<Statement, FilterError>) -> Self {
        match statement {
            Ok(statement) => Filter { statements: vec![statement], error: None, endpoint: PhantomData },
            Err(error) => Filter { statements: Vec::new(), error: Some(error), endpoint: PhantomData },
        }
    }

    fn typed(field: &'static str, op: Op, values: Result<Vec<String>, FilterErrorKind>) -> Self {
        Self::one(
            values.map(|values| Statement::Typed { field, op, values }).map_err(|kind| FilterError::new(field, kind)),
        )
    }

    /// A statement this crate does not model, sent exactly as written (after trimming).
    ///
    /// Nothing checks it: Basiq answers 400 `parameter-not-valid` if it is wrong. Only blank
    /// text is refused. Prefer the typed fields; combine with them through [`and`](Filter::and).
    pub fn raw(expression: impl Into<String>) -> Self {
        let expression = expression.into();
        if expression.trim().is_empty() {
            return Self::one(Err(FilterError::new("raw", FilterErrorKind::EmptyRaw)));
        }
        Self::one(Ok(Statement::Raw(expression)))
    }

    /// Both this filter and `other` must hold.
    pub fn and(mut self, other: Filter<E>) -> Self {
        self.statements.extend(other.statements);
        self.error = self.error.or(other.error);
        self
    }

    /// The `?filter=` text (before URL encoding), or the first problem found while building it.
    pub fn render(&self) -> Result<String, FilterError> {
        match &self.error {
            Some(error) => Err(error.clone()),
            None => Ok(grammar::render(&self.statements, E::BETWEEN)),
        }
    }
}

impl<E: Endpoint> TryFrom<Filter<E>> for String {
    type Error = FilterError;

    fn try_from(filter: Filter<E>) -> Result<Self, Self::Error> {
        filter.render()
    }
}

impl<E: Endpoint> TryFrom<&Filter<E>> for String {
    type Error = FilterError;

    fn try_from(filter: &Filter<E>) -> Result<Self, Self::Error> {
        filter.render()
    }
}

/// One filterable field of endpoint `E`, comparing values of kind `V` with the operators `O`.
///
/// Only the operators of `O` exist as methods, so `AccountFilter::account_id().gt(..)` does not
/// compile. Get fields from the endpoint's filter type, e.g. [`AccountFilter::account_id`](super::AccountFilter::account_id).
pub struct Field<E, V, O> {
    name: &'static str,
    kinds: Kinds<E, V, O>,
}

/// The endpoint, value kind and operator set a [`Field`] carries only in its type.
type Kinds<E, V, O> = PhantomData<fn() -> (E, V, O)>;

impl<E, V, O> Clone for Field<E, V, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E, V, O> Copy for Field<E, V, O> {}

impl<E, V, O> fmt::Debug for Field<E, V, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Field").field(&self.name).finish()
    }
}

fn wire_all<V: FilterValue>(values: impl IntoIterator<Item = V>) -> Result<Vec<String>, FilterErrorKind> {
    values.into_iter().map(|v| v.wire()).collect()
}

impl<E: Endpoint, V: FilterValue, O: Operators> Field<E, V, O> {
    pub(crate) const fn new(name: &'static str) -> Self {
        Field { name, kinds: PhantomData }
    }

    /// The field's name in the filter grammar, e.g. `transaction.postDate`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The field equals `value` (`eq`); for a date, falls on that day.
    pub fn eq(self, value: impl Into<V>) -> Filter<E> {
        Filter::typed(self.name, Op::Eq, wire_all([value.into()]))
    }
}

impl<E: Endpoint, V: FilterValue, O: AllowsNe> Field<E, V, O> {
    /// The field differs from `value` (`ne`).
    pub fn ne(self, value: impl Into<V>) -> Filter<E> {
        Filter::typed(self.name, Op::Ne, wire_all([value.into()]))
    }
}

impl<E: Endpoint, V: FilterValue, O: AllowsIn> Field<E, V, O> {
    /// The field equals one of `values` (`in`); an empty list is an error.
    pub fn one_of<I>(self, values: I) -> Filter<E>
    where
        I: IntoIterator,
        I::Item: Into<V>,
    {
        let values = wire_all(values.into_iter().map(Into::into))
            .and_then(|values| if values.is_empty() { Err(FilterErrorKind::EmptyList) } else { Ok(values) });
        Filter::typed(self.name, Op::In, values)
    }
}

impl<E: Endpoint, V: FilterValue, O: AllowsOrder> Field<E, V, O> {
    /// After `value` (`gt`); after the whole day for a date.
    pub fn gt(self, value: impl Into<V>) -> Filter<E> {
        Filter::typed(self.name, Op::Gt, wire_all([value.into()]))
    }

    /// At or after `value` (`gteq`); from the start of the day for a date.
    pub fn gteq(self, value: impl Into<V>) -> Filter<E> {
        Filter::typed(self.name, Op::Gteq, wire_all([value.into()]))
    }

    /// Before `value` (`lt`); before the day starts for a date.
    pub fn lt(self, value: impl Into<V>) -> Filter<E> {
        Filter::typed(self.name, Op::Lt, wire_all([value.into()]))
    }

    /// At or before `value` (`lteq`); up to the end of the day for a date.
    pub fn lteq(self, value: impl Into<V>) -> Filter<E> {
        Filter::typed(self.name, Op::Lteq, wire_all([value.into()]))
    }

    /// From `from` to `to`, both included (`bt`); `from` after `to` is an error.
    pub fn between(self, from: impl Into<V>, to: impl Into<V>) -> Filter<E> {
        let (from, to) = (from.into(), to.into());
        let reversed = matches!((from.span(), to.span()), (Some((start, _)), Some((_, end))) if start > end);
        let values = if reversed { Err(FilterErrorKind::ReversedRange) } else { wire_all([from, to]) };
        Filter::typed(self.name, Op::Bt, values)
    }
}
