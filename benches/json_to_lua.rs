//! The cost of turning one page of 100 realistic leads (JSON from the sandbox) into Lua
//! tables, beside serde_json's own parse of the same bytes.

use criterion::{Criterion, criterion_group, criterion_main};

use close_lua::lua::json::{self, Markers};
use close_lua::lua::tape::Tape;
use close_lua::sandbox::{Sandbox, SandboxOptions};

/// A page of 100 generated leads as the sandbox serves it.
fn lead_page() -> Vec<u8> {
    let sandbox = Sandbox::start(SandboxOptions { generated_leads: 200, ..Default::default() })
        .expect("the sandbox starts");
    let key = sandbox.api_key("default").expect("the default account");
    let url = format!("{}/lead/?_limit=100&_skip=50", sandbox.base_url());
    let mut response = ureq::get(&url)
        .header("Authorization", &format!("Basic {}", basic(&key)))
        .call()
        .expect("the sandbox answers");
    response.body_mut().read_to_vec().expect("a body")
}

fn basic(key: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
}

fn conversion(c: &mut Criterion) {
    let page = lead_page();
    let lua = mlua::Lua::new();
    Markers::install(&lua).expect("markers");

    let mut group = c.benchmark_group(format!("one page of 100 leads ({} KB)", page.len() / 1024));
    group.bench_function("serde_json::Value (parse only)", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&page).expect("valid JSON"))
    });
    group.bench_function("close-lua json::decode into Lua tables", |b| {
        b.iter(|| json::decode(&lua, &page).expect("valid JSON"))
    });
    group.bench_function("parse into a tape only (the part iterators do on their thread)", |b| {
        b.iter(|| Tape::parse(page.clone()).expect("valid JSON"))
    });
    let tape = Tape::parse(page.clone()).expect("valid JSON");
    group.bench_function("build Lua tables from a tape only", |b| {
        b.iter(|| json::decode_tape(&lua, &tape).expect("a value"))
    });
    group.finish();
}

criterion_group!(benches, conversion);
criterion_main!(benches);
