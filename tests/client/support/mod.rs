//! Helpers shared by the integration tests (`mod support;`). Each test crate uses a different
//! subset, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod capture;
pub mod ops;
pub mod recorder;
pub mod spec;
