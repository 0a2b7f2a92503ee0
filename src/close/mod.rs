//! The client side of the Close API: HTTP calls, retries, their failures, and custom-field
//! names.
//!
//! Nothing here knows about Lua; the bindings in `lua` turn results and errors into Lua
//! values.

pub mod client;
pub mod custom_fields;
pub mod error;
pub mod pager;
mod resolve;
pub mod retry;
pub mod secret;

pub use client::{Client, Method};
pub use error::{ApiError, FailureKind};
