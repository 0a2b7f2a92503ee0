//! Command-line definitions.
//!
//! This module holds what clap parses: the raw input, with the doc comments as help text,
//! and the two things the `lua` interpreter does that clap does not (values attached to
//! `-l` and `-e`, and the order of those options). Merging it with the config file and the
//! environment happens in `settings`.

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

    /// Run CHUNK, a piece of Lua code, instead of a script; the words after the options
    /// are its arguments (same as `run -e`; may be repeated)
    #[arg(short = 'e', value_name = "CHUNK")]
    pub chunks: Vec<String>,

    /// Load MODULE before the script, as `MODULE = require("MODULE")` (a suffix after '-'
    /// is left out of the name: `-l mod-v2` sets `mod`), or with NAME=MODULE as
    /// `NAME = require("MODULE")`
    #[arg(short = 'l', value_name = "[NAME=]MODULE")]
    pub modules: Vec<String>,

    /// A script (or - for stdin) and the arguments given to it; with -e, only arguments
    #[arg(value_name = "SCRIPT|-] [ARGS", trailing_var_arg = true, allow_hyphen_values = true)]
    pub script_and_args: Vec<OsString>,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// The `-e` and `-l` options in the order given, which is the order they run in.
    #[arg(skip)]
    pub lua_options: Vec<LuaOption>,
}

/// A `-e` or `-l` option. Like the `lua` interpreter, close-lua runs them first, in the
/// order of the command line (`-l` modules before the script; `-e` rules out a script).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LuaOption {
    /// `-e CHUNK`: Lua code to run.
    Chunk(String),
    /// `-l [NAME=]MODULE`: a module to load into a global.
    Module(String),
}

impl Cli {
    /// Parses a command line. Unlike clap's own parsing, a value attached to a short option
    /// (`-lm`, `-eprint(1)`) is taken as the `lua` interpreter takes it, and the `-e` and
    /// `-l` options keep their order.
    pub fn parse_args(argv: &[OsString]) -> Result<Cli, clap::Error> {
        let mut command = <Cli as clap::CommandFactory>::command();
        command.build();
        let split = split_attached_values(argv, &command);
        let matches = command.try_get_matches_from(split)?;
        let mut cli = <Cli as clap::FromArgMatches>::from_arg_matches(&matches)?;
        cli.lua_options = lua_options(&matches);
        if let Some(("run", run)) = matches.subcommand() {
            cli.lua_options.extend(lua_options(run));
        }
        Ok(cli)
    }
}

/// The `-e` and `-l` options of one command's matches, in command-line order.
fn lua_options(matches: &clap::ArgMatches) -> Vec<LuaOption> {
    let mut options: Vec<(usize, LuaOption)> = Vec::new();
    for (id, make) in
        [("chunks", LuaOption::Chunk as fn(String) -> LuaOption), ("modules", LuaOption::Module)]
    {
        let values = matches.get_many::<String>(id).into_iter().flatten();
        let indices = matches.indices_of(id).into_iter().flatten();
        options.extend(indices.zip(values).map(|(index, value)| (index, make(value.clone()))));
    }
    options.sort_by_key(|(index, _)| *index);
    options.into_iter().map(|(_, option)| option).collect()
}

/// Splits `-lm` into `-l m` (and `-vlm` into `-vl m`) in the words before the script.
///
/// clap takes a short option with an attached value for a script name when a letter of the
/// value is not itself a short option, because the script's place accepts words starting
/// with '-'. Only the words before the script are looked at: everything from the script on
/// belongs to the script.
fn split_attached_values(argv: &[OsString], command: &clap::Command) -> Vec<OsString> {
    let mut command = command;
    let mut words = argv.iter();
    let mut out: Vec<OsString> = words.next().into_iter().cloned().collect();
    while let Some(word) = words.next() {
        let Some(text) = word.to_str() else {
            out.push(word.clone());
            break;
        };
        if text == "--" || text == "-" {
            out.push(word.clone());
            break;
        }
        if let Some(long) = text.strip_prefix("--") {
            out.push(word.clone());
            let takes_value = command
                .get_arguments()
                .any(|arg| arg.get_long() == Some(long) && arg.get_action().takes_values());
            if takes_value && let Some(value) = words.next() {
                out.push(value.clone());
            }
            continue;
        }
        if let Some(cluster) = text.strip_prefix('-') {
            match split_cluster(cluster, command) {
                Some(Cluster::Flags) => out.push(word.clone()),
                Some(Cluster::ValueNext) => {
                    out.push(word.clone());
                    if let Some(value) = words.next() {
                        out.push(value.clone());
                    }
                }
                Some(Cluster::Attached(options, value)) => {
                    out.push(format!("-{options}").into());
                    out.push(value.into());
                }
                // An unknown letter: clap takes the word for the script, and so must this.
                None => {
                    out.push(word.clone());
                    break;
                }
            }
            continue;
        }
        out.push(word.clone());
        match command.find_subcommand(text) {
            Some(subcommand) => command = subcommand,
            None => break,
        }
    }
    out.extend(words.cloned());
    out
}

/// How a word of the command line gives a `-e` chunk.
#[derive(Debug, PartialEq, Eq)]
pub enum ChunkOption {
    /// The chunk is the next word: `-e`, `-qe`.
    ValueNext,
    /// The chunk is in the word itself, after the option: `-eCODE` is the option `-e` and
    /// the chunk `CODE`.
    Attached { option: String, chunk: String },
}

/// Whether `word` is a cluster of short options ending in `-e`, and where its chunk is.
pub fn chunk_option(word: &str) -> Option<ChunkOption> {
    let cluster = word.strip_prefix('-').filter(|cluster| !cluster.starts_with('-'))?;
    let mut command = <Cli as clap::CommandFactory>::command();
    command.build();
    match split_cluster(cluster, &command)? {
        Cluster::ValueNext if cluster.ends_with('e') => Some(ChunkOption::ValueNext),
        Cluster::Attached(options, chunk) if options.ends_with('e') => {
            Some(ChunkOption::Attached { option: format!("-{options}"), chunk })
        }
        _ => None,
    }
}

/// What a cluster of short options (`vq`, `lm`, `e`) holds.
enum Cluster {
    /// Only flags.
    Flags,
    /// It ends with an option whose value is the next word.
    ValueNext,
    /// Options, the last taking the value that follows it in the same word.
    Attached(String, String),
}

/// Reads a cluster of short options; `None` when a letter is no option of `command`.
fn split_cluster(cluster: &str, command: &clap::Command) -> Option<Cluster> {
    for (at, letter) in cluster.char_indices() {
        let arg = command.get_arguments().find(|arg| arg.get_short() == Some(letter))?;
        if !arg.get_action().takes_values() {
            continue;
        }
        let end = at + letter.len_utf8();
        let value = &cluster[end..];
        if value.is_empty() {
            return Some(Cluster::ValueNext);
        }
        // `-l=m` is clap's own spelling of an attached value.
        let value = value.strip_prefix('=').unwrap_or(value);
        return Some(Cluster::Attached(cluster[..end].to_string(), value.to_string()));
    }
    Some(Cluster::Flags)
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

/// close-lua's own long options (`--config`, `--sandbox`...), for the messages about an
/// option given where close-lua does not read it.
pub fn long_options() -> Vec<String> {
    <Cli as clap::CommandFactory>::command()
        .get_arguments()
        .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
        .collect()
}

/// A positive number of seconds, such as `30` or `0.5`.
pub fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text.trim().parse().map_err(|_| format!("'{text}' is not a number of seconds"))?;
    usable_seconds(value).map_err(|why| format!("{text} is not a usable number of seconds: {why}"))
}

/// `value` seconds as a duration, or what to give instead: the rule for `--timeout`,
/// `--max-runtime` and the config's `timeout_secs`. The upper bound, about 31 years, is far
/// beyond any run and keeps the deadlines computed from it within what clocks can hold.
pub fn usable_seconds(value: f64) -> Result<Duration, &'static str> {
    if value.is_nan() || value <= 0.0 {
        return Err("give more than 0");
    }
    if value > 1e9 {
        return Err("give at most 1000000000");
    }
    Ok(Duration::from_secs_f64(value))
}

/// A number of generated leads: each organisation holds them in memory, about 20 KB apiece
/// with their contacts and rendered JSON, so the bound keeps a typo from asking for more
/// memory than a machine has.
fn generated_leads(text: &str) -> Result<usize, String> {
    const MOST: usize = 500_000;
    let n: usize = text.parse().map_err(|_| format!("'{text}' is not a number of leads"))?;
    if n > MOST {
        return Err(format!("{n} leads is more than the sandbox makes ({MOST} at most)"));
    }
    Ok(n)
}

/// An account name for the sandbox: one that a config file can hold as a bare key.
fn account_name(text: &str) -> Result<String, String> {
    let fits = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !fits {
        return Err(format!("'{text}' is not an account name: use letters, digits, '_' and '-'"));
    }
    Ok(text.to_string())
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
    /// Prints a config for its accounts on stdout first (or writes it with --write-config).
    Serve(ServeArgs),
}

/// Arguments of `close-lua sandbox serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Generated leads per organisation beside the demo ones (about 2.5 KB each, at most
    /// 500000)
    #[arg(long, default_value_t = 0, value_name = "N", value_parser = generated_leads)]
    pub leads: usize,

    /// The accounts (organisations) to serve: names of letters, digits, '_' and '-'
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "default,us_team,eu_team",
        value_name = "NAMES",
        value_parser = account_name
    )]
    pub accounts: Vec<String>,

    /// The deepest `_skip` the list endpoints accept
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_skip: usize,

    /// Requests per second each key may make before answers turn to 429
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub rate_limit: u32,

    /// Write the config to PATH, readable by you only, instead of printing it
    #[arg(long, value_name = "PATH")]
    pub write_config: Option<PathBuf>,
}

/// Arguments of `close-lua run`.
#[derive(Debug, Args)]
#[command(arg_required_else_help = true)]
pub struct RunArgs {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Run CHUNK, a piece of Lua code, instead of a script; the words after the options
    /// are its arguments (may be repeated)
    #[arg(short = 'e', value_name = "CHUNK")]
    pub chunks: Vec<String>,

    /// Load MODULE before the script, as `MODULE = require("MODULE")` (a suffix after '-'
    /// is left out of the name: `-l mod-v2` sets `mod`), or with NAME=MODULE as
    /// `NAME = require("MODULE")`
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
        let argv: Vec<OsString> = args.iter().map(OsString::from).collect();
        Cli::parse_args(&argv).expect("arguments should parse")
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
    fn words_that_give_a_chunk() {
        let attached = |option: &str, chunk: &str| {
            Some(ChunkOption::Attached { option: option.to_string(), chunk: chunk.to_string() })
        };
        assert_eq!(chunk_option("-e"), Some(ChunkOption::ValueNext));
        assert_eq!(chunk_option("-qe"), Some(ChunkOption::ValueNext));
        assert_eq!(chunk_option("-eprint(1)"), attached("-e", "print(1)"));
        assert_eq!(chunk_option("-ve=x"), attached("-ve", "x"));
        // `-le` loads the module `e`, and `-lex` the module `ex`.
        assert_eq!(chunk_option("-le"), None);
        assert_eq!(chunk_option("-lex"), None);
        assert_eq!(chunk_option("--e"), None);
        assert_eq!(chunk_option("e"), None);
    }

    #[test]
    fn with_e_the_words_after_the_options_are_handed_over_untouched() {
        let run = run_args(parse(&["close-lua", "run", "-e", "x = 1", "s.lua", "-b"]));
        assert_eq!(run.chunks, ["x = 1"]);
        assert_eq!(run.script_and_args, ["s.lua", "-b"]);

        let cli = parse(&["close-lua", "-e", "print(1)", "--sandbox"]);
        assert!(cli.global.sandbox);
        assert!(cli.script_and_args.is_empty() && cli.command.is_none());
    }

    #[test]
    fn e_and_l_keep_their_order_across_run() {
        let cli = parse(&["close-lua", "-l", "a", "-e", "one", "run", "-e", "two", "-l", "b=c", "s.lua"]);
        assert_eq!(
            cli.lua_options,
            [
                LuaOption::Module("a".into()),
                LuaOption::Chunk("one".into()),
                LuaOption::Chunk("two".into()),
                LuaOption::Module("b=c".into())
            ]
        );
    }

    #[test]
    fn values_may_be_attached_to_short_options() {
        let cli = parse(&["close-lua", "-lm", "-eprint(1)", "-vl=n", "-e", "x", "s.lua", "-lq"]);
        assert_eq!(
            cli.lua_options,
            [
                LuaOption::Module("m".into()),
                LuaOption::Chunk("print(1)".into()),
                LuaOption::Module("n".into()),
                LuaOption::Chunk("x".into())
            ]
        );
        assert_eq!(cli.global.verbose, 1);
        // After the script, words are the script's, attached or not.
        assert_eq!(cli.script_and_args, ["s.lua", "-lq"]);
    }

    #[test]
    fn attached_values_are_split_only_before_the_script() {
        let mut command = <Cli as clap::CommandFactory>::command();
        command.build();
        let split = |args: &[&str]| -> Vec<String> {
            let argv: Vec<OsString> = args.iter().map(OsString::from).collect();
            split_attached_values(&argv, &command).iter().map(|w| w.to_string_lossy().into_owned()).collect()
        };
        assert_eq!(split(&["c", "--config", "-lx", "-lm"]), ["c", "--config", "-lx", "-l", "m"]);
        assert_eq!(split(&["c", "run", "-qemain()", "a", "-lm"]), ["c", "run", "-qe", "main()", "a", "-lm"]);
        assert_eq!(split(&["c", "-x", "-lm"]), ["c", "-x", "-lm"]);
        assert_eq!(split(&["c", "--", "-lm"]), ["c", "--", "-lm"]);
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
        assert_eq!(
            seconds("1e30"),
            Err("1e30 is not a usable number of seconds: give at most 1000000000".to_string())
        );
    }

    #[test]
    fn the_later_timeout_wins() {
        let cli = parse(&["close-lua", "--timeout", "5", "run", "--timeout", "9", "s.lua"]);
        let top = cli.global.clone();
        assert_eq!(top.merged_with(run_args(cli).global).timeout, Some(Duration::from_secs(9)));
    }
}
