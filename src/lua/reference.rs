//! The reference of `app.integrations.close`, written from the spec table: Markdown for
//! `close-lua docs` and `help()`, and LuaLS annotations for `close-lua types`.

use std::fmt::Write;

use super::specs::{FUNCTIONS, Format, FunctionSpec, Param, ParamType};

/// The whole reference as Markdown.
pub fn markdown() -> String {
    let mut out = String::from(
        "# app.integrations.close\n\n\
         Every function takes one table of named parameters and returns a Lua table; a failed \
         call raises an error value with `status`, `message` and `field_errors`. \
         `app.integrations.close.<function>` calls the default account, \
         `app.integrations.close.<account>.<function>` any account of the config, and \
         `app.integrations.close.default.<function>` the default account again.\n",
    );
    for spec in FUNCTIONS {
        out.push('\n');
        out.push_str(&function_markdown(spec));
    }
    out
}

/// One function's reference as Markdown.
pub fn function_markdown(spec: &FunctionSpec) -> String {
    let mut out = format!("## {}\n\n{}\n\n", spec.name, spec.summary);
    let call = if spec.iterator {
        format!("for row in app.integrations.close.{}({{ ... }}) do ... end", spec.name)
    } else {
        format!("app.integrations.close.{}({{ ... }})", spec.name)
    };
    let _ = writeln!(out, "`{call}` calls `{} {}`.\n", spec.method, spec.path);

    if spec.params.is_empty() {
        out.push_str("Parameters: none (pass `{}`).\n\n");
    } else {
        out.push_str("| parameter | type | required | accepts | description |\n|---|---|---|---|---|\n");
        for param in spec.params {
            let required = if param.required { "yes" } else { "no" };
            let _ = writeln!(
                out,
                "| `{}` | {} | {required} | {} | {} |",
                param.name,
                param.kind.name(),
                accepts(param),
                param.description
            );
        }
        out.push('\n');
    }
    // A description ending in "..." (or any full stop) gets no second one.
    let stop = if spec.returns.ends_with('.') { "" } else { "." };
    let _ = write!(out, "Returns: {}{stop}\n\nExample:\n\n```lua\n{}\n```\n", spec.returns, spec.example);
    out
}

/// The values a parameter takes beyond its type, in words.
fn accepts(param: &Param) -> String {
    let mut parts = Vec::new();
    match param.range {
        Some((min, i64::MAX)) => parts.push(format!("{min} or more")),
        Some((min, max)) => parts.push(format!("{min} to {max}")),
        None => {}
    }
    if !param.choices.is_empty() {
        parts.push(param.choices.iter().map(|c| format!("`\"{c}\"`")).collect::<Vec<_>>().join(", "));
    }
    if param.format == Format::Date {
        parts.push("`YYYY-MM-DD`, or that and `THH:MM[:SS]` with an optional fraction and zone".to_string());
    }
    if param.nullable {
        parts.push("`json.null` clears it".to_string());
    }
    parts.join("; ")
}

/// A short list of the functions of the namespace at `path` and a line about its accounts,
/// for `help(app.integrations.close)` and `help(app.integrations.close.<account>)`.
pub fn overview(path: &str, accounts: &str) -> String {
    let mut out = format!("{path}: functions (help({path}.<name>) for more)\n\n");
    for spec in FUNCTIONS {
        let _ = writeln!(out, "  {:<18} {}", spec.name, spec.summary);
    }
    let _ = write!(out, "\n{accounts}\n");
    out
}

/// The LuaLS type of a parameter; a string limited to some values is their union.
fn lua_type(param: &Param) -> String {
    if !param.choices.is_empty() {
        return param.choices.iter().map(|choice| format!("\"{choice}\"")).collect::<Vec<_>>().join("|");
    }
    let name = match param.kind {
        ParamType::String => "string",
        ParamType::Integer => "integer",
        ParamType::Boolean => "boolean",
        ParamType::Array => "table[]",
        ParamType::Object => "table<string, any>",
    };
    name.to_string()
}

/// `ListLeads` for `list_leads`.
fn class_stem(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// What each function returns, as a LuaLS type.
fn return_type(spec: &FunctionSpec) -> &'static str {
    match spec.name {
        "list_leads" => "close.LeadPage",
        "list_contacts" => "close.ContactPage",
        "list_activities" => "close.ActivityPage",
        "get_lead" | "create_lead" | "update_lead" => "close.Lead",
        "delete_lead" => "boolean",
        "create_task" => "close.Task",
        "get_current_user" => "close.User",
        "iter_leads" => "fun(): close.Lead?",
        "iter_contacts" => "fun(): close.Contact?",
        _ => "fun(): close.Activity?",
    }
}

/// The records scripts get back, with the fields worth completing.
const RECORD_CLASSES: &str = "\
---@class close.Lead
---@field id string
---@field name string
---@field display_name string
---@field url? string
---@field description? string
---@field status_id string
---@field status_label string
---@field html_url string The lead's page in the Close app.
---@field organization_id string
---@field contacts close.Contact[]
---@field addresses { label: string, address_1?: string, address_2?: string, city?: string, state?: string, zipcode?: string, country?: string }[]
---@field opportunities table[]
---@field tasks table[] The lead's tasks that are not complete.
---@field integration_links { name: string, url: string }[]
---@field custom table<string, any> Custom field values by field name.
---@field created_by string
---@field created_by_name string
---@field updated_by string
---@field updated_by_name string
---@field date_created string
---@field date_updated string

---@class close.Contact
---@field id string
---@field lead_id string
---@field name? string
---@field display_name string
---@field title? string
---@field emails { email: string, type: string }[]
---@field phones { phone: string, phone_formatted: string, type: string }[]

---@class close.Activity
---@field id string
---@field _type string Close's type name, e.g. \"Email\".
---@field type string The lowercase type: email, call, note, sms, meeting...
---@field body_preview string A one-line text preview; \"\" when there is no text.
---@field lead_id string
---@field subject? string
---@field date_created string

---@class close.Task
---@field id string
---@field _type string \"lead\" for the tasks create_task makes.
---@field text string
---@field lead_id string
---@field lead_name string
---@field assigned_to string The user to do it.
---@field assigned_to_name string
---@field date string When it becomes due: a date or a date and time.
---@field due_date? string The date part of date; nil for a task without one.
---@field is_dateless boolean
---@field is_complete boolean
---@field view string inbox, future or archive.
---@field contact_id? string
---@field contact_name? string
---@field object_type? string \"taskcompleted\" once complete, with the activity's id in object_id.
---@field object_id? string
---@field organization_id string
---@field created_by string
---@field created_by_name string
---@field updated_by string
---@field updated_by_name string
---@field date_created string
---@field date_updated string

---@class close.User
---@field id string
---@field first_name string
---@field last_name string
---@field email string
---@field organizations { id: string, name: string }[]

---@class close.LeadPage
---@field leads close.Lead[]
---@field has_more boolean
---@field total_results? integer

---@class close.ContactPage
---@field contacts close.Contact[]
---@field has_more boolean

---@class close.ActivityPage
---@field activities close.Activity[]
---@field has_more boolean

---@class close.Error
---@field kind string http, network, timeout, redirect, invalid_response, interrupted, config or permission
---@field status? integer
---@field message string
---@field field_errors table<string, string>
---@field method string
---@field path string
---@field account string
---@field retries integer
---@field hint? string
";

/// LuaLS annotations for `app.integrations.close`, its accounts, `json` and `csv`. The
/// text is also plain Lua that runs without effect beyond defining tables.
pub fn annotations(accounts: &[String]) -> String {
    let mut out = String::from(
        "---@meta close-lua\n\
         -- Editor annotations for close-lua scripts (Lua Language Server).\n\
         -- Written by `close-lua types`; put the file where your editor's Lua workspace sees it.\n\n",
    );
    out.push_str(RECORD_CLASSES);
    out.push('\n');

    for spec in FUNCTIONS.iter().filter(|spec| !spec.params.is_empty()) {
        let _ = writeln!(out, "---@class close.{}Params", class_stem(spec.name));
        for param in spec.params {
            let optional = if param.required { "" } else { "?" };
            let _ =
                writeln!(out, "---@field {}{optional} {} {}", param.name, lua_type(param), param.description);
        }
        out.push('\n');
    }

    out.push_str("---@class close.Namespace\nlocal Namespace = {}\n\n");
    for spec in FUNCTIONS {
        let _ = writeln!(out, "--- {}", spec.summary);
        if spec.params.is_empty() {
            out.push_str("---@param params? {}\n");
        } else {
            let optional = if spec.params.iter().any(|p| p.required) { "" } else { "?" };
            let _ = writeln!(out, "---@param params{optional} close.{}Params", class_stem(spec.name));
        }
        let _ =
            writeln!(out, "---@return {}\nfunction Namespace.{}(params) end\n", return_type(spec), spec.name);
    }

    out.push_str(
        "---@class close.Accounts: close.Namespace\n---@field default close.Namespace The default account.\n",
    );
    for account in accounts.iter().filter(|name| name.as_str() != "default") {
        let _ = writeln!(out, "---@field {account} close.Namespace");
    }
    out.push_str(
        "\n---@type { integrations: { close: close.Accounts } }\napp = {}\n\n\
         ---@class close.Json\n\
         ---@field null lightuserdata The JSON null: sent as null, and what null is inside lists.\n\
         json = {}\n\
         ---@param value any\n---@param options? { pretty?: boolean }\n---@return string\n\
         function json.encode(value, options) end\n\
         ---@param text string\n---@return any\nfunction json.decode(text) end\n\
         ---@param t? table\n---@return table\nfunction json.array(t) end\n\
         ---@param t? table\n---@return table\nfunction json.object(t) end\n\n\
         ---@class close.CsvWriter\n---@field write fun(self: close.CsvWriter, row: table)\n\
         ---@field close fun(self: close.CsvWriter)\n\n\
         csv = {}\n\
         ---@param path string A file, or \"-\" for stdout.\n---@param options? { columns?: string[] }\n\
         ---@return close.CsvWriter\nfunction csv.writer(path, options) end\n\
         ---@param path string A file, or \"-\" for stdin.\n---@return fun(): table<string, string>?\n\
         function csv.reader(path) end\n\n\
         --- Prints the reference of a function, or the list of functions and accounts.\n\
         ---@param what? any\nfunction help(what) end\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_and_parameter_is_documented() {
        let reference = markdown();
        for spec in FUNCTIONS {
            assert!(reference.contains(&format!("## {}\n\n{}", spec.name, spec.summary)), "{}", spec.name);
            assert!(reference.contains(spec.example), "{}", spec.name);
            let one = function_markdown(spec);
            for param in spec.params {
                let row = format!("\n| `{}` | {} |", param.name, param.kind.name());
                assert!(one.contains(&row), "{}.{}", spec.name, param.name);
            }
        }
        // Whole rows, written out: type, whether required, what it accepts, description.
        for row in [
            "| `id` | string | yes |  | The lead's id, which starts with \"lead_\". |",
            "| `limit` | integer | no | 1 to 100 | How many records to return in one page (25 when left out). |",
            "| `skip` | integer | no | 0 or more | How many matching records to pass over before the page starts. |",
            "| `type` | string | no | `\"email\"`, `\"call\"`, `\"note\"`, `\"sms\"`, `\"meeting\"` | Only activities \
             of this type. |",
            "| `url` | string | no | `json.null` clears it | The new web site; json.null removes it. |",
            "| `due_date` | string | no | `YYYY-MM-DD`, or that and `THH:MM[:SS]` with an optional fraction and \
             zone | When it is due: a date (\"2026-04-15\") or an ISO 8601 date and time. |",
        ] {
            assert!(reference.contains(&format!("\n{row}\n")), "{row}");
        }
        assert!(reference.contains("organizations = { { id, name, ... } }, ...\n\nExample:"));
        assert!(reference.contains("Returns: the new lead.\n"));
        assert!(reference.contains("Parameters: none (pass `{}`).\n"));
        assert!(!reference.contains("...."));
    }

    #[test]
    fn annotations_load_in_lua_and_cover_every_parameter() {
        let text = annotations(&["default".into(), "us_team".into()]);
        let lua = mlua::Lua::new();
        lua.load(&text).set_name("close.d.lua").exec().expect("the annotations are valid Lua");
        let defined: bool =
            lua.load("return type(app) == 'table' and type(json.encode) == 'function'").eval().unwrap();
        assert!(defined);
        for spec in FUNCTIONS {
            assert!(text.contains(&format!("function Namespace.{}(params) end", spec.name)), "{}", spec.name);
            if spec.params.is_empty() {
                continue;
            }
            // Each function's class holds its parameters, in order.
            let stem = class_stem(spec.name);
            let class = text.split(&format!("---@class close.{stem}Params\n")).nth(1).expect(spec.name);
            let fields: Vec<&str> = class
                .lines()
                .take_while(|line| line.starts_with("---@field "))
                .map(|line| line["---@field ".len()..].split([' ', '?']).next().unwrap_or_default())
                .collect();
            let names: Vec<&str> = spec.params.iter().map(|param| param.name).collect();
            assert_eq!(fields, names, "{}", spec.name);
        }
        // Two classes, written out.
        assert!(text.contains(
            "\n---@class close.GetLeadParams\n---@field id string The lead's id, which starts with \"lead_\".\n\n"
        ));
        assert!(text.contains(
            "\n---@class close.ListActivitiesParams\n\
             ---@field lead_id? string Only the activities of this lead.\n\
             ---@field type? \"email\"|\"call\"|\"note\"|\"sms\"|\"meeting\" Only activities of this type.\n\
             ---@field limit? integer How many records to return in one page (25 when left out).\n\
             ---@field skip? integer How many matching records to pass over before the page starts.\n\n"
        ));
        assert!(text.contains("\n---@param params close.GetLeadParams\n---@return close.Lead\nfunction Namespace.get_lead(params) end\n"));
        assert!(text.contains("\n---@param params? close.ListLeadsParams\n"));
        assert!(text.contains("---@field us_team close.Namespace"));
        assert_eq!(class_stem("list_leads"), "ListLeads");
    }
}
