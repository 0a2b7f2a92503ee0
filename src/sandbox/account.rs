//! Who is calling and how the organisation is set up: `/me/`, users, statuses, custom fields.
//!
//! These answers are small and rarely asked for, so they are built as `serde_json` values.
//! Note the one trap Close sets here: `/me/` lists `organizations` as objects, while
//! `/user/` lists them as ID strings.

use serde_json::{Value, json};

use super::contacts::MAX_LIMIT;
use super::dispatch::{Answer, Call};
use super::model::{CustomField, FieldType, User};
use super::paging::{self, list_params, list_reply, object_reply};
use super::reply::Reply;
use super::store::Org;
use super::time::Timestamp;

/// `GET /me/`: the key's user with the organisation, membership and email account.
pub fn me(org: &Org, call: &Call) -> Answer {
    let user = &org.users[Org::KEY_USER];
    let mut answer = user_json(org, user);
    let statuses: Vec<Value> = org.statuses.iter().map(|s| json!({"id": s.id, "label": s.label})).collect();
    answer["organizations"] = json!([{
        "id": org.id,
        "name": org.name,
        "lead_statuses": statuses,
        "opportunity_statuses": [],
        "status": "active",
        "user_count": org.users.len(),
        "date_created": org.date_created,
        "date_updated": org.date_created,
    }]);
    answer["memberships"] = json!([{
        "id": org.membership_id,
        "user_id": user.id,
        "organization_id": org.id,
        "role_id": "admin",
        "role": "admin",
    }]);
    answer["email_accounts"] = json!([{
        "id": org.email_account_id,
        "email": user.email,
        "type": "custom",
        "user_id": user.id,
        "organization_id": org.id,
    }]);
    answer["phone"] = Value::Null;
    Ok(object_reply(&answer, paging::fields_param(call.query).as_ref()))
}

/// `GET /user/`: the organisation's users.
pub fn list_users(org: &Org, call: &Call) -> Answer {
    let params = list_params(call.query, MAX_LIMIT, call.max_skip)?;
    let page = org.users.iter().skip(params.skip).take(params.limit).map(|u| user_json(org, u));
    Ok(list_reply(page, params.has_more(org.users.len()), None, params.fields.as_ref()))
}

/// `GET /user/{id}/`.
pub fn get_user(org: &Org, id: &str, call: &Call) -> Answer {
    let user = org.users.iter().find(|u| u.id == id).ok_or_else(|| Reply::no_such("User"))?;
    Ok(object_reply(&user_json(org, user), paging::fields_param(call.query).as_ref()))
}

/// A user as `/user/` shows it, with `organizations` as ID strings.
fn user_json(org: &Org, user: &User) -> Value {
    let image = format!("https://secure.gravatar.com/avatar/{:032x}", avatar_hash(&user.email));
    json!({
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "image": image,
        "organizations": [org.id],
        "last_used_timezone": "America/New_York",
        "email_verified_at": user.date_created,
        "date_created": user.date_created,
        "date_updated": user.date_created,
    })
}

/// A stable stand-in for the MD5 Gravatar uses; only the shape of the URL matters.
fn avatar_hash(text: &str) -> u128 {
    let high = super::ids::fnv1a(text.as_bytes());
    let low = super::ids::fnv1a(text.to_uppercase().as_bytes());
    (u128::from(high) << 64) | u128::from(low)
}

/// `GET /status/lead/`.
pub fn lead_statuses(org: &Org, call: &Call) -> Answer {
    let params = list_params(call.query, MAX_LIMIT, call.max_skip)?;
    let rows = org.statuses.iter().map(|s| json!({"id": s.id, "label": s.label, "organization_id": org.id}));
    let page = rows.skip(params.skip).take(params.limit);
    Ok(list_reply(page, params.has_more(org.statuses.len()), None, params.fields.as_ref()))
}

/// `GET /custom_field/lead/` (and the older plural path).
pub fn lead_fields(org: &Org, call: &Call) -> Answer {
    let params = list_params(call.query, MAX_LIMIT, call.max_skip)?;
    let page = org.fields.iter().skip(params.skip).take(params.limit).map(|f| field_json(org, f));
    Ok(list_reply(page, params.has_more(org.fields.len()), None, params.fields.as_ref()))
}

/// `GET /custom_field/lead/{id}/`.
pub fn lead_field(org: &Org, id: &str, call: &Call) -> Answer {
    let field = org.fields.iter().find(|f| f.id == id).ok_or_else(|| Reply::no_such("LeadCustomField"))?;
    Ok(object_reply(&field_json(org, field), paging::fields_param(call.query).as_ref()))
}

/// A custom field definition.
fn field_json(org: &Org, field: &CustomField) -> Value {
    let choices = match &field.kind {
        FieldType::Choices(choices) => json!(choices),
        _ => Value::Null,
    };
    let author = &org.users[Org::KEY_USER].id;
    let created: Timestamp = field.date_created;
    json!({
        "id": field.id,
        "name": field.name,
        "description": null,
        "type": field.kind.name(),
        "choices": choices,
        "accepts_multiple_values": false,
        "editable_with_roles": [],
        "is_shared": false,
        "referenced_custom_type_id": null,
        "back_reference_is_visible": null,
        "organization_id": org.id,
        "created_by": author,
        "updated_by": author,
        "date_created": created,
        "date_updated": created,
    })
}
