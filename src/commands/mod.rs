//! Parses the command line and turns it into an action and its exit status.

mod accounts;
mod completions;
mod docs;
mod repl;
mod sandbox;

use std::ffi::OsString;

use crate::cli::{
    ChunkOption, Cli, Command, ConfigCommand, GlobalArgs, LuaOption, SandboxCommand, chunk_option,
};
use crate::lua::validate::closest;
use crate::runner::{self, EXIT_USAGE, Script, Source};
use crate::settings::{Misplaced, Settings};

/// Parses the command line and runs what it asks for; returns the exit status. `argv` is
/// the full command line, from which the script's `arg` table is made.
pub fn run(argv: &[OsString]) -> i32 {
    match Cli::parse_args(argv) {
        Ok(cli) => dispatch(cli, argv),
        Err(err) => usage_error(&err),
    }
}

/// Prints clap's help, version or usage error; errors get close-lua's prefix like every
/// other message.
fn usage_error(err: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = err.print();
        return err.exit_code();
    }
    let text = err.render().to_string();
    eprint!(
        "close-lua: {}",
        text.strip_prefix("error: ").map_or(text.clone(), |rest| format!("error: {rest}"))
    );
    EXIT_USAGE
}

/// Runs what the parsed command line asks for.
pub fn dispatch(cli: Cli, argv: &[OsString]) -> i32 {
    let (global, words) = match cli.command {
        Some(Command::Run(run)) => (cli.global.merged_with(run.global), run.script_and_args),
        Some(Command::Sandbox(SandboxCommand::Serve(args))) => {
            start_logging(&cli.global);
            return sandbox::serve(args);
        }
        Some(other) => return dispatch_other(cli.global, other),
        None => (cli.global, cli.script_and_args),
    };
    start_logging(&global);
    let settings = Settings::resolve(global, |name| std::env::var(name).ok());

    // After `--`, a script may have any name, even one that looks like an option; after a
    // chunk, the words are the chunk's arguments, whatever they look like.
    let after_dashes = argv.len().checked_sub(words.len() + 1).is_some_and(|i| argv[i] == "--");
    let has_chunk = cli.lua_options.iter().any(|option| matches!(option, LuaOption::Chunk(_)));
    if !after_dashes
        && !has_chunk
        && let Some(message) = words.first().and_then(misplaced_option)
    {
        eprintln!("close-lua: error: {message}");
        eprintln!(
            "hint: close-lua's options go before the script; everything after the script is passed to it"
        );
        return EXIT_USAGE;
    }
    match script_from(cli.lua_options, words, argv) {
        Some(script) => {
            let after_chunk = script.source.is_none();
            let mut settings = settings;
            settings.misplaced = Misplaced::among(&script.args, after_chunk);
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
        Command::Completions { shell } => completions::completions(shell),
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
    let known = crate::cli::long_options();
    Some(match closest(name, known.iter().map(String::as_str)) {
        Some(option) => format!("unknown option '{name}'; did you mean '{option}'?"),
        None => format!("unknown option '{name}' (close-lua --help lists the options)"),
    })
}

/// The script, its arguments and the `-e`/`-l` options to run first; `None` when there is
/// neither a script nor a chunk.
///
/// `arg` is made as the `lua` interpreter makes it: the script at 0, what follows it at
/// 1..n and what comes before it at negative indices. With `-e`, the words after the options
/// are the chunk's arguments rather than a script, so that one-liners can take arguments:
/// the (last) chunk is at 0 and the rest of the command line before it at negative indices.
fn script_from(lua_options: Vec<LuaOption>, mut words: Vec<OsString>, argv: &[OsString]) -> Option<Script> {
    // Everything from the first word on ends the command line (clap hands it over
    // untouched), so what comes before is close-lua's own part.
    let mut before = argv[..argv.len().saturating_sub(words.len())].to_vec();
    let last_chunk = lua_options.iter().rev().find_map(|option| match option {
        LuaOption::Chunk(code) => Some(code.clone()),
        LuaOption::Module(_) => None,
    });
    if let Some(chunk) = last_chunk {
        take_chunk(&mut before, &chunk);
        return Some(Script { lua_options, source: None, args: words, before, name: chunk.into() });
    }
    if words.is_empty() {
        return None;
    }
    let name = words.remove(0);
    let source = if name == "-" { Source::Stdin } else { Source::File(name.clone().into()) };
    Some(Script { lua_options, source: Some(source), args: words, before, name })
}

/// Takes the last `-e` chunk, which goes to `arg[0]`, out of the words before it, leaving
/// its option: `-e CODE` leaves `-e`, and so does `-eCODE`.
fn take_chunk(before: &mut Vec<OsString>, chunk: &str) {
    for at in (0..before.len()).rev() {
        let Some(word) = before[at].to_str() else { continue };
        match chunk_option(word) {
            Some(ChunkOption::ValueNext) if before.get(at + 1).is_some_and(|next| next == chunk) => {
                before.remove(at + 1);
                return;
            }
            Some(ChunkOption::Attached { option, chunk: attached }) if attached == chunk => {
                before[at] = option.into();
                return;
            }
            _ => {}
        }
    }
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
            // A line may quote a URL or a body that a script put a key in.
            let text = crate::close::secret::hide_known(&record.args().to_string());
            match record.target().split("::").next() {
                Some("close_lua") => writeln!(out, "close-lua: {label}{text}"),
                Some(other) => writeln!(out, "[{other}] {label}{text}"),
                None => writeln!(out, "close-lua: {label}{text}"),
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
        let argv = os(&["close-lua", "run", "--sandbox", "-l", "m", "s.lua", "a", "-b"]);
        let options = vec![LuaOption::Module("m".into())];
        let script = script_from(options.clone(), os(&["s.lua", "a", "-b"]), &argv).unwrap();
        assert_eq!(script.source, Some(Source::File("s.lua".into())));
        assert_eq!(script.lua_options, options);
        assert_eq!(
            (script.name, script.args, script.before),
            (OsString::from("s.lua"), os(&["a", "-b"]), os(&["close-lua", "run", "--sandbox", "-l", "m"]))
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
    fn after_a_chunk_the_words_are_its_arguments() {
        let argv = os(&["close-lua", "-e", "x=1", "-e", "print(...)", "--sandbox", "s.lua", "-v"]);
        let options = vec![LuaOption::Chunk("x=1".into()), LuaOption::Chunk("print(...)".into())];
        let script = script_from(options, os(&["s.lua", "-v"]), &argv).unwrap();
        assert_eq!(script.source, None);
        assert_eq!(
            (script.name, script.args, script.before),
            (
                OsString::from("print(...)"),
                os(&["s.lua", "-v"]),
                os(&["close-lua", "-e", "x=1", "-e", "--sandbox"])
            )
        );
        assert!(script_from(vec![], vec![], &argv).is_none());
        assert!(script_from(vec![LuaOption::Module("m".into())], vec![], &argv).is_none());
    }
}
