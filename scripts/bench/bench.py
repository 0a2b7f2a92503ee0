#!/usr/bin/env python3
"""Time close-lua against its anchors on a local sandbox and print a Markdown table.

scripts/bench.sh builds close-lua and then runs this. It serves the sandbox with 10,000
leads, times each workload as a whole process (medians of several runs after a warm-up),
checks every run's output against figures fetched beforehand, and compares the medians
with the targets. README.md beside this file says what is measured and why. It uses the
standard library only, so that it runs before anything is installed.
"""

import argparse
import base64
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RESULTS_FILE = HERE / "last-results.md"

TOTAL_LEADS = 10_000
DEMO_LEADS = 32  # the sandbox always has these; --leads adds to them
PAGE = 100
W3_CALLS = 500

ANCHORS = ["lua5.4", "curl", "closeio", "requests"]  # the table's columns, in order

# (row, close-lua workload, anchor, anchor's workload, highest ratio that meets the target)
TIME_TARGETS = [
    ("S: start-up, `print(1)`", "S", "lua5.4", "S", 2.0),
    ("W1: one `get_current_user`", "W1", "curl", "W1", 1.0),
    ("W2: 10,000 leads, `list_leads` loop", "W2", "closeio", "W2", 0.3),
    ("W2-iter: 10,000 leads, `iter_leads`", "W2-iter", "closeio", "W2", 0.3),
    ("W3: 500 `get_lead` in a row", "W3", "curl", "W3", 1.5),
]
MEMORY_TARGETS = [
    ("W2 peak memory (max RSS)", "W2", "closeio", "W2", 0.7),
    ("W2-iter peak memory (max RSS)", "W2-iter", "closeio", "W2", 0.7),
]


class CheckFailed(Exception):
    """A workload printed something other than the figures the sandbox holds."""


def note(message):
    """Progress goes to stderr, so that stdout carries only the results."""
    print(message, file=sys.stderr, flush=True)


def fail(message):
    raise SystemExit(f"bench: {message}")


def parse_args():
    parser = argparse.ArgumentParser(
        prog="scripts/bench.sh",
        description="Build close-lua in release mode, serve the sandbox with 10,000 leads, and "
        "time close-lua against lua5.4, curl, the official Python client (closeio) and plain "
        "requests. Prints a Markdown table and writes it to scripts/bench/last-results.md. "
        "Anchors that cannot run here are skipped, with the reason. Exits non-zero when a "
        "workload prints a wrong answer, not when a target is missed.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="3 timed runs per workload instead of 15, for a fast sanity check")
    parser.add_argument("--runs", type=int,
                        help="timed runs per workload (start-up gets 4 times as many)")
    parser.add_argument("--no-pin", action="store_true",
                        help="let the processes run on any core instead of pinning them to one")
    args = parser.parse_args()
    if args.runs is None:
        args.runs = 3 if args.quick else 15
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if os.environ.get("BENCH_CHECK_ARGS"):
        sys.exit(0)  # bench.sh checks the arguments before it builds

    # The binary that bench.sh has just built. cargo puts it under CARGO_TARGET_DIR when that
    # is set, relative to the checkout, where bench.sh runs cargo.
    args.binary = REPO / os.environ.get("CARGO_TARGET_DIR", "target") / "release" / "close-lua"
    if not args.binary.is_file():
        parser.error(f"no close-lua binary at {args.binary}; scripts/bench.sh builds it")
    return args


def child_env(extra=None):
    """The environment of every process the harness starts.

    CLOSE_* variables would let the caller's own account settings leak into close-lua, and a
    proxy setting could send loopback requests elsewhere.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSE_")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra or {})
    return env


def pin_to_one_core():
    """Pin this process, and so every process it starts, to one core; say what was done.

    Processes that ping-pong over loopback from two cores see random 0.1-0.2 ms delays. The
    affinity is set here once, with the same system call as `taskset -c`, rather than by
    putting taskset in front of each command, which would add an exec (about 1 ms on our
    machines) to every timed run.
    """
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError) as e:
        return f"Not pinned ({e}): expect noisier figures."
    return (f"Pinned: the sandbox and every timed process ran on CPU {cpu} only (as with "
            f"`taskset -c {cpu}`), because processes ping-ponging over loopback from two cores "
            "see random delays. So iter_leads' prefetch thread shares that core too.")


# ---------------------------------------------------------------- the sandbox


class Sandbox:
    """close-lua's sandbox on a free port, with the config it printed saved to a file."""

    def __init__(self, binary, workdir):
        self.log_path = workdir / "sandbox.log"
        with open(self.log_path, "w") as log:
            cmd = [binary, "sandbox", "serve", "--port", "0", "--accounts", "default",
                   "--leads", str(TOTAL_LEADS - DEMO_LEADS), "--rate-limit", "1000000"]
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log,
                                         stdin=subprocess.DEVNULL, text=True, env=child_env())

        # The config comes first on stdout; with one account it ends with that account's
        # base_url. A timer kills a sandbox that hangs before printing, so readline cannot
        # block forever.
        watchdog = threading.Timer(60, self.proc.kill)
        watchdog.start()
        lines = []
        try:
            for line in self.proc.stdout:
                lines.append(line)
                if line.startswith("base_url"):
                    break
        finally:
            watchdog.cancel()
        config = "".join(lines)
        key = re.search(r'^api_key = "([^"]+)"', config, re.M)
        url = re.search(r'^base_url = "(http://127\.0\.0\.1:\d+/api/v1)"', config, re.M)
        if not (key and url):
            self.stop()
            fail(f"the sandbox printed no usable config:\n{config}{self.log_path.read_text()}")
        self.api_key, self.base_url = key[1], url[1]

        # Keep draining stdout, so that nothing the sandbox prints later can fill the pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

        # mkstemp makes a file only its owner can read, as close-lua wants for a file with keys.
        fd, self.config_path = tempfile.mkstemp(suffix=".toml", dir=workdir)
        with os.fdopen(fd, "w") as f:
            f.write(config)

        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("me/")
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    fail(f"the sandbox did not come up:\n{self.log_path.read_text()}")
                time.sleep(0.05)

    def get(self, path):
        """One GET through the standard library, never through a proxy; returns the body."""
        request = urllib.request.Request(f"{self.base_url}/{path}")
        token = base64.b64encode(f"{self.api_key}:".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=30) as response:
            return response.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def fetch_expected(sandbox, workdir):
    """What each workload must print, fetched once and untimed, and the ids for W3."""
    first_name = json.loads(sandbox.get("me/"))["first_name"]

    count = name_bytes = list_bytes = 0
    ids = []
    for skip in range(0, TOTAL_LEADS, PAGE):
        body = sandbox.get(f"lead/?_limit={PAGE}&_skip={skip}")
        page = json.loads(body)
        list_bytes += len(body)
        for lead in page["data"]:
            count += 1
            name_bytes += len(lead["name"].encode())  # bytes, as Lua's # counts them
            ids.append(lead["id"])
        if page["total_results"] != TOTAL_LEADS or page["has_more"] != (skip + PAGE < TOTAL_LEADS):
            fail(f"unexpected page at skip={skip}: has_more={page['has_more']}, "
                 f"total_results={page['total_results']}")
    if count != TOTAL_LEADS:
        fail(f"the sandbox listed {count} leads, not {TOTAL_LEADS}")

    # One GET per id here too: curl's answer can only be checked by its byte count.
    ids = ids[:W3_CALLS]
    w3_name_bytes = w3_bytes = 0
    for lead_id in ids:
        body = sandbox.get(f"lead/{lead_id}/")
        w3_bytes += len(body)
        w3_name_bytes += len(json.loads(body)["name"].encode())
    ids_path = workdir / "lead-ids.txt"
    ids_path.write_text("".join(i + "\n" for i in ids))

    return {
        "first_name": first_name,
        "W2": (count, name_bytes, list_bytes),
        "W3": (len(ids), w3_name_bytes, w3_bytes),
        "ids_path": str(ids_path),
        "list_urls": [f"{sandbox.base_url}/lead/?_limit={PAGE}&_skip={skip}"
                      for skip in range(0, TOTAL_LEADS, PAGE)],
        "lead_urls": [f"{sandbox.base_url}/lead/{i}/" for i in ids],
    }


# ---------------------------------------------------------------- output checks


def expect_line(want):
    def check(out):
        if out.strip() != want:
            raise CheckFailed(f"printed {out.strip()!r}, expected {want!r}")
    return check


def expect_numbers(*want):
    def check(out):
        got = tuple(int(x) for x in out.split()) if re.fullmatch(r"[\d\s]+", out) else out.strip()
        if got != want:
            raise CheckFailed(f"printed {got!r}, expected {want!r}")
    return check


def expect_first_name(want):
    def check(out):
        got = json.loads(out).get("first_name")
        if got != want:
            raise CheckFailed(f"first_name is {got!r}, expected {want!r}")
    return check


def expect_transfers(count, total_bytes):
    """curl prints 'STATUS BYTES' per URL; it parses nothing, so check what it received."""
    def check(out):
        rows = [line.split() for line in out.splitlines()]
        statuses = sorted({r[0] for r in rows})
        got_bytes = sum(int(r[1]) for r in rows)
        if len(rows) != count or statuses != ["200"] or got_bytes != total_bytes:
            raise CheckFailed(f"{len(rows)} transfers, statuses {statuses}, {got_bytes} bytes; "
                              f"expected {count}, all 200, {total_bytes} bytes")
    return check


# ---------------------------------------------------------------- timing


def run_once(cmd, env, check, label):
    """Run cmd to the end, check its output; return (seconds, max RSS in KiB).

    os.wait4 reaps the child itself, so that its resource usage is not lost. Output goes to
    files rather than pipes, so that reading it costs the child nothing.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = (f.read().decode(errors="replace") for f in (out, err))

    where = f"\n  command: {shlex.join(cmd)}\n  stderr: {stderr.strip()[-2000:]}"
    if proc.returncode != 0:
        fail(f"{label} exited with status {proc.returncode}{where}")
    if check:
        try:
            check(stdout)
        except (CheckFailed, ValueError, IndexError) as e:
            fail(f"OUTPUT CHECK FAILED for {label}: {e}{where}")
    return seconds, usage.ru_maxrss


class Measurement:
    """Medians of the timed runs' seconds and of the peak memory (max RSS)."""

    def __init__(self, seconds, rss_kib, rss_exact):
        self.seconds = statistics.median(seconds)
        self.low, self.high = min(seconds), max(seconds)
        self.rss_mib = statistics.median(rss_kib) / 1024
        self.rss_exact = rss_exact


class Bench:
    """Runs each workload: a warm-up run, then timed runs, then memory runs if asked."""

    def __init__(self, runs):
        self.runs = runs
        self.results = {}
        # A child's ru_maxrss never drops below the size of the process that forked it, so
        # the harness's own size is a floor under every figure. GNU time forks from a small
        # process, so its figure is the workload's own.
        gnu_time = shutil.which("time") or "/usr/bin/time"
        works = Path(gnu_time).exists() and subprocess.run(
            [gnu_time, "-f", "%M", "-o", os.devnull, "true"], capture_output=True).returncode == 0
        self.gnu_time = gnu_time if works else None
        self.floor_kib = 0
        spawn = self.measure("spawn", "/bin/true", ["/bin/true"], None, child_env(), times=4)
        self.floor_kib = spawn.rss_mib * 1024

    def measure(self, workload, tool, cmd, check, env, times=1, memory=False):
        label = f"{workload} {tool}"
        run_once(cmd, env, check, label)  # warm-up
        timed = [run_once(cmd, env, check, label) for _ in range(times * self.runs)]
        seconds = [s for s, _ in timed]
        rss = [r for _, r in timed]
        exact = statistics.median(rss) > 1.05 * self.floor_kib
        if memory and self.gnu_time:
            rss, exact = [], True
            with tempfile.NamedTemporaryFile("r") as peak:
                for _ in range(min(self.runs, 5)):
                    run_once([self.gnu_time, "-f", "%M", "-o", peak.name] + cmd, env, check, label)
                    peak.seek(0)
                    rss.append(int(peak.read().split()[-1]))

        m = self.results[(workload, tool)] = Measurement(seconds, rss, exact)
        peak = f", {fmt_mib(m)} peak" if memory else ""
        note(f"  {label:<18} {fmt_ms(m.seconds):>9}  (min {fmt_ms(m.low)}, max {fmt_ms(m.high)}{peak})")
        return m


# ---------------------------------------------------------------- the anchors


def find_lua():
    """lua5.4 as Debian names it, else a `lua` that says it is 5.4."""
    for name in ("lua5.4", "lua"):
        path = shutil.which(name)
        if path:
            version = subprocess.run([path, "-v"], capture_output=True, text=True)
            if "Lua 5.4" in version.stdout + version.stderr:
                return path, None
    return None, "no lua5.4 binary on PATH (Debian's package is lua5.4)"


def find_python_clients():
    """A virtualenv with the closeio package (which brings requests), made on first use.

    It lives in the user's cache directory, so it outlives checkouts and is made only once.
    Returns the venv's python, or None and the reason it could not be had.
    """
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    venv = Path(cache) / "close-lua-bench" / "venv"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import closeio_api, requests"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return str(python), None

    note(f"bench: installing the closeio package into {venv}")
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if made.returncode != 0:
        return None, f"could not create a virtualenv: {last_line(made.stderr)}"
    try:
        pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--timeout", "20",
                              "--disable-pip-version-check", "closeio"],
                             capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return None, "pip install closeio took over 10 minutes"
    if pip.returncode != 0:
        return None, f"pip install closeio failed: {last_line(pip.stderr)}"
    if subprocess.run(probe, capture_output=True).returncode != 0:
        return None, "closeio was installed but does not import"
    return str(python), None


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no message)"


def version_of(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().splitlines()[0] if out.returncode == 0 else "?"


def curl_config(path, api_key, urls):
    """A curl config fetching urls in order: one curl process keeps one connection alive."""
    with open(path, "w") as f:
        f.write(f'user = "{api_key}:"\nsilent\nshow-error\n')
        f.write('write-out = "%{http_code} %{size_download}\\n"\n')
        for url in urls:
            f.write(f'url = "{url}"\noutput = "/dev/null"\n')
    return str(path)


def measure_all(bench, binary, sandbox, exp, lua, curl, python):
    """Every workload for close-lua and for each anchor that can run here."""
    env = child_env()
    count, name_bytes, list_bytes = exp["W2"]
    w3_count, w3_name_bytes, w3_bytes = exp["W3"]
    w2_check = expect_numbers(count, name_bytes)
    w3_check = expect_numbers(w3_count, w3_name_bytes)
    me_check = expect_line(exp["first_name"])

    # Start-up without --config: print(1) never reads one.
    bench.measure("S", "close-lua", [str(binary), "-e", "print(1)"], expect_line("1"), env, times=4)
    if lua:
        bench.measure("S", "lua5.4", [lua, "-e", "print(1)"], expect_line("1"), env, times=4)

    close_lua = [str(binary), "--config", sandbox.config_path, "run"]
    bench.measure("W1", "close-lua", close_lua + [str(HERE / "w1.lua")], me_check, env)
    bench.measure("W2", "close-lua", close_lua + [str(HERE / "w2.lua")], w2_check, env, memory=True)
    bench.measure("W2-iter", "close-lua", close_lua + [str(HERE / "w2_iter.lua")], w2_check, env,
                  memory=True)
    bench.measure("W3", "close-lua", close_lua + [str(HERE / "w3.lua"), exp["ids_path"]], w3_check, env)

    if curl:
        # -q first: ignore any ~/.curlrc, so the caller's settings cannot change the work.
        me = [curl, "-q", "-sS", "-u", f"{sandbox.api_key}:", f"{sandbox.base_url}/me/"]
        bench.measure("W1", "curl", me, expect_first_name(exp["first_name"]), env)
        config = curl_config(sandbox.config_path + ".w2.curl", sandbox.api_key, exp["list_urls"])
        bench.measure("W2", "curl", [curl, "-q", "-K", config],
                      expect_transfers(len(exp["list_urls"]), list_bytes), env, memory=True)
        config = curl_config(sandbox.config_path + ".w3.curl", sandbox.api_key, exp["lead_urls"])
        bench.measure("W3", "curl", [curl, "-q", "-K", config],
                      expect_transfers(w3_count, w3_bytes), env)

    if python:
        py_env = child_env({"BENCH_BASE_URL": sandbox.base_url, "BENCH_API_KEY": sandbox.api_key,
                            "PYTHONDONTWRITEBYTECODE": "1"})
        for client in ("closeio", "requests"):
            script = [python, str(HERE / "anchor.py"), client]
            bench.measure("W1", client, script + ["w1"], me_check, py_env)
            bench.measure("W2", client, script + ["w2"], w2_check, py_env, memory=True)
            bench.measure("W3", client, script + ["w3", exp["ids_path"]], w3_check, py_env)


# ---------------------------------------------------------------- the report


def fmt_ms(seconds):
    ms = seconds * 1000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def fmt_mib(m):
    return ("" if m.rss_exact else "≤ ") + f"{m.rss_mib:.1f} MiB"


def table(results, skipped):
    """The Markdown table: a row per target, a column per anchor."""
    head = ["workload", "close-lua"] + ANCHORS + ["target", "ratio", "met"]
    rows = [head, ["---"] * len(head)]
    for targets, memory in ((TIME_TARGETS, False), (MEMORY_TARGETS, True)):
        show = fmt_mib if memory else (lambda m: fmt_ms(m.seconds))
        for label, workload, anchor, anchor_workload, limit in targets:
            ours = results[(workload, "close-lua")]
            row = [label, show(ours)]
            for a in ANCHORS:
                m = results.get((anchor_workload, a))
                row.append("skipped" if a in skipped else show(m) if m else "-")
            row.append(f"≤ {limit:.1f}× {anchor}")
            theirs = results.get((anchor_workload, anchor))
            if theirs is None:
                row += ["-", f"n/a ({anchor} skipped)"]
                rows.append(row)
                continue
            ratio = ours.rss_mib / theirs.rss_mib if memory else ours.seconds / theirs.seconds
            # Without GNU time a small peak can hide under the harness's own size: then the
            # ratio is only an upper bound, which settles the target only when it meets it.
            bound = memory and not ours.rss_exact
            met = "yes" if ratio <= limit else "n/a (no GNU time)" if bound else "**no**"
            if memory and not theirs.rss_exact:
                met = "n/a (no GNU time)"
            row += [("≤ " if bound else "") + f"{ratio:.2f}×", met]
            rows.append(row)
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = version_of(["nproc"]) if shutil.which("nproc") else str(os.cpu_count())
    return f"nproc {nproc}, {model}"


def commit():
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    if head.returncode != 0:
        return "not a git checkout"
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return head.stdout.strip() + (" with uncommitted changes" if dirty else "")


# ---------------------------------------------------------------- main


def main():
    args = parse_args()

    # SIGTERM and SIGHUP end the run as Ctrl-C does: through the `finally` that stops the sandbox.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))

    # Look for the anchors first, so that a slow pip install does not keep the sandbox waiting.
    skipped = {}
    lua, why = find_lua()
    if why:
        skipped["lua5.4"] = why
    curl = shutil.which("curl")
    if not curl:
        skipped["curl"] = "no curl on PATH"
    python, why = find_python_clients()
    if why:
        skipped["closeio"] = skipped["requests"] = why
    for anchor, why in skipped.items():
        note(f"bench: SKIPPING the {anchor} anchor: {why}")

    host = machine()  # before pinning, which would make nproc say 1
    pin_note = "Not pinned (--no-pin)." if args.no_pin else pin_to_one_core()
    note(f"bench: {pin_note}")

    with tempfile.TemporaryDirectory(prefix="close-lua-bench-") as tmp:
        sandbox = None
        try:
            note("bench: starting the sandbox with 10,000 leads")
            sandbox = Sandbox(args.binary, Path(tmp))
            note(f"bench: sandbox at {sandbox.base_url}; fetching the expected answers")
            exp = fetch_expected(sandbox, Path(tmp))
            note("bench: measuring (median, min, max)")
            bench = Bench(args.runs)
            measure_all(bench, args.binary, sandbox, exp, lua, curl, python)
        finally:
            if sandbox:
                sandbox.stop()

    results = bench.results
    tools = [f"close-lua at {args.binary}", f"Python {sys.version.split()[0]} for timing"]
    if lua:
        tools.append(version_of([lua, "-v"]).split("Copyright")[0].strip())
    if curl:
        tools.append(" ".join(version_of([curl, "--version"]).split()[:2]))
    if python:
        show = "import importlib.metadata as m; print('{0}', m.version('{0}'))"
        tools += [version_of([python, "-c", show.format(p)]) for p in ("closeio", "requests")]
    memory_how = (f"the median of {min(args.runs, 5)} runs under GNU time" if bench.gnu_time else
                  "ru_maxrss of the timed runs (no GNU time here, so a figure near the harness's own "
                  f"{bench.floor_kib / 1024:.1f} MiB is only an upper bound)")
    notes = [
        f"{args.runs} timed runs per workload ({4 * args.runs} for start-up) after one warm-up; "
        "medians. Every run's output was checked.",
        pin_note,
        f"Starting `/bin/true` the same way takes {fmt_ms(results[('spawn', '/bin/true')].seconds)}; "
        "every figure includes that.",
        f"Peak memory: {memory_how}.",
        "curl parses nothing: its W2 is the transfer alone. W2-iter is compared with the same "
        "anchors as W2.",
        "Tools: " + ", ".join(tools) + ".",
    ] + [f"Skipped the {a} anchor: {why}." for a, why in skipped.items()]
    body = table(results, skipped) + "\n\n" + "".join(f"- {n}\n" for n in notes)
    print("\n" + body, end="")

    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    command = shlex.join(["scripts/bench.sh"] + sys.argv[1:])
    RESULTS_FILE.write_text(
        "# close-lua benchmark: last results\n\n"
        f"- Date: {stamp}\n- Machine: {host}\n- Commit: {commit()}\n- Command: `{command}`\n\n" + body
    )
    note(f"\nbench: wrote {RESULTS_FILE.relative_to(REPO)}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("bench: interrupted")
