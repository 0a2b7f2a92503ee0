//! Shared helpers: a clean command, a home directory of its own, a sandbox with a config
//! that points at it.

use std::path::PathBuf;

use assert_cmd::Command;
use close_lua::sandbox::{RecordedRequest, Sandbox, SandboxOptions};

/// A fresh home directory and the command to run close-lua in it.
pub struct Env {
    pub home: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env { home: tempfile::tempdir().expect("a temporary home") }
    }

    /// close-lua with an empty environment apart from HOME, so no config or CLOSE_*
    /// variable of the machine leaks in.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// The same as a plain `std::process::Command`, for tests that drive the process.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("close-lua"));
        cmd.env_clear().env("HOME", self.home.path()).current_dir(self.home.path());
        cmd
    }

    /// Writes a file under the home directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.home.path().join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Writes the config file at its default place, readable by its owner only as a
    /// careful user keeps it (close-lua warns otherwise).
    pub fn write_default_config(&self, text: &str) -> PathBuf {
        let path = self.write(".config/close-lua/config.toml", text);
        private(&path);
        path
    }
}

/// Makes a file readable by its owner only.
pub fn private(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// A sandbox in this process and a home whose default config points every account at it.
pub struct Served {
    pub env: Env,
    pub sandbox: Sandbox,
}

impl Served {
    /// A sandbox with the accounts `default`, `us_team` and `eu_team`.
    pub fn new() -> Served {
        Served::with_accounts(&["default", "us_team", "eu_team"])
    }

    pub fn with_accounts(names: &[&str]) -> Served {
        let options =
            SandboxOptions { accounts: names.iter().map(|n| n.to_string()).collect(), ..Default::default() };
        Served::with_options(options)
    }

    /// A sandbox started with `options`, with a config for each of its accounts.
    pub fn with_options(options: SandboxOptions) -> Served {
        let names = options.accounts.clone();
        let sandbox = Sandbox::start(options).expect("the sandbox starts");
        let env = Env::new();
        let mut config = String::new();
        for name in &names {
            config.push_str(&format!(
                "[accounts.{name}]\napi_key = \"{}\"\nbase_url = \"{}\"\n\n",
                sandbox.api_key(name).unwrap(),
                sandbox.base_url()
            ));
        }
        env.write_default_config(&config);
        Served { env, sandbox }
    }

    pub fn cmd(&self) -> Command {
        self.env.cmd()
    }

    /// Runs a chunk twice, as a real run and as a dry run, for checks that must hold in
    /// both; gives each output with whether it was the dry run.
    pub fn run_and_dry_run(&self, chunk: &str) -> [(bool, std::process::Output); 2] {
        [false, true].map(|dry_run| {
            let mut cmd = self.cmd();
            if dry_run {
                cmd.arg("--dry-run");
            }
            (dry_run, cmd.args(["-e", chunk]).output().unwrap())
        })
    }

    pub fn std_cmd(&self) -> std::process::Command {
        self.env.std_cmd()
    }

    /// Puts top-level settings (such as `[retry]`) before the accounts in the config.
    pub fn prepend_config(&self, text: &str) {
        let path = self.env.home.path().join(".config/close-lua/config.toml");
        let accounts = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\n{accounts}")).unwrap();
    }

    /// The requests the sandbox received, as "METHOD /path/?query" lines.
    pub fn request_lines(&self) -> Vec<String> {
        self.sandbox.requests().iter().map(request_line).collect()
    }
}

/// "GET /lead/?query=Acme&_limit=10"
pub fn request_line(request: &RecordedRequest) -> String {
    if request.query.is_empty() {
        return format!("{} {}", request.method, request.path);
    }
    let query: Vec<String> = request.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{} {}?{}", request.method, request.path, query.join("&"))
}

/// The process's stdout as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The process's stderr as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
