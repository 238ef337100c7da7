//! Paging: streams that follow `links.next`, fetching one page at a time.
//!
//! Only the page being read is held in memory; the next one is requested when the last item of
//! the current one has been taken. An error (on any page) is yielded as an `Err` item and ends
//! the stream. Next links must point at the client's base URL; the token is never sent elsewhere.
//!
//! ```no_run
//! # async fn demo(client: &basiq::Client) -> Result<(), basiq::Error> {
//! use basiq::Call;
//! use futures::StreamExt;
//!
//! use basiq::filter::TransactionFilter;
//! use basiq::open::TransactionStatus;
//!
//! let posted = TransactionFilter::status().eq(TransactionStatus::Posted);
//! let mut transactions = client.transactions("a1b2c3").filter(posted).stream();
//! while let Some(transaction) = transactions.next().await {
//!     println!("{:?}", transaction?.amount);
//! }
//!
//! // Any list with `links.next`, page by page:
//! let mut reports = basiq::pages::paginate(client, client.list_all_reports().call(), "list_all_reports");
//! while let Some(page) = reports.next().await {
//!     println!("{} reports", page?.data.len());
//! }
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use futures::future::{BoxFuture, FutureExt};
use futures::stream::{self, BoxStream, Stream, StreamExt};
use serde::de::DeserializeOwned;

use crate::filter::{self, Filter, FilterError};
use crate::{Call, Client, Error, types};

/// A list response that may link to a following page.
pub trait Paged {
    /// What the list holds.
    type Item;
    /// The `links.next` URL, when there is a following page.
    fn next_url(&self) -> Option<&str>;
    /// The page's items and its `links.next` URL.
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}

macro_rules! paged {
    ($($list:ident => $item:ident,)*) => {$(
        impl Paged for types::$list {
            type Item = types::$item;

            fn next_url(&self) -> Option<&str> {
                self.links.as_ref().and_then(|l| l.next.as_deref()).filter(|next| !next.trim().is_empty())
            }

            fn into_parts(self) -> (Vec<Self::Item>, Option<String>) {
                let next = self.next_url().map(str::to_owned);
                (self.data, next)
            }
        }
    )*};
}

paged! {
    TransactionList => Transaction,
    WebhookMessageList => WebhookMessage,
    WebhookList => Webhook,
    ReportList => Report,
    ReportTransactionList => ReportTransaction,
    AffordabilityTransactionList => AffordabilityTransaction,
    EventList => Event,
    JobList => Job,
}

/// Streams every page: `first_page` (usually a generated call's `.call()`), then each `links.next`.
///
/// `operation` names the later requests in errors and traces, e.g. `"list_all_reports"`.
pub fn paginate<'a, P, F>(client: &'a Client, first_page: F, operation: &'static str) -> BoxStream<'a, Result<P, Error>>
where
    P: Paged + DeserializeOwned + Send + 'a,
    F: Future<Output = Result<P, Error>> + Send + 'a,
{
    enum Cursor<F> {
        First(F),
        Next(String),
        Done,
    }
    /// Where the stream is, the links it followed and how many pages it fetched.
    struct State<F> {
        cursor: Cursor<F>,
        followed: HashSet<String>,
        pages: usize,
    }
    let limit = client.inner.0.max_pages;
    let start = State { cursor: Cursor::First(first_page), followed: HashSet::new(), pages: 0 };
    stream::unfold(start, move |mut state| async move {
        let fetched = match std::mem::replace(&mut state.cursor, Cursor::Done) {
            Cursor::Done => return None,
            Cursor::First(first) => first.await,
            Cursor::Next(_) if state.pages >= limit => {
                return Some((Err(Error::PageLimit { operation: operation.to_owned(), limit }), state));
            }
            Cursor::Next(url) if state.followed.contains(&url) => {
                return Some((Err(Error::PageLoop { operation: operation.to_owned(), url }), state));
            }
            Cursor::Next(url) => {
                let page = follow::<P>(client, &url, operation).await;
                state.followed.insert(url);
                page
            }
        };
        state.pages += 1;
        if let Ok(page) = &fetched {
            state.cursor = page.next_url().map_or(Cursor::Done, |url| Cursor::Next(url.to_owned()));
        }
        Some((fetched, state))
    })
    .boxed()
}

/// Flattens a stream of pages into their items; an `Err` page becomes an `Err` item.
pub fn items<'a, P>(pages: impl Stream<Item = Result<P, Error>> + Send + 'a) -> BoxStream<'a, Result<P::Item, Error>>
where
    P: Paged + Send + 'a,
    P::Item: Send + 'a,
{
    pages
        .flat_map(|page| match page {
            Ok(page) => stream::iter(page.into_parts().0.into_iter().map(Ok)).left_stream(),
            Err(error) => stream::once(async { Err(error) }).right_stream(),
        })
        .boxed()
}

/// GETs a next link; a relative one is taken as relative to the base URL.
async fn follow<P: DeserializeOwned>(client: &Client, url: &str, operation: &'static str) -> Result<P, Error> {
    if url.starts_with('/') && !url.starts_with("//") {
        let absolute = format!("{}{url}", client.inner.0.base_url);
        return crate::hooks::get_json(client, &absolute, operation).await;
    }
    crate::hooks::get_json(client, url, operation).await
}

/// Requests a list's first page from the owner's id, the filter and the page size.
type FirstPage<P> = for<'c> fn(&'c Client, String, Option<String>, Option<i64>) -> BoxFuture<'c, Result<P, Error>>;

/// Every page of one owner's list, filtered with a [`Filter<E>`]; [`TransactionPages`] and
/// [`WebhookMessagePages`] are its uses.
#[must_use = "call .stream() or .pages() to read the list"]
pub struct ListPages<'a, P, E> {
    client: &'a Client,
    owner: String,
    filter: Option<Result<String, FilterError>>,
    limit: Option<i64>,
    operation: &'static str,
    first: FirstPage<P>,
    endpoint: PhantomData<fn() -> E>,
}

impl<P, E> Clone for ListPages<'_, P, E> {
    fn clone(&self) -> Self {
        ListPages { owner: self.owner.clone(), filter: self.filter.clone(), ..*self }
    }
}

impl<P, E> fmt::Debug for ListPages<'_, P, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListPages")
            .field("client", &self.client)
            .field("owner", &self.owner)
            .field("filter", &self.filter)
            .field("limit", &self.limit)
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

/// A user's transactions, every page; start from [`Client::transactions`].
pub type TransactionPages<'a> = ListPages<'a, types::TransactionList, filter::Transactions>;

/// A webhook's delivered messages, every page; start from [`Client::webhook_messages`].
pub type WebhookMessagePages<'a> = ListPages<'a, types::WebhookMessageList, filter::WebhookMessages>;

impl<'a, P, E> ListPages<'a, P, E>
where
    P: Paged + DeserializeOwned + Send + 'a,
    P::Item: Send + 'a,
    E: filter::Endpoint,
{
    /// Narrows the list with a filter of this endpoint, e.g. a [`TransactionFilter`](crate::filter::TransactionFilter);
    /// an invalid one is the stream's first and only item, as [`Error::InvalidInput`], before any request.
    pub fn filter(mut self, filter: Filter<E>) -> Self {
        self.filter = Some(filter.render());
        self
    }

    /// Page size (Basiq allows at most 500, its default).
    pub fn limit(mut self, limit: i64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Streams whole pages, for callers who want `count` or page boundaries.
    pub fn pages(self) -> BoxStream<'a, Result<P, Error>> {
        let filter = match self.filter.transpose() {
            Ok(filter) => filter,
            Err(error) => return stream::once(async move { Err(error.into()) }).boxed(),
        };
        let first = (self.first)(self.client, self.owner, filter, self.limit);
        paginate(self.client, first, self.operation)
    }

    /// Streams the items one by one across all pages.
    pub fn stream(self) -> BoxStream<'a, Result<P::Item, Error>> {
        items(self.pages())
    }
}

impl Client {
    /// Every transaction of `user_id`, following `links.next`; add `.filter()`/`.limit()`, then `.stream()`.
    pub fn transactions(&self, user_id: impl Into<String>) -> TransactionPages<'_> {
        self.list_pages(user_id.into(), "get_transactions", |client, user_id, filter, limit| {
            let call = client.get_transactions().user_id(user_id);
            let call = filter.into_iter().fold(call, |call, filter| call.filter(filter));
            limit.into_iter().fold(call, |call, limit| call.limit(limit)).call().boxed()
        })
    }

    /// Every message sent to webhook `webhook_id`, following `links.next`.
    pub fn webhook_messages(&self, webhook_id: impl Into<String>) -> WebhookMessagePages<'_> {
        self.list_pages(webhook_id.into(), "list_messages", |client, webhook_id, filter, limit| {
            let call = client.list_messages().webhook_id(webhook_id);
            let call = filter.into_iter().fold(call, |call, filter| call.filter(filter));
            limit.into_iter().fold(call, |call, limit| call.limit(limit)).call().boxed()
        })
    }

    fn list_pages<P, E>(&self, owner: String, operation: &'static str, first: FirstPage<P>) -> ListPages<'_, P, E> {
        ListPages { client: self, owner, filter: None, limit: None, operation, first, endpoint: PhantomData }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn list_pages_are_send_sync_and_covariant() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<TransactionPages<'static>>();
        send_sync::<WebhookMessagePages<'static>>();
        fn _shorter<'s>(pages: TransactionPages<'static>) -> TransactionPages<'s> {
            pages
        }
    }

    #[test]
    fn next_links_are_read_and_blank_ones_ignored() {
        let page: types::TransactionList =
            serde_json::from_value(json!({"data": [{"id": "t1"}], "links": {"next": "https://h/x?next=2"}})).unwrap();
        assert_eq!(page.next_url(), Some("https://h/x?next=2"));
        let (items, next) = page.into_parts();
        assert_eq!((items.len(), next.as_deref()), (1, Some("https://h/x?next=2")));
        let last: types::EventList = serde_json::from_value(json!({"data": [], "links": {"next": " "}})).unwrap();
        assert_eq!(last.next_url(), None);
        let bare: types::ReportList = serde_json::from_value(json!({"data": []})).unwrap();
        assert_eq!(bare.into_parts().1, None);
    }
}
