//! The scripts shipped in `scripts/`, run as a user would run them.

use std::path::PathBuf;

use crate::helpers::{Env, Served, stderr, stdout};

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts").join(name)
}

#[test]
fn the_tour_runs_on_the_sandbox() {
    let output = Env::new().cmd().arg("run").arg("--sandbox").arg(script("tour.lua")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    for expected in [
        "Signed in as Pat Example <pat@demo.example.com>\nOrganization: Demo Co\n",
        "== list_leads\n8 qualified leads, the first 5:\n",
        "Renamed  Tour Example Co (renamed)\n",
        "false\t404\tLead matching query does not exist.\nclose.get_lead: HTTP 404: Lead matching query does not exist.\n",
        "us_team  US Team Demo <",
        "eu_team  EU Team Demo <",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert_eq!(stderr(&output), "");
}

#[test]
fn export_writes_one_row_per_lead() {
    let served = Served::new();
    let output = served.cmd().arg("run").arg(script("export_leads_csv.lua")).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "id,name,status,url,email,industry,created");
    assert_eq!(stderr(&output), format!("exported {} leads\n", rows.len() - 1));
    assert!(
        rows.iter()
            .any(|row| row.starts_with("lead_abc123XYZ,Acme Corp,Potential,https://acme.example.com,"))
    );

    let count = served
        .cmd()
        .args(["-e", "print(app.integrations.close.list_leads({ limit = 1 }).total_results)"])
        .output()
        .unwrap();
    let total: usize = stdout(&count).trim().parse().unwrap();
    assert!(total > 30, "the demo organisation has over 30 leads, not {total}");
    assert_eq!(rows.len() - 1, total);
}

#[test]
fn export_pages_through_a_query() {
    let served = Served::new();
    let output =
        served.cmd().arg("run").arg(script("export_leads_csv.lua")).arg("name:Acme").output().unwrap();
    assert_eq!(stdout(&output).lines().count(), 4, "{}", stdout(&output));
    assert_eq!(served.request_lines(), ["GET /lead/?query=name:Acme&_limit=100&_skip=0"]);
}

#[test]
fn follow_up_tasks_for_a_status() {
    let served = Served::new();
    let output = served
        .cmd()
        .arg("run")
        .arg(script("follow_up_tasks.lua"))
        .args(["Bad Fit", "Check in", "2026-12-15"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let posts: Vec<serde_json::Value> = served
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/task/")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert!(!posts.is_empty());
    assert_eq!(stdout(&output).lines().count(), posts.len());
    assert_eq!(stderr(&output), format!("created {} tasks for leads in status Bad Fit\n", posts.len()));
    for body in posts {
        assert_eq!((body["text"].as_str(), body["date"].as_str()), (Some("Check in"), Some("2026-12-15")));
    }
}

#[test]
fn follow_up_tasks_needs_a_status() {
    let output = Env::new().cmd().arg("run").arg(script("follow_up_tasks.lua")).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "usage: follow_up_tasks.lua STATUS [TEXT] [DUE_DATE]\n");
}
