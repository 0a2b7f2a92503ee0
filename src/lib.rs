//! close-lua runs Lua 5.4 scripts against the Close CRM REST API.
//!
//! The binary in `main.rs` is a thin shell around this library; the library is split out so
//! that the integration tests and benchmarks can start the sandbox (the built-in emulator of
//! the Close API) in their own process and inspect what it received.

pub mod cli;
pub mod close;
pub mod commands;
pub mod config;
pub mod interrupt;
pub mod lua;
pub mod run_accounts;
pub mod runner;
pub mod sandbox;
pub mod settings;
