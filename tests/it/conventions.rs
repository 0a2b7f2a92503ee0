//! The conventions of the `lua` command: -l, --, LUA_INIT, LUA_PATH, require beside the
//! script, a byte-order mark; and the REPL.

use crate::helpers::{Env, Served, stderr, stdout};

#[test]
fn l_loads_modules_before_the_script() {
    let env = Env::new();
    env.write("lib/greet.lua", "return { hello = function(name) return 'hello ' .. name end }");
    env.cmd()
        .env("LUA_PATH", format!("{}/lib/?.lua;;", env.home.path().display()))
        .args(["-l", "greet", "-l", "g=greet", "-e", "print(greet.hello('a'), g.hello('b'))"])
        .assert()
        .success()
        .stdout("hello a\thello b\n");
    let output = env.cmd().args(["-l", "nothere", "-e", "print(1)"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("close-lua: error: module 'nothere' not found:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn require_finds_modules_beside_the_script_from_anywhere() {
    let env = Env::new();
    env.write("jobs/helper.lua", "return { answer = 42 }");
    env.write("jobs/weekly.lua", "print(require('helper').answer)");
    let script = env.home.path().join("jobs/weekly.lua");
    env.cmd().current_dir("/").arg("run").arg(&script).assert().success().stdout("42\n");
}

#[test]
fn double_dash_ends_the_options() {
    let env = Env::new();
    env.write("-odd.lua", "print('odd', ...)");
    env.cmd().args(["run", "--", "-odd.lua", "--sandbox"]).assert().success().stdout("odd\t--sandbox\n");
}

#[test]
fn lua_init_runs_first() {
    let env = Env::new();
    env.cmd()
        .env("LUA_INIT", "greeting = 'hi'")
        .args(["-e", "print(greeting)"])
        .assert()
        .success()
        .stdout("hi\n");
    env.write("init.lua", "greeting = 'from a file'");
    env.cmd()
        .env("LUA_INIT", "greeting = 'ignored'")
        .env("LUA_INIT_5_4", format!("@{}", env.home.path().join("init.lua").display()))
        .args(["-e", "print(greeting)"])
        .assert()
        .success()
        .stdout("from a file\n");
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let env = Env::new();
    env.write("bom.lua", "\u{feff}print('no mark')\nerror('line two')\n");
    let output = env.cmd().args(["run", "bom.lua"]).output().unwrap();
    assert_eq!(stdout(&output), "no mark\n");
    assert!(stderr(&output).starts_with("close-lua: error: bom.lua:2: line two"), "{}", stderr(&output));
}

#[test]
fn the_repl_evaluates_lines_and_keeps_going_after_errors() {
    let served = Served::new();
    let input = "1 + 1\nfunction twice(x)\n  return 2 * x\nend\ntwice(21)\nerror('boom')\napp.integrations.close.get_current_user({}).first_name\n{ a = { 1, 2 } }\n";
    let output = served.cmd().arg("repl").write_stdin(input).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "2\n42\nPat\n{\n  \"a\": [\n    1,\n    2\n  ]\n}\n");
    assert!(stderr(&output).contains("\nstdin:1: boom\n"), "{}", stderr(&output));
}

#[test]
fn the_repl_shows_no_value_for_a_call_that_returns_none() {
    let output = Env::new().cmd().arg("repl").write_stdin("help(csv)\nprint('x')\nnil\n").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "csv.writer(path or \"-\", { columns = {...} })  :write(row) and :close(); \"-\" is stdout\n\
         csv.reader(path or \"-\")                      for row in csv.reader(path) do ... end\n\
         x\nnil\n"
    );
}

#[test]
fn ctrl_c_in_the_repl_stops_the_line_not_the_prompt() {
    use std::io::{BufRead, BufReader, Read, Write};
    let env = Env::new();
    let mut child = env
        .std_cmd()
        .arg("repl")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(b"print('looping') io.stdout:flush() while true do end\n").unwrap();
    input.flush().unwrap();
    // The line is running once its first output arrives; only then comes Ctrl-C.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert_eq!(first, "looping\n");
    // SAFETY: kill with a pid of our own child and a standard signal.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    input.write_all(b"print('still here')\n").unwrap();
    drop(input);
    let status = child.wait().unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(rest, "still here\n");
    assert!(err.contains("interrupted at stdin:1"), "{err}");
}

#[test]
fn the_repl_runs_lua_init_first() {
    let env = Env::new();
    let output =
        env.cmd().env("LUA_INIT", "greeting = 'hi'").arg("repl").write_stdin("greeting\n").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "hi\n");

    let output =
        env.cmd().env("LUA_INIT", "error('bad init')").arg("repl").write_stdin("1\n").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).starts_with("close-lua: error: LUA_INIT:1: bad init"), "{}", stderr(&output));
}

#[test]
fn lua_path_5_4_wins_over_lua_path() {
    let env = Env::new();
    env.write("new/which.lua", "return '5.4'");
    env.write("old/which.lua", "return 'plain'");
    let home = env.home.path().display();
    env.cmd()
        .env("LUA_PATH", format!("{home}/old/?.lua"))
        .env("LUA_PATH_5_4", format!("{home}/new/?.lua"))
        .args(["-e", "print((require('which')))"])
        .assert()
        .success()
        .stdout("5.4\n");
    env.cmd()
        .env("LUA_PATH", format!("{home}/old/?.lua"))
        .args(["-e", "print((require('which')))"])
        .assert()
        .success()
        .stdout("plain\n");
}

#[test]
fn e_and_l_take_attached_values_and_run_in_order() {
    let env = Env::new();
    env.write("lib/counter.lua", "calls = (calls or 0) + 1 return { seen = seen }");
    let path = format!("{}/lib/?.lua", env.home.path().display());
    env.cmd()
        .env("LUA_PATH", &path)
        .args(["-eseen = 'before'", "-lcounter", "-e", "print(counter.seen, calls)", "-eprint(2)"])
        .assert()
        .success()
        .stdout("before\t1\n2\n");
}

#[test]
fn l_drops_a_version_suffix_from_the_global_name() {
    let env = Env::new();
    env.write("lib/mod-v2.lua", "return { version = 2 }");
    env.cmd()
        .env("LUA_PATH", format!("{}/lib/?.lua", env.home.path().display()))
        .args([
            "-l",
            "mod-v2",
            "-l",
            "explicit=mod-v2",
            "-e",
            "print(mod.version, explicit.version, _G['mod-v2'])",
        ])
        .assert()
        .success()
        .stdout("2\t2\tnil\n");
}

#[test]
fn chunks_run_in_order_and_take_the_words_after_them() {
    let env = Env::new();
    env.cmd()
        .args(["-e", "x = 1", "-e", "print(x, ...)", "s.lua", "a"])
        .assert()
        .success()
        .stdout("1\ts.lua\ta\n");
    // A chunk that fails stops the run before the next one.
    let output = env.cmd().args(["-e", "error('early')", "-e", "print('late')"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).starts_with("close-lua: error: (command line):1: early\n"),
        "{}",
        stderr(&output)
    );
}
