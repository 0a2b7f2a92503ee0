//! From a received request to an answer: rate limit, route, key, body, handler.
//!
//! The checks run in the order a Flask-style server like Close's would apply them: the
//! key's rate limit first (every request counts, and every answer carries `RateLimit`),
//! then the path (404 for unknown paths and for paths missing their trailing slash), the
//! method (405), the API key (401), and for writes the content type (415) and a JSON object
//! body (400). Only then is the organisation locked and the handler run. A POST with
//! `X-HTTP-Method-Override: GET` is served as a GET whose parameters come from the body's
//! `_params`, as Close allows for queries too long for a URL.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::model::ActivityType;
use super::reply::Reply;
use super::routes::Route;
use super::server::Shared;
use super::store::Org;
use super::{account, activities, contacts, ids, leads, tasks};

/// The prefix every API path starts with.
pub const API_PREFIX: &str = "/api/v1";

/// A request as the server read it off the connection.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub method: String,
    /// The decoded path, including `/api/v1`.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The client's address; its port tells connections apart.
    pub peer: Option<std::net::SocketAddr>,
}

/// What a handler gets besides the organisation.
#[derive(Debug)]
pub struct Call<'a> {
    pub query: &'a [(String, String)],
    /// The JSON object of a write (or of an overridden GET); empty for plain reads.
    pub body: &'a Map<String, Value>,
    pub max_skip: usize,
}

/// A handler's result: `Err` holds an error answer, so handlers can use `?`.
pub type Answer = Result<Reply, Reply>;

/// Answers a request (faults aside) and adds the `RateLimit` header.
pub fn answer(shared: &Shared, request: &Incoming) -> Reply {
    let presented = presented_key(&request.headers);
    let standing = shared.limiter.count(presented.as_deref().unwrap_or(""));
    let reply = if standing.exceeded {
        standing.too_many(&endpoint_group(request))
    } else {
        let org =
            presented.as_deref().and_then(|key| shared.store.account_of_key(key)).map(|(index, _)| index);
        route(shared, request, org).unwrap_or_else(|refusal| refusal)
    };
    reply.with_header("RateLimit", standing.header())
}

/// The account whose key authenticates the request, if any.
pub fn account_of(shared: &Shared, headers: &[(String, String)]) -> Option<String> {
    let key = presented_key(headers)?;
    shared.store.account_of_key(&key).map(|(_, account)| account.to_string())
}

/// Everything after the rate limit.
fn route(shared: &Shared, request: &Incoming, org: Option<usize>) -> Answer {
    let route = find_route(&request.path)?;
    let overriding = is_get_override(request);
    let method = if overriding { "GET" } else { request.method.as_str() };
    if !route.methods().contains(&method) {
        let allowed = route.methods().join(", ");
        let message = format!("Method {method} is not allowed here; this endpoint answers {allowed}.");
        return Err(Reply::error(405, message).with_header("Allow", allowed));
    }
    let org = org.ok_or_else(|| Reply::error(401, UNAUTHORIZED))?;

    // Writes carry a JSON object; an overridden GET carries its parameters in one.
    let body = match method {
        "POST" | "PUT" => json_body(request)?,
        _ if overriding => json_body(request)?,
        _ => Map::new(),
    };
    let query = if overriding { override_params(&request.query, &body) } else { request.query.clone() };
    let call = Call { query: &query, body: &body, max_skip: shared.max_skip };
    let mut org = shared.store.lock(org);
    if method != "GET" {
        // A write can change how any lead renders (its tasks, contacts, fields) and which
        // leads there are.
        org.forget_cached();
    }
    run(&mut org, route, method, &call)
}

/// The answer to a missing or unknown API key, worded like Close's.
const UNAUTHORIZED: &str = "The server could not verify that you are authorized to access this \
    resource. Check the API key you sent as the user name of HTTP Basic authentication.";

/// Whether a POST asks to be treated as a GET. Close accepts this so that long filter
/// lists can travel in a JSON body (`{"_params": {...}}`) instead of an over-long URL.
fn is_get_override(request: &Incoming) -> bool {
    request.method == "POST"
        && header(&request.headers, "x-http-method-override").is_some_and(|m| m.eq_ignore_ascii_case("GET"))
}

/// The query of an overridden GET: the URL's parameters followed by those in `_params`.
fn override_params(url_query: &[(String, String)], body: &Map<String, Value>) -> Vec<(String, String)> {
    let mut query = url_query.to_vec();
    let Some(Value::Object(params)) = body.get("_params") else {
        return query;
    };
    for (name, value) in params {
        let text = match value {
            Value::Null => continue,
            Value::String(text) => text.clone(),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        query.push((name.clone(), text));
    }
    query
}

/// The route of a full path, or the 404 to answer.
///
/// Close documents every path with a trailing slash, but what it does without one (redirect
/// or 404) is not known. The sandbox answers 404 with a message saying so, which makes a
/// client that forgets the slash fail loudly in tests rather than work by accident.
fn find_route(path: &str) -> Result<Route, Reply> {
    let relative = path.strip_prefix(API_PREFIX).filter(|rest| rest.is_empty() || rest.starts_with('/'));
    if let Some(relative) = relative {
        if let Some(route) = Route::find(relative) {
            return Ok(route);
        }
        if !relative.ends_with('/') && Route::find(&format!("{relative}/")).is_some() {
            return Err(Reply::error(
                404,
                format!(
                    "Not found: API paths end with a slash. \
                Request {path}/ instead of {path}."
                ),
            ));
        }
    }
    Err(Reply::error(404, format!("Not found: there is no API endpoint at {path}.")))
}

/// The JSON object body of a write, or the 415/400 to answer.
fn json_body(request: &Incoming) -> Result<Map<String, Value>, Reply> {
    let content_type = header(&request.headers, "content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(Reply::error(
            415,
            format!(
                "Unsupported media type '{content_type}': send the \
            body as JSON with Content-Type: application/json."
            ),
        ));
    }
    match serde_json::from_str::<Value>(&request.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Reply::bad_request("The request body must be a JSON object.")),
        Err(error) => Err(Reply::bad_request(format!("The request body is not valid JSON: {error}."))),
    }
}

/// Runs the handler of a route.
fn run(org: &mut Org, route: Route, method: &str, call: &Call) -> Answer {
    match (route, method) {
        (Route::Me, _) => account::me(org, call),
        (Route::Users, _) => account::list_users(org, call),
        (Route::User(id), _) => account::get_user(org, &id, call),
        (Route::LeadStatuses, _) => account::lead_statuses(org, call),
        (Route::LeadFields, _) => account::lead_fields(org, call),
        (Route::LeadField(id), _) => account::lead_field(org, &id, call),
        (Route::Leads, "POST") => leads::create_lead(org, call),
        (Route::Leads, _) => leads::list_leads(org, call),
        (Route::Lead(id), "PUT") => leads::update_lead(org, &id, call),
        (Route::Lead(id), "DELETE") => leads::delete_lead(org, &id),
        (Route::Lead(id), _) => leads::get_lead(org, &id, call),
        (Route::Contacts, _) => contacts::list_contacts(org, call),
        (Route::Contact(id), _) => contacts::get_contact(org, &id, call),
        (Route::Activities, _) => activities::list_activities(org, call),
        (Route::ActivitiesOf(kind), _) => activities::list_activities_of(org, kind, call),
        (Route::ActivityOf(kind, id), _) => activities::get_activity_of(org, kind, &id, call),
        (Route::Tasks, "POST") => tasks::create_task(org, call),
        (Route::Tasks, _) => tasks::list_tasks(org, call),
        (Route::Task(id), _) => tasks::get_task(org, &id, call),
    }
}

/// The user name of HTTP Basic authentication, which is where Close takes the API key
/// from. The password is ignored (Close expects it empty; whether it checks is unknown).
fn presented_key(headers: &[(String, String)]) -> Option<String> {
    let value = header(headers, "authorization")?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let user = decoded.split_once(':').map_or(decoded.as_str(), |(user, _)| user);
    Some(user.to_string())
}

/// A name for the endpoint group in the 429 body, stable per method family and resource.
fn endpoint_group(request: &Incoming) -> String {
    let family = if request.method == "GET" { "read" } else { "write" };
    let resource = request.path.trim_start_matches(API_PREFIX).split('/').nth(1).unwrap_or("");
    let resource =
        if ActivityType::ALL.iter().any(|k| k.path_name() == resource) { "activity" } else { resource };
    format!("{:016x}", ids::fnv1a(format!("{family} {resource}").as_bytes()))
}

/// The first value of a (lower-case) header.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}
