//! The Lua side: the `app.integrations.close` bindings and the JSON bridge.

pub mod build;
pub mod csv;
pub mod dry_run;
pub mod functions;
pub mod help;
pub mod iterators;
pub mod json;
pub mod json_module;
pub mod namespace;
pub mod reference;
pub mod specs;
pub mod tape;
pub mod validate;

use crate::close::ApiError;
use crate::config::{ConfigError, Mode};

/// Why a binding call failed; each kind reaches the script as a different error value.
#[derive(Debug)]
pub enum Failure {
    /// The script called the function wrongly; raised as a string with the script's line.
    Usage(String),
    /// The configuration is missing or wrong; ends the run with status 2 unless caught.
    Config(ConfigError),
    /// The API call failed; raised as a table with `status`, `message`, `field_errors`...
    Api(ApiError),
    /// The account's mode does not allow the call; nothing was sent.
    Refused { account: String, mode: Mode, operation: &'static str },
    /// The Lua VM failed (e.g. out of memory).
    Lua(mlua::Error),
}

impl From<ApiError> for Failure {
    fn from(err: ApiError) -> Failure {
        Failure::Api(err)
    }
}

impl From<ConfigError> for Failure {
    fn from(err: ConfigError) -> Failure {
        Failure::Config(err)
    }
}

impl From<mlua::Error> for Failure {
    fn from(err: mlua::Error) -> Failure {
        Failure::Lua(err)
    }
}
