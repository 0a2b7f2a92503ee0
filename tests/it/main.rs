//! Integration tests: the close-lua binary run as a user runs it, against the sandbox.
//!
//! No test reaches the network: the sandbox listens on 127.0.0.1, either inside the binary
//! (`--sandbox`) or inside this test process, where its request log can be read.

mod accounts;
mod bindings;
mod cli;
mod config;
mod conventions;
mod docs;
mod errors;
mod helpers;
mod iterators;
mod modules;
mod resilience;
mod runner;
mod safety;
mod scripts;
mod spec_examples;
