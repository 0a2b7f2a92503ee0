//! The `json` and `csv` globals as scripts use them.

use crate::helpers::{Env, Served, stderr, stdout};

#[test]
fn json_encodes_by_the_written_rules() {
    let script = r#"print(json.encode({ a = 1, f = 2.5, big = 9007199254740993, list = { 'x', 'y' },
  empty_list = json.array(), empty_object = json.object(), plain_empty = {}, nothing = json.null }))"#;
    Env::new().cmd().args(["-e", script]).assert().success().stdout(
        "{\"a\":1,\"big\":9007199254740993,\"empty_list\":[],\"empty_object\":{},\"f\":2.5,\"list\":[\"x\",\"y\"],\
         \"nothing\":null,\"plain_empty\":[]}\n",
    );
}

#[test]
fn json_roundtrips_what_the_api_sent() {
    let served = Served::new();
    let script = "local lead = app.integrations.close.get_lead({ id = 'lead_abc123XYZ' })
local again = json.decode(json.encode(lead))
print(json.encode(lead.opportunities), json.encode(again.opportunities))
print(math.type(lead.custom.Employees), math.type(again.custom.Employees), json.encode(again.custom.Employees))
print(lead.description == nil, json.encode({ lead.description }))";
    served.cmd().args(["-e", script]).assert().success().stdout("[]\t[]\ninteger\tinteger\t250\ntrue\t[]\n");
}

#[test]
fn json_decode_and_null() {
    let script = r#"local v = json.decode('{"a": null, "b": [1, null, 3], "c": 1.0, "d": 7}')
print(v.a, #v.b, v.b[2] == json.null, math.type(v.c), math.type(v.d))
print(json.decode('null'), json.encode(json.decode('{"x": {}}')))
print(json.encode({ 1, 2 }, { pretty = true }))"#;
    Env::new()
        .cmd()
        .args(["-e", script])
        .assert()
        .success()
        .stdout("nil\t3\ttrue\tfloat\tinteger\nnil\t{\"x\":{}}\n[\n  1,\n  2\n]\n");
}

#[test]
fn json_errors_name_the_place() {
    for (script, message) in [
        (
            "json.encode({ list = { 1, nil, 3 } })",
            "json.encode: value.list is not a list: it has a hole at [2]",
        ),
        (
            "json.encode({ 1, x = 2 })",
            "json.encode: value mixes list items and named keys (e.g. \"x\"); use one or the other",
        ),
        ("json.encode({ s = '\\xff' })", "json.encode: value.s is not valid UTF-8 text"),
        ("json.decode('{')", "json.decode: EOF while parsing an object at line 1 column 1"),
        ("json.encode(print)", "json.encode: value is a function, which cannot be sent as JSON"),
    ] {
        let output = Env::new().cmd().args(["-e", script]).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{script}");
        let expected = format!("close-lua: error: (command line):1: {message}\n");
        assert!(stderr(&output).starts_with(&expected), "{script}: {}", stderr(&output));
    }
}

#[test]
fn json_null_clears_a_field_and_is_refused_where_it_cannot_go() {
    let served = Served::new();
    let script = "local c = app.integrations.close
local lead = c.update_lead({ id = 'lead_abc123XYZ', url = json.null, custom = { Industry = json.null } })
print(lead.url, lead.custom.Industry)
print(pcall(c.get_lead, { id = json.null }))
print(pcall(c.list_leads, { query = json.null }))";
    served.cmd().args(["-e", script]).assert().success().stdout(
        "nil\tnil\n\
         false\tclose.get_lead: parameter 'id' is required and cannot be json.null; give it a string\n\
         false\tclose.list_leads: parameter 'query' cannot be json.null; leave it out instead\n",
    );
    let put = served.sandbox.requests().into_iter().find(|r| r.method == "PUT").unwrap();
    let body: serde_json::Value = serde_json::from_str(&put.body).unwrap();
    assert_eq!(body["url"], serde_json::Value::Null);
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
}

#[test]
fn a_bad_table_is_refused_before_anything_is_sent() {
    let served = Served::new();
    let script = "app.integrations.close.create_lead({ name = 'X', contacts = { { name = 'A', emails = { 'a@x', kind = 'office' } } } })";
    let output = served.cmd().args(["-e", script]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("close-lua: error: (command line):1: close.create_lead: contacts[1].emails mixes list items and named keys"),
        "{}",
        stderr(&output)
    );
    assert!(served.sandbox.requests().is_empty());
}

#[test]
fn json_null_inside_contacts_is_refused_before_anything_is_sent() {
    let served = Served::new();
    for (contacts, place) in [
        ("{ { name = json.null } }", "contacts[1].name"),
        ("{ { name = 'A', emails = { json.null } } }", "contacts[1].emails[1]"),
        ("{ { name = 'A', emails = { { email = json.null } } } }", "contacts[1].emails[1].email"),
    ] {
        let script = format!("app.integrations.close.create_lead({{ name = 'X', contacts = {contacts} }})");
        let output = served.cmd().args(["-e", &script]).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{contacts}");
        assert_eq!(
            stderr(&output).lines().next().unwrap(),
            format!(
                "close-lua: error: (command line):1: close.create_lead: {place} cannot be json.null; leave it out instead"
            )
        );
    }
    assert!(served.sandbox.requests().is_empty());
}

#[test]
fn csv_writes_quoted_rows_in_order_with_prints() {
    let script = r#"print("first line")
local w <close> = csv.writer("-", { columns = { "name", "emails", "custom.Industry", "n", "missing" } })
w:write({ name = 'Acme, Inc.', emails = { { email = 'a@acme.test', type = 'office' }, { email = 'b@acme.test' } },
  custom = { Industry = 'SaaS' }, n = 3 })
w:write({ name = 'Say "hi"', n = 2.5, emails = {} })
print("last line")"#;
    Env::new().cmd().args(["-e", script]).assert().success().stdout(
        "first line\nname,emails,custom.Industry,n,missing\n\"Acme, Inc.\",a@acme.test; b@acme.test,SaaS,3,\n\
         \"Say \"\"hi\"\"\",,,2.5,\nlast line\n",
    );
}

#[test]
fn csv_files_are_flushed_however_the_run_ends() {
    let env = Env::new();
    for (ending, status) in [("", 0), ("os.exit(3)", 3), ("error('late')", 1)] {
        let script = format!("local w = csv.writer('out.csv') w:write({{ a = 1, b = 'x' }}) {ending}");
        env.cmd().args(["-e", &script]).assert().code(status);
        assert_eq!(
            std::fs::read_to_string(env.home.path().join("out.csv")).unwrap(),
            "a,b\n1,x\n",
            "{ending}"
        );
    }
}

#[test]
fn csv_reads_rows_by_header() {
    let env = Env::new();
    env.write("in.csv", "id,note\nlead_1,\"one, two\"\nlead_2,\"line\nbreak\"\n");
    let script = "for row in csv.reader('in.csv') do print(row.id, row.note) end";
    env.cmd().args(["-e", script]).assert().success().stdout("lead_1\tone, two\nlead_2\tline\nbreak\n");
    env.cmd()
        .args(["-e", "for row in csv.reader('-') do print(row.x) end"])
        .write_stdin("x,y\n1,2\n3,4\n")
        .assert()
        .success()
        .stdout("1\n3\n");
}

#[test]
fn csv_reading_problems_name_the_file_and_line() {
    let env = Env::new();
    env.write("bad.csv", "a,b\n1,2\n3\n");
    let output = env.cmd().args(["-e", "for row in csv.reader('bad.csv') do end"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with("close-lua: error: (command line):1: csv.reader: bad.csv line 3: 1 fields where the header has 2\n"), "{}", stderr(&output));
    let output = env.cmd().args(["-e", "csv.reader('nope.csv')"]).output().unwrap();
    assert!(
        stderr(&output).starts_with("close-lua: error: (command line):1: csv.reader: cannot open nope.csv: "),
        "{}",
        stdout(&output)
    );
}

#[test]
fn csv_writers_with_columns_write_the_header_even_without_rows() {
    let env = Env::new();
    let script = "local w <close> = csv.writer('empty.csv', { columns = { 'id', 'display_name' } })
local s <close> = csv.writer('-', { columns = { 'id', 'status' } })";
    env.cmd().args(["-e", script]).assert().success().stdout("id,status\n");
    assert_eq!(std::fs::read_to_string(env.home.path().join("empty.csv")).unwrap(), "id,display_name\n");
}

#[test]
fn csv_numbers_are_written_as_lua_prints_them() {
    let script = "local w <close> = csv.writer('-') w:write({ f = 2.5, i = 5, n = 5.0, b = true })
print(5.0, 5, 2.5, true)";
    Env::new()
        .cmd()
        .args(["-e", script])
        .assert()
        .success()
        .stdout("b,f,i,n\ntrue,2.5,5,5.0\n5.0\t5\t2.5\ttrue\n");
}

#[test]
fn csv_mistakes_are_errors_to_files_and_stdout_alike() {
    let env = Env::new();
    let fails = |script: &str, message: &str| {
        let output = env.cmd().args(["-e", script]).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{script}");
        assert_eq!(
            stderr(&output).lines().next().unwrap(),
            format!("close-lua: error: (command line):1: {message}"),
            "{script}"
        );
    };
    fails(
        "csv.writer('-', { column = { 'id' } })",
        "csv.writer: unknown option 'column'; did you mean 'columns'?",
    );
    fails("csv.writer('-', { sep = ';' })", "csv.writer: unknown option 'sep'; the options are columns");
    fails("csv.writer(5)", "csv.writer: expected a file path or \"-\", got an integer");
    for target in ["-", "rows.csv"] {
        fails(
            &format!(
                "local w = csv.writer('{target}', {{ columns = {{ 'a', 'b' }} }}) w:write({{ 1, 2 }}) w:write({{ 1, 2, 3 }})"
            ),
            &format!("csv writer {target}: line 3 would have 3 fields where the header has 2"),
        );
        fails(
            &format!("local w = csv.writer('{target}') w:write({{ 1, 2 }}) w:write({{ 1 }})"),
            &format!("csv writer {target}: line 2 would have 1 fields where the first line has 2"),
        );
    }
    for target in ["-", "keys.csv"] {
        fails(
            &format!(
                "local w = csv.writer('{target}') w:write({{b=1,a=2}}) w:write({{a=3}}) w:write({{a=3,c=4}})"
            ),
            &format!(
                "csv writer {target}: line 4 has the key 'c', which the header (the first row's keys: a, b) lacks; \
                 to choose the columns, give csv.writer the option columns = {{ ... }}"
            ),
        );
    }
    let output = env
        .cmd()
        .args(["-e", "local w = csv.writer('-') w:write({b=1,a=2}) w:write({a=3,c=4})"])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), "a,b\n2,1\n");
    assert_eq!(std::fs::read_to_string(env.home.path().join("keys.csv")).unwrap(), "a,b\n2,1\n3,\n");
    env.write("twice.csv", "id,value,id\nlead_1,x,lead_2\n");
    fails(
        "for row in csv.reader('twice.csv') do end",
        "csv.reader: twice.csv line 1: the header names the column 'id' twice",
    );
}

#[test]
fn json_encode_refuses_options_it_does_not_know() {
    for (script, message) in [
        ("json.encode({}, { prety = true })", "json.encode: unknown option 'prety'; did you mean 'pretty'?"),
        (
            "json.encode({}, { pretty = 'yes' })",
            "json.encode: option 'pretty' must be true or false, got the string \"yes\"",
        ),
        ("json.encode({}, 1)", "json.encode: options must be a table like { pretty = true }, got an integer"),
    ] {
        let output = Env::new().cmd().args(["-e", script]).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{script}");
        assert_eq!(
            stderr(&output).lines().next().unwrap(),
            format!("close-lua: error: (command line):1: {message}"),
            "{script}"
        );
    }
    Env::new()
        .cmd()
        .args(["-e", "io.write(json.encode({ 1 }, { pretty = false }))"])
        .assert()
        .success()
        .stdout("[1]");
}
