//! `.call()`: send a generated request and get the body or a [`basiq::Error`](crate::Error) that
//! names the operation, and for a body that does not decode, the failing field's path.
//!
//! ```no_run
//! # async fn demo(client: &basiq::Client) -> Result<(), basiq::Error> {
//! use basiq::Call;
//! let accounts = client.get_accounts().user_id("a1b2c3").call().await?;
//! for account in &accounts.data {
//!     println!("{:?}", account.name);
//! }
//! # Ok(()) }
//! ```

use std::future::Future;

use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error};
use crate::redact;

/// The snake_case operation id of the token request (`postToken`), which the hooks treat specially.
pub(crate) const TOKEN_OPERATION: &str = "post_token";

/// Sends a generated request builder and returns the decoded body, or a typed [`Error`].
pub trait Call {
    /// The decoded success body (`Option<T>` where Basiq may answer 204 with no body).
    type Output;
    /// Sends the request; auth, retries and tracing are applied by the client's hooks.
    fn call(self) -> impl Future<Output = Result<Self::Output, Error>> + Send;
}

/// Describes one operation of the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// Basiq's operationId, e.g. `getAccounts`.
    pub operation_id: &'static str,
    /// The Rust method name on [`Client`](crate::Client), e.g. `get_accounts`.
    pub name: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template, e.g. `/users/{userId}/accounts`.
    pub path: &'static str,
    /// False for the operation written by hand (`createStatement`).
    pub generated: bool,
}

/// Awaits a generated call; `status` is the success status a body that fails to decode came with
/// (error bodies are normalised by the hooks and always decode), when the operation has only one.
pub(crate) async fn finish<T, F>(operation: &'static str, status: Option<u16>, sent: F) -> Result<T, Error>
where
    T: DeserializeOwned,
    F: Future<Output = Result<progenitor_client::ResponseValue<T>, crate::GeneratedError>>,
{
    match sent.await {
        Ok(value) => Ok(value.into_inner()),
        Err(error) => Err(map_error::<T>(operation, status, error)),
    }
}

/// Like [`finish`], for operations where Basiq may answer 204 with no body: that gives `None`.
pub(crate) async fn finish_or_empty<T, F>(
    operation: &'static str,
    status: Option<u16>,
    sent: F,
) -> Result<Option<T>, Error>
where
    T: DeserializeOwned,
    F: Future<Output = Result<progenitor_client::ResponseValue<T>, crate::GeneratedError>>,
{
    match sent.await {
        Ok(value) => Ok(Some(value.into_inner())),
        Err(progenitor_client::Error::UnexpectedResponse(r)) if r.status().is_success() => Ok(None),
        Err(error) => Err(map_error::<T>(operation, status, error)),
    }
}

fn map_error<T: DeserializeOwned>(operation: &'static str, status: Option<u16>, error: crate::GeneratedError) -> Error {
    match error {
        progenitor_client::Error::InvalidResponsePayload(bytes, e) => {
            Error::Decode(decode_error::<T>(operation, status, &bytes, e))
        }
        other => Error::from(other).with_operation(operation),
    }
}

/// Decodes again, tracking the path, to say which field broke.
pub(crate) fn decode_error<T: DeserializeOwned>(
    operation: &str,
    status: Option<u16>,
    body: &[u8],
    first: serde_json::Error,
) -> DecodeError {
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => (Some(e.path().to_string()).filter(|p| p != "."), e.into_inner().to_string()),
        Ok(_) => (None, first.to_string()),
    };
    DecodeError { operation: Some(operation.to_owned()), status, path, message, excerpt: redact::excerpt(body) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Page {
        data: Vec<Item>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        amount: String,
    }

    #[test]
    fn decode_errors_name_the_field_path() {
        let body = br#"{"data":[{"amount":"1.00"},{"amount":12}]}"#;
        let first = serde_json::from_slice::<Page>(body).unwrap_err();
        let e = decode_error::<Page>("get_transactions", Some(200), body, first);
        assert_eq!(e.path.as_deref(), Some("data[1].amount"));
        assert_eq!(e.operation.as_deref(), Some("get_transactions"));
        assert!(Error::Decode(e).to_string().contains("data[1].amount"));
    }
}
