#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod auth;
mod call;
mod clock;
mod config;
pub mod consent;
mod deadline;
pub mod error;
pub mod filter;
mod hooks;
pub mod jobs;
mod lenient;
pub mod open;
pub mod pages;
mod redact;
pub mod retry;
mod secret;
mod send;
mod state;
pub mod statements;
mod timestamp;
mod token_cache;
mod token_refusal;
pub mod transport;
pub mod webhooks;
pub mod workflow;

#[allow(clippy::all, unused, missing_docs, rustdoc::all)]
mod generated {
    include!("../generated/basiq.rs");
}

/// The table of all operations and the [`Call`] impls, generated from the spec.
mod operations {
    use crate::call::Operation;
    include!("../generated/operations.rs");
}

pub use call::{Call, Operation};
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CALL_DEADLINE, DEFAULT_MAX_PAGES, ENV_API_KEY, ENV_BASE_URL,
};
pub use consent::{ConsentAction, ConsentRedirect, ConsentUrl};
pub use error::{ApiError, DecodeError, Error, ErrorItem, JobFailure, TokenError, TokenErrorKind};
pub use generated::{Client, ResponseValue, builder, types};
pub use jobs::{CompletedJob, JobOutcome, JobProgress, MfaChallenge};
pub use operations::OPERATIONS;
pub use pages::Paged;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use state::ClientState;
pub use token_cache::DEFAULT_CLIENT_TOKEN_CAPACITY;

/// The generated client's error type, before mapping into [`Error`].
pub type GeneratedError = progenitor_client::Error<types::BasiqError>;
