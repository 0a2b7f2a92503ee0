//! The current user, statuses, contacts, activities and tasks.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{call, column, get, sandbox};
use crate::sandbox::time;

#[test]
fn me_embeds_organisations_and_users_list_their_ids() {
    let sandbox = sandbox();
    let me = get(&sandbox, "/me/");
    assert_eq!(
        (&me["first_name"], &me["last_name"], &me["email"]),
        (&json!("Pat"), &json!("Example"), &json!("pat@demo.example.com"))
    );
    assert!(me["id"].as_str().unwrap().starts_with("user_"));
    let org = &me["organizations"][0];
    assert_eq!(org["name"], "Demo Co");
    assert!(org["id"].as_str().unwrap().starts_with("orga_"));
    assert_eq!(
        column(&json!({"data": org["lead_statuses"]}), "label"),
        ["Potential", "Qualified", "Customer", "Bad Fit"]
    );
    assert_eq!(me["memberships"][0]["organization_id"], org["id"]);
    assert_eq!(me["phone"], Value::Null);
    assert!(me["email_accounts"].is_array());

    let users = get(&sandbox, "/user/");
    assert_eq!(column(&users, "first_name"), ["Pat", "Sam"]);
    assert_eq!(users["data"][0]["organizations"], json!([org["id"]]));
    assert!(users.get("total_results").is_none());
    let path = format!("/user/{}/", me["id"].as_str().unwrap());
    assert_eq!(get(&sandbox, &path)["email"], "pat@demo.example.com");

    let statuses = get(&sandbox, "/status/lead/");
    assert_eq!(column(&statuses, "label"), ["Potential", "Qualified", "Customer", "Bad Fit"]);
    assert_eq!(statuses["data"][0]["organization_id"], org["id"]);
    assert_eq!(statuses["has_more"], false);
}

#[test]
fn contacts_by_lead_and_by_id() {
    let sandbox = sandbox();
    let list = get(&sandbox, "/contact/?lead_id=lead_abc123XYZ");
    assert_eq!(column(&list, "name"), ["Jane Smith", "John Doe"]);
    assert_eq!(list["data"][1]["emails"], json!([{"email": "john.doe@acme.example.com", "type": "office"}]));
    let all = get(&sandbox, "/contact/?_limit=100");
    assert!(all["data"].as_array().unwrap().len() > 40);
    let id = list["data"][0]["id"].as_str().unwrap();
    assert_eq!(get(&sandbox, &format!("/contact/{id}/")), list["data"][0]);
}

#[test]
fn activities_of_acme_corp_newest_first() {
    let sandbox = sandbox();
    let list = get(&sandbox, "/activity/?lead_id=lead_abc123XYZ");
    assert_eq!(column(&list, "_type"), ["Meeting", "SMS", "Email", "Note", "Call", "Email", "Email"]);
    assert!(list.get("total_results").is_none());
    let rows = list["data"].as_array().unwrap();
    assert_eq!(rows[2]["subject"], "Proposal for Acme Corp");
    assert_eq!(
        (&rows[5]["subject"], &rows[5]["direction"], &rows[5]["status"]),
        (&json!("Re: Quick intro and next steps"), &json!("incoming"), &json!("inbox"))
    );
    assert_eq!(
        (&rows[6]["direction"], &rows[6]["to"]),
        (&json!("outgoing"), &json!(["jane.smith@acme.example.com"]))
    );
    assert_eq!(
        (&rows[4]["direction"], &rows[4]["duration"], &rows[4]["remote_phone"]),
        (&json!("outbound"), &json!(540), &json!("+14155550142"))
    );
    assert_eq!(
        rows[3]["note_html"],
        "<body><p>Jane decides; John runs procurement and wants a security review first.</p></body>"
    );
    assert_eq!((&rows[1]["direction"], &rows[1]["status"]), (&json!("outbound"), &json!("sent")));
    assert_eq!((&rows[0]["title"], &rows[0]["duration"]), (&json!("Acme Corp product demo"), &json!(2700)));
    assert_eq!(rows[0]["starts_at"], "2025-03-18T18:00:00+00:00");
    assert_eq!(rows[0]["attendees"].as_array().unwrap().len(), 3);
    for row in rows {
        assert_eq!(row["lead_id"], "lead_abc123XYZ");
        assert!(row["id"].as_str().unwrap().starts_with("acti_"));
        assert_eq!(row["user_name"], "Pat Example");
        assert!(row["organization_id"].as_str().unwrap().starts_with("orga_"));
    }
}

#[test]
fn type_filters_need_a_lead() {
    let sandbox = sandbox();
    let emails = get(&sandbox, "/activity/?lead_id=lead_abc123XYZ&_type=Email");
    assert_eq!(column(&emails, "_type"), ["Email", "Email", "Email"]);
    let mixed = get(&sandbox, "/activity/?lead_id=lead_abc123XYZ&_type__in=Call,SMS");
    assert_eq!(column(&mixed, "_type"), ["SMS", "Call"]);
    // Without lead_id, _type is ignored, as in Close.
    let ignored = get(&sandbox, "/activity/?_type=Email&_limit=100");
    let kinds: BTreeSet<&str> = column(&ignored, "_type").into_iter().collect();
    assert!(kinds.len() >= 5, "{kinds:?}");
    let answer = call(&sandbox, "GET", "/activity/?lead_id=lead_abc123XYZ&_type=email", None);
    assert_eq!(answer.status, 400);
    assert!(answer.json()["error"].as_str().unwrap().starts_with("'email' is not an activity type."));
}

#[test]
fn per_type_lists_cover_the_organisation() {
    let sandbox = sandbox();
    for (path, kind) in
        [("email", "Email"), ("call", "Call"), ("note", "Note"), ("sms", "SMS"), ("meeting", "Meeting")]
    {
        let list = get(&sandbox, &format!("/activity/{path}/?_limit=100"));
        let rows = column(&list, "_type");
        assert!(rows.len() >= 5, "{kind}: {}", rows.len());
        assert!(rows.iter().all(|t| *t == kind));
        let leads: BTreeSet<&str> = column(&list, "lead_id").into_iter().collect();
        assert!(leads.len() >= 4, "{kind} spread over leads");
        let dates = column(&list, "date_created");
        assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]));
        assert!(dates.iter().all(|d| d.starts_with("2025-") || d.starts_with("2026-")));
    }
    let acme = get(&sandbox, "/activity/email/?lead_id=lead_abc123XYZ");
    assert_eq!(acme["data"].as_array().unwrap().len(), 3);
    let id = acme["data"][0]["id"].as_str().unwrap();
    assert_eq!(get(&sandbox, &format!("/activity/email/{id}/")), acme["data"][0]);
    assert_eq!(call(&sandbox, "GET", &format!("/activity/call/{id}/"), None).status, 404);
}

#[test]
fn creating_tasks() {
    let sandbox = sandbox();
    let me = get(&sandbox, "/me/")["id"].clone();
    let answer =
        call(&sandbox, "POST", "/task/", Some(&json!({"lead_id": "lead_abc123XYZ", "text": "Call back"})));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let task = answer.json();
    assert!(task["id"].as_str().unwrap().starts_with("task_"));
    assert_eq!(
        (&task["_type"], &task["lead_name"], &task["assigned_to"]),
        (&json!("lead"), &json!("Acme Corp"), &me)
    );
    assert_eq!(
        (&task["is_dateless"], &task["due_date"], &task["view"]),
        (&json!(true), &Value::Null, &json!("inbox"))
    );
    assert_eq!(task["date"], time::today().to_string());
    assert_eq!((&task["is_complete"], &task["object_type"]), (&json!(false), &Value::Null));
    assert_eq!(task["assigned_to_name"], "Pat Example");
    let embedded = column(&json!({"data": get(&sandbox, "/lead/lead_abc123XYZ/")["tasks"]}), "text").len();
    assert_eq!(embedded, 2);

    let dated = call(
        &sandbox,
        "POST",
        "/task/",
        Some(&json!({"lead_id": "lead_abc123XYZ", "text": "Later", "date": "2099-04-15"})),
    )
    .json();
    assert_eq!(
        (&dated["date"], &dated["due_date"], &dated["view"]),
        (&json!("2099-04-15"), &json!("2099-04-15"), &json!("future"))
    );
    let timed = call(
        &sandbox,
        "POST",
        "/task/",
        Some(&json!({"lead_id": "lead_abc123XYZ", "date": "2024-05-01T09:00:00+02:00"})),
    )
    .json();
    assert_eq!(
        (&timed["date"], &timed["due_date"], &timed["is_dateless"]),
        (&json!("2024-05-01T07:00:00+00:00"), &json!("2024-05-01"), &json!(false))
    );
}

#[test]
fn completed_tasks_leave_an_activity() {
    let sandbox = sandbox();
    let task = call(
        &sandbox,
        "POST",
        "/task/",
        Some(&json!({"lead_id": "lead_abc123XYZ", "text": "Done already", "is_complete": true})),
    )
    .json();
    assert_eq!((&task["object_type"], &task["view"]), (&json!("taskcompleted"), &json!("archive")));
    let activity_id = task["object_id"].as_str().unwrap();
    let activity = get(&sandbox, &format!("/activity/task_completed/{activity_id}/"));
    assert_eq!(
        (&activity["_type"], &activity["task_id"], &activity["task_text"]),
        (&json!("TaskCompleted"), &task["id"], &json!("Done already"))
    );
    assert_eq!(get(&sandbox, "/activity/?lead_id=lead_abc123XYZ")["data"][0]["id"], activity_id);
    let open = column(&json!({"data": get(&sandbox, "/lead/lead_abc123XYZ/")["tasks"]}), "text").len();
    assert_eq!(open, 1, "complete tasks are not embedded");
}

#[test]
fn task_validation_and_listing() {
    let sandbox = sandbox();
    let cases = [
        (json!({"text": "no lead"}), json!({"lead": "This field is required."})),
        (json!({"lead_id": "lead_nope"}), json!({"lead": "Object does not exist."})),
        (
            json!({"lead_id": "lead_abc123XYZ", "_type": "email_followup"}),
            json!({"_type": "Only lead and outgoing_call tasks can be created."}),
        ),
        (
            json!({"lead_id": "lead_abc123XYZ", "assigned_to": "user_nope"}),
            json!({"assigned_to": "Object does not exist."}),
        ),
        (
            json!({"lead_id": "lead_abc123XYZ", "date": "tomorrow"}),
            json!({"date": "Enter a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM:SS+00:00)."}),
        ),
    ];
    for (body, errors) in cases {
        let answer = call(&sandbox, "POST", "/task/", Some(&body));
        assert_eq!(
            (answer.status, answer.json()),
            (400, json!({"errors": [], "field-errors": errors})),
            "{body}"
        );
    }
    let call_task = call(
        &sandbox,
        "POST",
        "/task/",
        Some(&json!({"lead_id": "lead_abc123XYZ", "_type": "outgoing_call"})),
    )
    .json();
    assert!(call_task["id"].as_str().unwrap().starts_with("noti_"));
    let default = get(&sandbox, "/task/");
    assert!(column(&default, "_type").iter().all(|t| *t == "lead"));
    assert_eq!(default["data"].as_array().unwrap().len(), 5);
    assert_eq!(get(&sandbox, "/task/?_type=all")["data"].as_array().unwrap().len(), 6);
    assert_eq!(
        column(&get(&sandbox, "/task/?lead_id=lead_abc123XYZ"), "text"),
        ["Follow up with Jane on the proposal"]
    );
    assert_eq!(get(&sandbox, "/task/?is_complete=true")["data"].as_array().unwrap().len(), 1);
    let id = default["data"][0]["id"].as_str().unwrap();
    assert_eq!(get(&sandbox, &format!("/task/{id}/")), default["data"][0]);
}

#[test]
fn activity_lists_filter_by_date_created() {
    let sandbox = sandbox();
    let all = get(&sandbox, "/activity/?lead_id=lead_abc123XYZ&_limit=100");
    let dates: Vec<String> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["date_created"].as_str().unwrap().to_string())
        .collect();
    assert!(dates.len() >= 6);
    let middle = dates[3].replace('+', "%2B");
    let older =
        get(&sandbox, &format!("/activity/?lead_id=lead_abc123XYZ&_limit=100&date_created__lt={middle}"));
    assert_eq!(older["data"].as_array().unwrap().len(), dates.len() - 4);
    let up_to =
        get(&sandbox, &format!("/activity/?lead_id=lead_abc123XYZ&_limit=100&date_created__lte={middle}"));
    assert_eq!(up_to["data"].as_array().unwrap().len(), dates.len() - 3);
    let bad = call(&sandbox, "GET", "/activity/email/?date_created__gte=yesterday", None);
    assert_eq!(bad.status, 400);
}

#[test]
fn activity_lists_follow_order_by() {
    let sandbox = sandbox();
    let dates = |path: &str| -> Vec<String> {
        column(&get(&sandbox, path), "date_created").into_iter().map(String::from).collect()
    };
    let newest = dates("/activity/email/?_limit=100");
    assert!(newest.len() > 20 && newest.len() < 100 && newest.windows(2).all(|pair| pair[0] >= pair[1]));
    assert_eq!(dates("/activity/email/?_limit=100&_order_by=-date_created"), newest);
    let mut oldest = dates("/activity/email/?_limit=100&_order_by=date_created");
    oldest.reverse();
    assert_eq!(oldest, newest);
    let by_time = get(&sandbox, "/activity/?lead_id=lead_abc123XYZ&_order_by=-activity_at");
    let times = column(&by_time, "activity_at");
    assert!(times.len() >= 6 && times.windows(2).all(|pair| pair[0] >= pair[1]));

    for (path, message) in [
        (
            "/activity/?_order_by=-activity_at",
            "_order_by: ordering by activity_at is only possible for the activities of one lead (lead_id).",
        ),
        (
            "/activity/?_order_by=size",
            "_order_by: 'size' is not a field activities can be ordered by; use date_created or \
             activity_at, with '-' for newest first.",
        ),
        (
            "/activity/?lead_id=lead_abc123XYZ&activity_at__gt=2025-01-01",
            "activity_at__gt: a list ordered by date_created can only be filtered by that date; order it \
             with _order_by=-activity_at to filter by activity_at.",
        ),
    ] {
        let answer = call(&sandbox, "GET", path, None);
        assert_eq!((answer.status, answer.json()), (400, json!({ "error": message })), "{path}");
    }
}

#[test]
fn a_bulk_import_puts_many_leads_and_notes_in_one_second() {
    let sandbox = sandbox();
    let import = crate::sandbox::BulkImport {
        leads: 50,
        first: "2026-12-04T00:44:00+00:00".into(),
        spacing: std::time::Duration::from_millis(10),
        notes_per_lead: 2,
    };
    sandbox.import_leads("default", &import).unwrap();
    let found = get(
        &sandbox,
        "/lead/?_limit=0&query=created%3E%3D2026-12-04T00%3A44%3A00%20created%3C2026-12-04T00%3A44%3A01",
    );
    assert_eq!(found["total_results"], 50);
    let notes = get(&sandbox, "/activity/note/?_limit=100&date_created__gte=2026-12-04T00%3A44%3A00Z");
    let dates = column(&notes, "date_created");
    assert_eq!(dates.len(), 100);
    assert_eq!(dates[0], "2026-12-04T00:44:00.490000+00:00");
    assert_eq!(dates[0], dates[1], "a lead's notes share its moment");
    assert!(sandbox.import_leads("nobody", &import).unwrap_err().contains("'nobody'"));
    let bad = crate::sandbox::BulkImport { first: "soon".into(), ..import };
    assert!(sandbox.import_leads("default", &bad).unwrap_err().contains("'soon'"));
}
