//! The Lua VM as a script sees it: arguments, chunk names, exit statuses, output.

use std::io::Read;
use std::process::Stdio;

use crate::helpers::{Env, stderr};

#[test]
fn a_chunk_runs_without_any_configuration() {
    Env::new().cmd().args(["-e", "print(1 + 1)"]).assert().success().stdout("2\n").stderr("");
}

#[test]
fn arguments_reach_the_script_untouched() {
    let env = Env::new();
    env.write(
        "s.lua",
        "print(select('#', ...), ...)\nfor i = -1, #arg do io.write(tostring(arg[i]), ' ') end\n",
    );
    env.cmd()
        .args(["run", "s.lua", "-v", "--x", "--account", "a b"])
        .assert()
        .success()
        .stdout("4\t-v\t--x\t--account\ta b\nrun s.lua -v --x --account a b ");
}

#[test]
fn chunk_arguments_and_arg_zero() {
    Env::new()
        .cmd()
        .args(["run", "-e", "print(arg[0], arg[-1], ...)", "one", "--two"])
        .assert()
        .success()
        .stdout("print(arg[0], arg[-1], ...)\t-e\tone\t--two\n");
}

#[test]
fn words_after_a_chunk_that_look_like_options_are_its_arguments() {
    for args in
        [&["-e", "print(...)", "-x", "--sandobx"][..], &["run", "-e", "print(...)", "-x", "--sandobx"]]
    {
        Env::new().cmd().args(args).assert().success().stdout("-x\t--sandobx\n").stderr("");
    }
}

#[test]
fn an_attached_chunk_is_at_arg_zero_and_its_option_before_it() {
    let chunk = "print(arg[-2], arg[-1], arg[0], ...)";
    for (words, before) in [(["-q", "-e"], "-q\t-e"), (["run", "-qe"], "run\t-qe")] {
        Env::new()
            .cmd()
            .args([words[0], &format!("{}{chunk}", words[1]), "one"])
            .assert()
            .success()
            .stdout(format!("{before}\t{chunk}\tone\n"));
    }
}

#[test]
fn options_after_a_chunk_stay_before_it_in_arg() {
    let chunk = "for i = -3, #arg do io.write(tostring(arg[i]), ' ') end print(select('#', ...))";
    let output = Env::new().cmd().args(["-e", chunk, "--sandbox", "a", "b"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(out.ends_with(&format!(" -e --sandbox {chunk} a b 2\n")), "{out}");
}

#[test]
fn a_module_loads_before_the_script_and_arg_counts_from_the_script() {
    let env = Env::new();
    env.write("greeting.lua", "return 'hi'");
    env.write("s.lua", "print(greeting, ...)\nfor i = -4, -1 do io.write(arg[i], ' ') end print(arg[0])");
    env.cmd()
        .args(["run", "-l", "greeting", "--quiet", "s.lua", "one", "--two"])
        .assert()
        .success()
        .stdout("hi\tone\t--two\nrun -l greeting --quiet s.lua\n");
}

#[test]
fn stdin_is_read_with_a_dash() {
    Env::new()
        .cmd()
        .args(["run", "-", "x"])
        .write_stdin("print(1 + 1, ...)")
        .assert()
        .success()
        .stdout("2\tx\n");
}

#[test]
fn a_bare_script_path_runs_like_run() {
    let env = Env::new();
    env.write("s.lua", "print('hi', ...)");
    env.cmd().args(["s.lua", "--flag"]).assert().success().stdout("hi\t--flag\n");
}

#[test]
fn shebang_line_is_skipped_and_lines_still_count() {
    let env = Env::new();
    env.write("tour.lua", "#!/usr/bin/env close-lua\nprint('first')\nerror('boom')\n");
    let output = env.cmd().args(["run", "tour.lua"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "first\n");
    let err = stderr(&output);
    assert!(err.starts_with("close-lua: error: tour.lua:3: boom\nstack traceback:\n"), "{err}");
    assert!(err.contains("tour.lua:3: in main chunk"), "{err}");
}

#[test]
fn chunk_errors_name_the_command_line() {
    let output = Env::new().cmd().args(["-e", "local x = nil\nx.y = 1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .starts_with("close-lua: error: (command line):2: attempt to index a nil value (local 'x')")
    );
}

#[test]
fn syntax_errors_exit_one_with_the_line() {
    let env = Env::new();
    env.write("bad.lua", "print('a')\nlocal = 3\n");
    env.cmd()
        .args(["run", "bad.lua"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("close-lua: error: bad.lua:2: <name> expected near '='\n");
}

#[test]
fn a_missing_script_is_a_usage_error() {
    let output = Env::new().cmd().args(["run", "nope.lua"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("close-lua: error: cannot read script nope.lua: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn os_exit_sets_the_status_and_keeps_output() {
    Env::new()
        .cmd()
        .args(["-e", "io.write('partial') print(' line') os.exit(3)"])
        .assert()
        .code(3)
        .stdout("partial line\n")
        .stderr("");
    Env::new().cmd().args(["-e", "os.exit(false)"]).assert().code(1);
}

#[test]
fn error_values_other_than_strings() {
    Env::new()
        .cmd()
        .args(["-e", "error({ code = 1 })"])
        .assert()
        .code(1)
        .stderr(predicates::str::starts_with("close-lua: error: (error object is a table value)\n"));
    Env::new()
        .cmd()
        .args(["-e", "error(setmetatable({}, { __tostring = function() return 'custom' end }))"])
        .assert()
        .code(1)
        .stderr(predicates::str::starts_with("close-lua: error: custom\n"));
}

#[test]
fn standard_libraries_are_all_there() {
    Env::new()
        .cmd()
        .args(["-e", "print(_VERSION, type(debug.traceback), type(io.open), type(os.time), utf8.char(233))"])
        .assert()
        .success()
        .stdout("Lua 5.4\tfunction\tfunction\tfunction\té\n");
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let env = Env::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("close-lua"))
        .args(["-e", "for i = 1, 1e7 do print(i) end"])
        .env_clear()
        .env("HOME", env.home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(stderr(&output), "", "nothing on stderr, no panic");
    // Ended by SIGPIPE, which a shell reports as status 141.
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "{:?}", output.status);
}
