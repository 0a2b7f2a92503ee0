//! `close-lua completions SHELL`: the shell completion script, from clap's definitions.

use std::io::Write;

use clap_complete::Shell;

use crate::cli::Cli;

/// The name the completion scripts complete.
const BIN_NAME: &str = "close-lua";

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell) -> i32 {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, BIN_NAME, &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == Shell::Bash {
        script = repair_bash_states(&script, BIN_NAME);
    }
    let mut stdout = std::io::stdout();
    match stdout.write_all(script.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// Makes the bash script's state names agree for a program name with a '-' in it.
///
/// clap_complete's bash script walks the words typed so far and names a state after the
/// subcommands seen (`close__lua__subcmd__run`), then picks the options to offer with a
/// `case` on that name. For a hyphenated program name it spells the `case` labels
/// differently (`close__subcmd__lua__subcmd__run`), so nothing after a subcommand ever
/// completes. The labels are rewritten to the walk's spelling; should a later clap_complete
/// spell them alike, there is nothing left to rewrite.
fn repair_bash_states(script: &str, bin_name: &str) -> String {
    let walked = format!("{}__subcmd__", bin_name.replace('-', "__"));
    let labelled = format!("{}__subcmd__", bin_name.replace('-', "__subcmd__"));
    if walked == labelled {
        return script.to_string();
    }
    script.replace(&labelled, &walked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_take_the_spelling_of_the_walk() {
        let script =
            "cmd=\"close__lua__subcmd__run\"\ncase \"${cmd}\" in\n  close__subcmd__lua__subcmd__run)\n";
        assert_eq!(
            repair_bash_states(script, "close-lua"),
            "cmd=\"close__lua__subcmd__run\"\ncase \"${cmd}\" in\n  close__lua__subcmd__run)\n"
        );
        assert_eq!(repair_bash_states(script, "closelua"), script);
    }
}
