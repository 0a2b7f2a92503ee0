//! Turns the parsed command line into an action and its exit status.

mod accounts;
mod docs;
mod repl;
mod sandbox;

use std::ffi::OsString;

use crate::cli::{Cli, Command, ConfigCommand, GlobalArgs, SandboxCommand};
use crate::runner::{self, EXIT_USAGE, Script, Source};
use crate::settings::Settings;

/// Runs what the command line asks for; `argv` is the full command line, from which the
/// script's `arg` table takes its negative indices.
pub fn dispatch(cli: Cli, argv: &[OsString]) -> i32 {
    let (global, chunk, words, modules) = match cli.command {
        Some(Command::Run(run)) => {
            let mut modules = cli.modules;
            modules.extend(run.modules);
            (cli.global.merged_with(run.global), run.chunk, run.script_and_args, modules)
        }
        Some(Command::Sandbox(SandboxCommand::Serve(args))) => {
            start_logging(&cli.global);
            return sandbox::serve(args);
        }
        Some(other) => return dispatch_other(cli.global, other),
        None => (cli.global, cli.chunk, cli.script_and_args, cli.modules),
    };
    start_logging(&global);
    let settings = Settings::resolve(global, |name| std::env::var(name).ok());

    // After `--`, a script may have any name, even one that looks like an option.
    let after_dashes = argv.len().checked_sub(words.len() + 1).is_some_and(|i| argv[i] == "--");
    if chunk.is_none()
        && !after_dashes
        && let Some(message) = words.first().and_then(misplaced_option)
    {
        eprintln!("close-lua: error: {message}");
        eprintln!(
            "hint: close-lua's options go before the script; everything after the script is passed to it"
        );
        return EXIT_USAGE;
    }
    match script_from(chunk, words, argv) {
        Some(mut script) => {
            script.modules = modules;
            runner::run(settings, script)
        }
        None => {
            eprintln!("close-lua: error: nothing to run: give a script, - for stdin, or -e CHUNK");
            eprintln!("hint: close-lua --help shows examples");
            EXIT_USAGE
        }
    }
}

/// The subcommands other than `run` and `sandbox serve`.
fn dispatch_other(global: GlobalArgs, command: Command) -> i32 {
    let settings_of = |later: GlobalArgs| {
        let global = global.clone().merged_with(later);
        start_logging(&global);
        Settings::resolve(global, |name| std::env::var(name).ok())
    };
    match command {
        Command::Docs { function } => docs::docs(function.as_deref()),
        Command::Types(args) => docs::types(&settings_of(args.global)),
        Command::Accounts(args) => accounts::accounts(&settings_of(args.global), args.check),
        Command::Config(ConfigCommand::Path(args)) => accounts::config_path(&settings_of(args.global)),
        Command::Config(ConfigCommand::Init(args)) => accounts::config_init(&settings_of(args.global)),
        Command::Repl(args) => repl::repl(settings_of(args.global)),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "close-lua", &mut std::io::stdout());
            0
        }
        Command::Run(_) | Command::Sandbox(_) => unreachable!("handled by dispatch"),
    }
}

/// The error for a script name that looks like an option: clap hands over an unknown option
/// as the script, because everything from the script on must reach the script untouched.
fn misplaced_option(word: &OsString) -> Option<String> {
    let word = word.to_str()?;
    if !word.starts_with('-') || word == "-" {
        return None;
    }
    let name = word.split('=').next().unwrap_or(word);
    let known: Vec<String> = <Cli as clap::CommandFactory>::command()
        .get_arguments()
        .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
        .collect();
    let closest = known
        .iter()
        .map(|option| (strsim::damerau_levenshtein(name, option), option))
        .min()
        .filter(|(distance, _)| *distance <= 2);
    Some(match closest {
        Some((_, option)) => format!("unknown option '{name}'; did you mean '{option}'?"),
        None => format!("unknown option '{name}' (close-lua --help lists the options)"),
    })
}

/// The script and its arguments; `None` when there is neither a script nor a chunk.
fn script_from(chunk: Option<String>, mut words: Vec<OsString>, argv: &[OsString]) -> Option<Script> {
    let (source, name, args) = match chunk {
        Some(code) => (Source::Chunk(code.clone()), OsString::from(code), words),
        None if words.is_empty() => return None,
        None => {
            let name = words.remove(0);
            let source = if name == "-" { Source::Stdin } else { Source::File(name.clone().into()) };
            (source, name, words)
        }
    };
    // The script (or chunk) and its arguments end the command line; what comes before it is
    // close-lua's own part.
    let before_len = argv.len().saturating_sub(args.len() + 1);
    Some(Script { source, args, before: argv[..before_len].to_vec(), name, modules: Vec::new() })
}

/// Sends close-lua's own log to stderr: warnings always, one line per HTTP call with -v,
/// details with -vv. Other crates are heard only from -vv on, under their own name: what
/// they report (a certificate that does not verify, say) is also in the error value the
/// script gets, and a script that catches it wants no noise. They stay at warnings at most,
/// so that nothing they log at debug level (such as request headers) can show a key.
fn start_logging(global: &GlobalArgs) {
    let ours = match global.verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    };
    let others = if global.verbose >= 2 { log::LevelFilter::Warn } else { log::LevelFilter::Off };
    let _ = env_logger::Builder::new()
        .filter_level(others)
        .filter_module("close_lua", ours)
        .format(|out, record| {
            use std::io::Write;
            let label = match record.level() {
                log::Level::Error => "error: ",
                log::Level::Warn => "warning: ",
                _ => "",
            };
            match record.target().split("::").next() {
                Some("close_lua") => writeln!(out, "close-lua: {label}{}", record.args()),
                Some(other) => writeln!(out, "[{other}] {label}{}", record.args()),
                None => writeln!(out, "close-lua: {label}{}", record.args()),
            }
        })
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn script_args_and_what_came_before() {
        let argv = os(&["close-lua", "run", "--sandbox", "s.lua", "a", "-b"]);
        let script = script_from(None, os(&["s.lua", "a", "-b"]), &argv).unwrap();
        assert_eq!(script.source, Source::File("s.lua".into()));
        assert_eq!(
            (script.name, script.args, script.before),
            (OsString::from("s.lua"), os(&["a", "-b"]), os(&["close-lua", "run", "--sandbox"]))
        );
    }

    #[test]
    fn options_are_not_taken_for_scripts() {
        assert_eq!(
            misplaced_option(&OsString::from("--sandobx")).as_deref(),
            Some("unknown option '--sandobx'; did you mean '--sandbox'?")
        );
        assert_eq!(
            misplaced_option(&OsString::from("-x")).as_deref(),
            Some("unknown option '-x' (close-lua --help lists the options)")
        );
        assert_eq!(misplaced_option(&OsString::from("-")), None);
        assert_eq!(misplaced_option(&OsString::from("s.lua")), None);
    }

    #[test]
    fn chunk_is_arg_zero() {
        let argv = os(&["close-lua", "-e", "print(...)", "x"]);
        let script = script_from(Some("print(...)".into()), os(&["x"]), &argv).unwrap();
        assert_eq!(script.source, Source::Chunk("print(...)".into()));
        assert_eq!(script.before, os(&["close-lua", "-e"]));
        assert!(script_from(None, vec![], &argv).is_none());
    }
}
