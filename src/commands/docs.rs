//! `close-lua docs` and `close-lua types`: the reference and editor annotations, both
//! written from the spec table.

use crate::lua::{reference, specs, validate};
use crate::runner::EXIT_USAGE;
use crate::settings::{self, Settings};

/// Prints the whole reference, or one function's.
pub fn docs(function: Option<&str>) -> i32 {
    let Some(name) = function else {
        print!("{}", reference::markdown());
        return 0;
    };
    let name = name.rsplit('.').next().unwrap_or(name);
    match specs::find(name) {
        Some(spec) => {
            print!("{}", reference::function_markdown(spec));
            0
        }
        None => {
            let names: Vec<&str> = specs::FUNCTIONS.iter().map(|spec| spec.name).collect();
            eprintln!("close-lua: error: no function {name} in app.integrations.close");
            match validate::closest(name, names.iter().copied()) {
                Some(known) => eprintln!("hint: did you mean {known}?"),
                None => eprintln!("hint: the functions are {}", names.join(", ")),
            }
            EXIT_USAGE
        }
    }
}

/// Prints LuaLS annotations, naming the configured accounts when the config can be read.
pub fn types(settings: &Settings) -> i32 {
    let accounts = settings::load_accounts(settings, &|name| std::env::var(name).ok())
        .map(|accounts| accounts.by_name.into_keys().collect())
        .unwrap_or_else(|_| vec!["default".to_string()]);
    print!("{}", reference::annotations(&accounts));
    0
}
