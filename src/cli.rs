//! Command-line definitions.
//!
//! This module holds only what clap parses: the raw input, with the doc comments as help
//! text. Merging it with the config file and the environment happens in `settings`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  close-lua run --sandbox scripts/tour.lua        try it against the built-in sandbox
  close-lua run report.lua --since 2026-01-01     arguments after the script reach it
  close-lua -e 'print(app.integrations.close.get_current_user({}).email)'
  echo 'print(1 + 1)' | close-lua run -
  close-lua --account eu_team run weekly.lua";

/// Run Lua 5.4 scripts against the Close CRM API.
#[derive(Debug, Parser)]
#[command(
    name = "close-lua",
    version,
    after_help = EXAMPLES,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Run CHUNK, a piece of Lua code, instead of a script (same as `run -e`)
    #[arg(short = 'e', value_name = "CHUNK")]
    pub chunk: Option<String>,

    /// Load MODULE before the script, as `MODULE = require("MODULE")`, or with
    /// NAME=MODULE as `NAME = require("MODULE")`
    #[arg(short = 'l', value_name = "[NAME=]MODULE")]
    pub modules: Vec<String>,

    /// A script (or - for stdin) and the arguments given to it; with -e, only arguments
    #[arg(value_name = "SCRIPT|-] [ARGS", trailing_var_arg = true, allow_hyphen_values = true)]
    pub script_and_args: Vec<OsString>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options that apply to every subcommand and may stand before or after its name.
///
/// They are flattened into the top level and into each subcommand rather than marked
/// `global`, because clap keeps a global option given after the subcommand's name in the
/// subcommand's matches only; [`GlobalArgs::merged_with`] joins the two.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Read accounts from this config file instead of the default location
    /// [env: CLOSE_LUA_CONFIG]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Use this account for app.integrations.close (default: the config's default_account)
    /// [env: CLOSE_LUA_ACCOUNT]
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,

    /// Talk to the built-in sandbox (a local emulator of the Close API with demo data)
    #[arg(long)]
    pub sandbox: bool,

    /// Report each HTTP call on stderr (-vv for more detail)
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Show no progress bars
    #[arg(short, long)]
    pub quiet: bool,

    /// Send no writes: report each create, update and delete on stderr instead
    #[arg(long)]
    pub dry_run: bool,

    /// Give up on an HTTP call after this many seconds [default: 30, or timeout_secs in the
    /// config]
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    pub timeout: Option<Duration>,

    /// Stop the script, with exit status 1, once the run has taken this many seconds
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    pub max_runtime: Option<Duration>,
}

impl GlobalArgs {
    /// Combines the options given before a subcommand with those given after its name; the
    /// later ones win, as a reader of the command line would expect.
    pub fn merged_with(self, later: GlobalArgs) -> GlobalArgs {
        GlobalArgs {
            config: later.config.or(self.config),
            account: later.account.or(self.account),
            sandbox: self.sandbox || later.sandbox,
            verbose: self.verbose.saturating_add(later.verbose),
            quiet: self.quiet || later.quiet,
            dry_run: self.dry_run || later.dry_run,
            timeout: later.timeout.or(self.timeout),
            max_runtime: later.max_runtime.or(self.max_runtime),
        }
    }
}

/// A positive number of seconds, such as `30` or `0.5`.
pub fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text.trim().parse().map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(value > 0.0 && value <= 1e9) {
        return Err(format!("{text} is not a usable number of seconds: give more than 0"));
    }
    Ok(Duration::from_secs_f64(value))
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a Lua script, a chunk given with -e, or stdin (-)
    #[command(after_help = EXAMPLES)]
    Run(RunArgs),

    /// Start an interactive Lua prompt with app.integrations.close ready
    Repl(ReplArgs),

    /// Print the reference of the Lua API as Markdown, or of one function
    Docs {
        /// A function, such as list_leads
        function: Option<String>,
    },

    /// Print Lua Language Server annotations, for completion in editors (close-lua types > close.d.lua)
    Types(ReplArgs),

    /// List the configured accounts; with --check, try each one
    Accounts(AccountsArgs),

    /// Show where the config file is looked for, or write a first one
    #[command(subcommand)]
    Config(ConfigCommand),

    /// Print a shell completion script (close-lua completions bash > ~/.local/share/bash-completion/completions/close-lua)
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },

    /// Work with the built-in sandbox (an emulator of the Close API)
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

/// Arguments of the subcommands that take only the global options.
#[derive(Debug, Args)]
pub struct ReplArgs {
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Arguments of `close-lua accounts`.
#[derive(Debug, Args)]
pub struct AccountsArgs {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Call the API once for each account (GET /me/) and report the user; exit status 1 if
    /// any fails
    #[arg(long)]
    pub check: bool,
}

/// `close-lua config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file close-lua reads, and whether it exists
    Path(ReplArgs),
    /// Write a commented config file to fill in (readable by you only); never overwrites
    Init(ReplArgs),
}

/// `close-lua sandbox ...`.
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox on 127.0.0.1 until interrupted, for other tools and benchmarks.
    /// Prints a config for its accounts on stdout first.
    Serve(ServeArgs),
}

/// Arguments of `close-lua sandbox serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Generated leads per organisation beside the demo ones (about 2.5 KB each)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub leads: usize,

    /// The accounts (organisations) to serve
    #[arg(long, value_delimiter = ',', default_value = "default,us_team,eu_team", value_name = "NAMES")]
    pub accounts: Vec<String>,

    /// The deepest `_skip` the list endpoints accept
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_skip: usize,

    /// Requests per second each key may make before answers turn to 429
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub rate_limit: u32,
}

/// Arguments of `close-lua run`.
#[derive(Debug, Args)]
#[command(arg_required_else_help = true)]
pub struct RunArgs {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Run CHUNK, a piece of Lua code, instead of a script
    #[arg(short = 'e', value_name = "CHUNK")]
    pub chunk: Option<String>,

    /// Load MODULE before the script, as `MODULE = require("MODULE")`, or with
    /// NAME=MODULE as `NAME = require("MODULE")`
    #[arg(short = 'l', value_name = "[NAME=]MODULE")]
    pub modules: Vec<String>,

    /// The script (or - for stdin) followed by its arguments; with -e, only arguments.
    /// Everything after the script goes to it untouched, even if it looks like an option.
    #[arg(value_name = "SCRIPT|-] [ARGS", trailing_var_arg = true, allow_hyphen_values = true)]
    pub script_and_args: Vec<OsString>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(args).expect("arguments should parse")
    }

    fn run_args(cli: Cli) -> RunArgs {
        match cli.command {
            Some(Command::Run(run)) => run,
            other => panic!("expected run, got {other:?}"),
        }
    }

    #[test]
    fn options_after_the_script_belong_to_the_script() {
        let cli = parse(&["close-lua", "run", "s.lua", "-v", "--x", "--account", "a"]);
        assert_eq!(cli.global.verbose, 0);
        let run = run_args(cli);
        assert_eq!(run.global.verbose, 0);
        assert_eq!(run.global.account, None);
        assert_eq!(run.script_and_args, ["s.lua", "-v", "--x", "--account", "a"]);
    }

    #[test]
    fn global_options_may_stand_on_either_side_of_run() {
        let cli = parse(&["close-lua", "--account", "eu", "-v", "run", "--sandbox", "-v", "w.lua"]);
        let top = cli.global.clone();
        let run = run_args(cli);
        let global = top.merged_with(run.global);
        assert_eq!(global.account.as_deref(), Some("eu"));
        assert!(global.sandbox);
        assert_eq!(global.verbose, 2);
        assert_eq!(run.script_and_args, ["w.lua"]);
    }

    #[test]
    fn chunk_takes_arguments_after_it() {
        let run = run_args(parse(&["close-lua", "run", "-e", "print(...)", "a", "-b"]));
        assert_eq!(run.chunk.as_deref(), Some("print(...)"));
        assert_eq!(run.script_and_args, ["a", "-b"]);

        let cli = parse(&["close-lua", "-e", "print(...)", "x", "--y"]);
        assert_eq!(cli.chunk.as_deref(), Some("print(...)"));
        assert_eq!(cli.script_and_args, ["x", "--y"]);
        assert!(cli.command.is_none());
    }

    #[test]
    fn stdin_is_a_dash() {
        let run = run_args(parse(&["close-lua", "run", "-", "arg"]));
        assert_eq!(run.script_and_args, ["-", "arg"]);
    }

    #[test]
    fn a_bare_script_runs_like_run() {
        let cli = parse(&["close-lua", "--sandbox", "tour.lua", "--flag"]);
        assert!(cli.command.is_none());
        assert_eq!(cli.script_and_args, ["tour.lua", "--flag"]);
    }

    #[test]
    fn seconds_may_have_a_fraction_but_must_be_positive() {
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(seconds("30"), Ok(Duration::from_secs(30)));
        assert_eq!(seconds("0"), Err("0 is not a usable number of seconds: give more than 0".to_string()));
        assert_eq!(seconds("soon"), Err("'soon' is not a number of seconds".to_string()));
        assert!(seconds("NaN").is_err() && seconds("-1").is_err());
    }

    #[test]
    fn the_later_timeout_wins() {
        let cli = parse(&["close-lua", "--timeout", "5", "run", "--timeout", "9", "s.lua"]);
        let top = cli.global.clone();
        assert_eq!(top.merged_with(run_args(cli).global).timeout, Some(Duration::from_secs(9)));
    }
}
