"""Benchmark of the event page under gunicorn, beside the bare-Django references.

``make bench`` runs it. It needs PostgreSQL and Redis on 127.0.0.1 and wrk, and takes about
three minutes. Each repeat measures, in turn and each from a fresh copy of a seeded database:

- ``GET /ping`` on the bare Django project in ``bench/reference`` (the framework's ceiling);
- ``POST /scan/`` on the same project (one ``UPDATE … RETURNING`` per request);
- ``GET /events/<slug>/`` on the site in production mode (the page as served, from its cache);
- the same page with the page cache switched off (``bench/settings_cold.py``): every request
  renders, as after every edit of the event.

All four run under the same gunicorn settings (2 sync workers) and the same load (wrk, one
thread, 16 connections, ``bench/load.lua`` counting and timing for itself). The medians of the
repeats are written to the results section of ``docs/benchmarks.md``, the raw figures and the
server logs to ``bench/results/``. Exit status: 0 when the target is met, 2 when it is not,
1 when a run answered wrongly (then ``docs/benchmarks.md`` is left as it was).
"""

import argparse
import contextlib
import html
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = BENCH / "results"
LUA = BENCH / "load.lua"
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"

PG = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}
TEMPLATE_DB = "eventsite_bench_template"
RUN_DB = "eventsite_bench"
REDIS_URL = "redis://127.0.0.1:6379/3"
TICKETS = 1000
# Assets of the API documentation: no public page uses them, and compressing them for production
# took minutes on a busy two-core machine.
LEFT_OUT_STATIC = ("-i", "drf_spectacular_sidecar", "-i", "rest_framework")
WORKERS = 2
TARGET_SHARE = 0.30
# Above this many cores of other work during /ping, the report says the run was too noisy.
NOISY_CORES = 0.25
TIME_CAP_SECONDS = 40
RESULTS_START = "<!-- results:start (written by bench/event_page.py) -->"
RESULTS_END = "<!-- results:end -->"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    app: str  # "reference" or "site"
    warmup: int
    min_requests: int
    settings: str | None = None
    post: bool = False


TARGETS = [
    Target("ping", "reference GET /ping", "reference", warmup=2000, min_requests=2000),
    Target("scan", "reference POST /scan/", "reference", warmup=300, min_requests=500, post=True),
    Target("page", "event page (cached)", "site", warmup=300, min_requests=500),
    Target(
        "cold",
        "event page (cache off)",
        "site",
        warmup=20,
        min_requests=60,
        settings="bench.settings_cold",
    ),
]


class BenchError(Exception):
    """A run that answered wrongly or could not run: the benchmark stops and says why."""


def log(message: str) -> None:
    print(message, flush=True)


def run(command: list[str], *, env: dict[str, str] | None = None, **kwargs) -> str:
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, cwd=ROOT, **kwargs
    )
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def pg_env() -> dict[str, str]:
    return {**os.environ, **PG}


def psql(database: str, sql: str) -> str:
    return run(
        ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
        env=pg_env(),
    ).strip()


def recreate_run_database() -> None:
    run(["dropdb", "--if-exists", "--force", RUN_DB], env=pg_env())
    run(["createdb", "-T", TEMPLATE_DB, RUN_DB], env=pg_env())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----------------------------------------------------------------------------------------------
# /proc readings


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    # Fields 14 and 15 of stat(5) (utime, stime); the split starts at field 3.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
        if parent == pid:
            children.append(int(entry))
    return sorted(children)


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise BenchError(f"no VmHWM for process {pid}")


def database_cpu_seconds() -> dict[int, float]:
    """CPU of the PostgreSQL backends serving the benchmark's database, by process."""
    seconds = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                title = handle.read().decode(errors="replace")
            if title.startswith("postgres: ") and f" {RUN_DB} " in title:
                seconds[int(entry)] = process_cpu_seconds(int(entry))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return seconds


def machine_cpu() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine since boot."""
    with open("/proc/stat") as handle:
        values = [int(value) for value in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


# ----------------------------------------------------------------------------------------------
# The servers and the load


class Server:
    """One gunicorn, started for one run and stopped after it."""

    def __init__(self, target: Target, env: dict[str, str], log_path: Path) -> None:
        self.target = target
        self.port = free_port()
        if target.app == "reference":
            chdir, app = BENCH, "reference.wsgi:application"
            env = {**env, "DJANGO_SETTINGS_MODULE": "reference.settings"}
        else:
            chdir, app = ROOT, "eventsite.wsgi:application"
            env = {**env, "DJANGO_SETTINGS_MODULE": target.settings or "eventsite.settings"}
        self.command = [
            str(GUNICORN),
            "--chdir", str(chdir),
            "--workers", str(WORKERS),
            "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "60",
            "--log-level", "warning",
            app,
        ]  # fmt: skip
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str) -> None:
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log_file, stderr=log_file, cwd=ROOT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited at start; see {self.log_path}")
            with contextlib.suppress(httpx.TransportError):
                if self.target.post:
                    answer = httpx.post(self.base + ready_path, data={"id": 1}, timeout=30)
                else:
                    answer = httpx.get(self.base + ready_path, timeout=30)
                if answer.status_code == 200 and len(self.workers()) == WORKERS:
                    return
                if answer.status_code != 200:
                    raise BenchError(
                        f"{ready_path} answered {answer.status_code}; see {self.log_path}"
                    )
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not become ready; see {self.log_path}")

    def workers(self) -> list[int]:
        assert self.process is not None
        return children_of(self.process.pid)

    def cpu_seconds(self) -> float:
        assert self.process is not None
        return sum(process_cpu_seconds(pid) for pid in [self.process.pid, *self.workers()])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def load(url: str, *, requests: int, clients: int, post_ids: int = 0) -> dict:
    """Runs wrk until ``requests`` responses have arrived (or the time cap) and reads its report."""
    command = [
        "wrk", "-t1", f"-c{clients}", f"-d{TIME_CAP_SECONDS}s", "--timeout", "30s",
        "-s", str(LUA), url, "--", str(requests), str(post_ids),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    other_errors = []
    for line in process.stderr:
        if line.startswith("BENCH-STOP"):
            process.send_signal(signal.SIGINT)
        else:
            other_errors.append(line)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    report = next((line for line in output.splitlines() if line.startswith("BENCH ")), None)
    if process.returncode != 0 or report is None:
        raise BenchError(f"wrk failed ({process.returncode}):\n{output}\n{''.join(other_errors)}")
    result = json.loads(report.removeprefix("BENCH "))
    result["wrk_cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


# ----------------------------------------------------------------------------------------------
# Correctness


def check_page(server: Server, event: dict, lengths: tuple[int, int]) -> dict:
    """The page shows every session and speaker, and every timed response had its size."""
    answer = httpx.get(server.base + event["path"], timeout=30)
    problems = []
    if answer.status_code != 200:
        problems.append(f"status {answer.status_code}")
    if not answer.headers.get("content-type", "").startswith("text/html"):
        problems.append(f"content type {answer.headers.get('content-type')!r}")
    text = answer.text
    missing_sessions = [t for t in event["sessions"] if html.escape(t) not in text]
    missing_speakers = [n for n in event["speakers"] if html.escape(n) not in text]
    if missing_sessions:
        problems.append(
            f"{len(missing_sessions)} of 60 sessions missing, e.g. {missing_sessions[0]!r}"
        )
    if missing_speakers:
        problems.append(
            f"{len(missing_speakers)} of 40 speakers missing, e.g. {missing_speakers[0]!r}"
        )
    size = len(answer.content)
    shortest, longest = lengths
    if shortest < size * 0.98 or longest > size * 1.02:
        problems.append(f"timed responses were {shortest}-{longest} bytes, the page is {size}")
    session_links = {
        int(pk) for pk in re.findall(rf"/events/{re.escape(event['slug'])}/sessions/(\d+)/", text)
    }
    return {
        "problems": problems,
        "page_bytes": size,
        "sessions_shown": len(event["sessions"]) - len(missing_sessions),
        "speakers_shown": len(event["speakers"]) - len(missing_speakers),
        "session_links": len(session_links & set(event["session_ids"])),
    }


def check_scans(expected_low: int, expected_high: int) -> dict:
    """No scan lost, none counted twice: the rows hold what was answered (plus those in flight)."""
    total = int(psql(RUN_DB, "SELECT coalesce(sum(scans), 0) FROM bench_ticket"))
    problems = []
    if not expected_low <= total <= expected_high:
        problems.append(f"{total} scans stored, {expected_low}-{expected_high} expected")
    return {"problems": problems, "scans_stored": total}


# ----------------------------------------------------------------------------------------------
# One run


def measure(
    target: Target,
    *,
    env: dict[str, str],
    event: dict,
    seconds: float,
    clients: int,
    log_path: Path,
) -> dict:
    if target.app == "site" or target.post:
        recreate_run_database()
    path = {"ping": "/ping", "scan": "/scan/"}.get(target.key, event["path"])
    post_ids = TICKETS if target.post else 0
    server = Server(target, env, log_path)
    try:
        server.start(path)
        url = server.base + path
        warm = load(url, requests=target.warmup, clients=clients, post_ids=post_ids)
        warm_rate = warm["responses"] / warm["elapsed"]
        requests = max(target.min_requests, round(warm_rate * seconds))
        workers = server.workers()
        cpu_before = server.cpu_seconds()
        database_before = database_cpu_seconds()
        busy_before, total_before = machine_cpu()
        result = load(url, requests=requests, clients=clients, post_ids=post_ids)
        busy_after, total_after = machine_cpu()
        database_after = database_cpu_seconds()
        cpu_after = server.cpu_seconds()
        if server.workers() != workers:
            raise BenchError(f"a gunicorn worker died during {target.label}; see {log_path}")
        rss = [peak_rss_mib(pid) for pid in workers]
        problems = []
        if result["bad"] or result["ok"] != result["responses"]:
            problems.append(f"{result['bad']} responses were not 200")
        errors = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors"))
        if errors or result["timeouts"]:
            problems.append(f"{errors} socket errors, {result['timeouts']} timeouts")
        check: dict = {}
        if target.app == "site":
            check = check_page(server, event, (result["min_len"], result["max_len"]))
        elif target.post:
            # Ready check, warm-up and timed run all scanned; wrk abandons what is in flight.
            answered = 1 + warm["ok"] + result["ok"]
            check = check_scans(answered, answered + 2 * clients)
        problems += check.pop("problems", [])
    finally:
        server.stop()
    responses = result["responses"]
    return {
        "target": target.key,
        "requests": responses,
        "requests_per_second": responses / result["elapsed"],
        "p50_ms": result["p50_us"] / 1000,
        "p90_ms": result["p90_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "max_ms": result["max_us"] / 1000,
        "elapsed_seconds": result["elapsed"],
        "server_cpu_ms_per_request": (cpu_after - cpu_before) * 1000 / responses,
        "server_cpu_cores": (cpu_after - cpu_before) / result["elapsed"],
        "wrk_cpu_ms_per_request": result["wrk_cpu_seconds"] * 1000 / responses,
        "database_cpu_ms_per_request": sum(
            seconds - database_before.get(pid, 0.0) for pid, seconds in database_after.items()
        )
        * 1000
        / responses,
        "wrk_cpu_cores": result["wrk_cpu_seconds"] / result["elapsed"],
        "machine_busy_share": (busy_after - busy_before) / (total_after - total_before),
        # CPU the machine spent beyond this server and wrk: PostgreSQL and Redis, and any other
        # work on the machine. /ping uses neither, so there it measures the neighbours alone.
        "other_cpu_cores": (busy_after - busy_before) / result["elapsed"]
        - (cpu_after - cpu_before) / result["elapsed"]
        - result["wrk_cpu_seconds"] / result["elapsed"],
        "peak_rss_mib": max(rss),
        "response_bytes": result["max_len"],
        "problems": problems,
        **check,
    }


# ----------------------------------------------------------------------------------------------
# Setup


def site_env(tmp: Path) -> dict[str, str]:
    """The site as production runs it, over plain http on 127.0.0.1."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PG"))}
    return {
        **keep,
        "EVENTSITE_ENV": "production",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{RUN_DB}",
        "CONN_MAX_AGE": "60",
        "CACHE_URL": REDIS_URL,
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "consolemail://",
        "STATIC_ROOT": str(RESULTS / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
    }


def collect_static(env: dict[str, str]) -> None:
    """Collects the static files as production does, again only when the sources changed."""
    static_root = Path(env["STATIC_ROOT"])
    sources = sorted(
        (str(path.relative_to(ROOT)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in (ROOT / "static").rglob("*")
        if path.is_file()
    )
    versions = [version(name) for name in ("Django", "django-countries", "whitenoise")]
    fingerprint = json.dumps([sources, versions])
    stamp = static_root / ".bench-sources"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    shutil.rmtree(static_root, ignore_errors=True)
    run(
        [str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0", *LEFT_OUT_STATIC],
        env=env,
    )
    stamp.write_text(fingerprint)


def prepare(env: dict[str, str]) -> dict:
    """Seeds the template database every run copies, and collects the static files."""
    template_env = {**env, "DATABASE_URL": env["DATABASE_URL"].replace(RUN_DB, TEMPLATE_DB)}
    run(["dropdb", "--if-exists", "--force", RUN_DB], env=pg_env())
    run(["dropdb", "--if-exists", "--force", TEMPLATE_DB], env=pg_env())
    run(["createdb", TEMPLATE_DB], env=pg_env())
    run([str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"], env=template_env)
    event = json.loads(run([str(PYTHON), str(BENCH / "build_event.py")], env=template_env))
    if len(event["sessions"]) != 60 or len(event["speakers"]) != 40:
        raise BenchError(
            f"the builder made {len(event['sessions'])} sessions, {len(event['speakers'])} speakers"
        )
    psql(
        TEMPLATE_DB,
        "CREATE TABLE bench_ticket (id integer PRIMARY KEY, scans integer NOT NULL DEFAULT 0,"
        " scanned_at timestamptz);"
        f" INSERT INTO bench_ticket (id) SELECT generate_series(1, {TICKETS})",
    )
    collect_static(env)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    return event


def machine() -> dict:
    with open("/proc/cpuinfo") as handle:
        models = re.findall(r"^model name\s*:\s*(.+)$", handle.read(), re.M)
    with open("/proc/meminfo") as handle:
        memory_kib = int(re.search(r"MemTotal:\s+(\d+)", handle.read()).group(1))
    import redis

    return {
        "cores": os.cpu_count(),
        "cpu_model": models[0] if models else platform.processor() or "unknown",
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": version("Django"),
        "gunicorn": version("gunicorn"),
        "psycopg": version("psycopg"),
        "postgresql": psql("postgres", "SHOW server_version").split()[0],
        "redis": redis.Redis.from_url(REDIS_URL).info("server")["redis_version"],
        "wrk": wrk_version(),
    }


def wrk_version() -> str:
    # wrk -v prints its version, then its usage, and exits 1.
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    first = (result.stdout or result.stderr).splitlines()[0]
    return first.split(" [")[0].removeprefix("wrk ")


def commit() -> str:
    head = (ROOT / ".git" / "HEAD").read_text().strip()
    if not head.startswith("ref: "):
        return head[:12]
    ref = head.removeprefix("ref: ")
    loose = ROOT / ".git" / ref
    if loose.exists():
        return loose.read_text().strip()[:12]
    packed = ROOT / ".git" / "packed-refs"
    for line in packed.read_text().splitlines() if packed.exists() else []:
        if line.endswith(" " + ref):
            return line.split()[0][:12]
    return "unknown"


# ----------------------------------------------------------------------------------------------
# Report


def page_share(runs: list[dict]) -> float:
    """The cached page's requests/s over /ping's, repeat by repeat, then the median."""
    rates = {(r["repeat"], r["target"]): r["requests_per_second"] for r in runs}
    repeats = sorted({r["repeat"] for r in runs})
    return statistics.median(rates[(n, "page")] / rates[(n, "ping")] for n in repeats)


def cpu_bound_share(runs: list[dict]) -> float:
    """What the page's share would be on a quiet machine, where CPU is all that limits.

    The CPU one request costs everywhere it is measured (gunicorn, wrk, the PostgreSQL
    backends) for /ping over the same for the page, median of the repeats.
    """
    keys = ("server_cpu_ms_per_request", "wrk_cpu_ms_per_request", "database_cpu_ms_per_request")
    cost = {(r["repeat"], r["target"]): sum(r[k] for k in keys) for r in runs}
    repeats = sorted({r["repeat"] for r in runs})
    return statistics.median(cost[(n, "ping")] / cost[(n, "page")] for n in repeats)


def neighbours(summary: dict) -> float:
    """Cores used by other work on the machine while /ping ran (median of the repeats)."""
    return max(0.0, summary["ping"]["other_cpu_cores"])


def summarise(runs: list[dict]) -> dict:
    summary = {}
    for target in TARGETS:
        mine = [r for r in runs if r["target"] == target.key]
        summary[target.key] = {
            key: statistics.median(r[key] for r in mine)
            for key in mine[0]
            if isinstance(mine[0][key], int | float) and not isinstance(mine[0][key], bool)
        }
        summary[target.key]["repeats_rps"] = [r["requests_per_second"] for r in mine]
    return summary


def results_markdown(
    *,
    summary: dict,
    runs: list[dict],
    info: dict,
    event: dict,
    args: argparse.Namespace,
    started: datetime,
    duration: float,
) -> str:
    ping, page = summary["ping"], summary["page"]
    share = page_share(runs)
    met = share >= TARGET_SHARE
    busy = neighbours(summary)

    def ratio(value: float, reference: float) -> str:
        return f"{value / reference:.2f}x" if reference else "n/a"

    columns = [
        ("requests_per_second", "{:,.0f}"),
        ("p50_ms", "{:.1f}"),
        ("p99_ms", "{:.1f}"),
        ("server_cpu_ms_per_request", "{:.2f}"),
        ("peak_rss_mib", "{:.0f}"),
    ]
    rows = []
    for target in TARGETS:
        s = summary[target.key]
        cells = [target.label, f"{s['requests']:.0f}"]
        for key, style in columns:
            cells += [style.format(s[key]), ratio(s[key], ping[key])]
        rows.append("| " + " | ".join(cells) + " |")
    load_rows = []
    for target in TARGETS:
        s = summary[target.key]
        repeats = ", ".join(f"{value:,.0f}" for value in s["repeats_rps"])
        load_rows.append(
            f"| {target.label} | {repeats} | {s['server_cpu_cores']:.2f} "
            f"| {s['wrk_cpu_cores']:.2f} | {s['wrk_cpu_ms_per_request']:.3f} "
            f"| {s['database_cpu_ms_per_request']:.2f} "
            f"| {s['machine_busy_share']:.0%} | {s['other_cpu_cores']:.2f} "
            f"| {s['response_bytes']:,.0f} |"
        )
    scan = summary["scan"]
    site_runs = [r for r in runs if r["target"] in ("page", "cold")]
    scan_runs = [r for r in runs if r["target"] == "scan"]
    failures = [f"{r['target']}: {p}" for r in runs for p in r["problems"]]
    links = min(r["session_links"] for r in site_runs)
    verdict = "met" if met else "not met"
    lines = [
        RESULTS_START,
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `make bench` "
        f"({args.repeats} repeats, {duration / 60:.1f} minutes), commit `{commit()}` "
        "plus whatever the working tree held.",
        "",
        f"- Machine: {info['cores']} cores ({info['cpu_model']}), {info['memory_gib']} GiB "
        f"memory, Linux {info['kernel']}; shared with other work, so read the ratios, "
        "not the absolute figures.",
        f"- Versions: Python {info['python']}, Django {info['django']}, gunicorn "
        f"{info['gunicorn']}, psycopg {info['psycopg']}, PostgreSQL {info['postgresql']}, "
        f"Redis {info['redis']}, wrk {info['wrk']}.",
        f"- Load: {args.clients} connections, wrk `-t1`; each run about {args.seconds:g} s "
        "of requests after a warm-up (the count is set from the warm-up's rate).",
        "",
        f"**Target: the cached event page at ≥ {TARGET_SHARE:.0%} of the `/ping` reference's "
        f"requests/s. Measured {share:.1%} (median of the repeats' ratios): {verdict}.**",
        "",
        f"On a quiet machine, where CPU alone limits, the CPU each request costs (gunicorn, wrk "
        f"and the PostgreSQL backends) puts the page at {cpu_bound_share(runs):.0%} of `/ping`.",
        "",
        (
            f"**The machine was not quiet: other work used {busy:.1f} of its "
            f"{info['cores']} cores while `/ping` ran, so the requests/s ratios are unreliable; "
            "server CPU per request is the steadier guide. Re-run `make bench` on a quiet "
            "machine before relying on the verdict.**"
            if busy > NOISY_CORES
            else f"Other work on the machine used {busy:.2f} cores while `/ping` ran."
        ),
        "",
        "Medians of the repeats; each ratio is against `/ping` measured in the same run "
        "(for latency, CPU and memory a ratio above 1 means more).",
        "",
        "| run | requests | requests/s | vs /ping | p50 ms | vs /ping | p99 ms | vs /ping "
        "| server CPU ms/request | vs /ping | peak RSS per worker MiB | vs /ping |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        *rows,
        "",
        "The cached page runs at "
        f"{ratio(page['requests_per_second'], scan['requests_per_second'])} the requests/s "
        "of the one-write `/scan/` reference. With the page cache off, every "
        f"request renders the page: {summary['cold']['requests_per_second']:,.0f} requests/s, "
        f"p50 {summary['cold']['p50_ms']:.0f} ms, "
        f"{summary['cold']['server_cpu_ms_per_request']:.1f} ms of server CPU per page; that is "
        "the cost of the first view of each language after every edit of the event.",
        "",
        "| run | requests/s of each repeat | server CPU (cores) | wrk CPU (cores) "
        "| wrk CPU ms/request | database CPU ms/request | machine busy | other CPU (cores) "
        "| response bytes |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        *load_rows,
        "",
        "Correctness, checked after every run: "
        + ("**all passed**. " if not failures else "**FAILED**: " + "; ".join(failures) + ". ")
        + f"Every timed response was 200 with the page's size; the page ({page['page_bytes']:,.0f} "
        f"bytes) showed all {len(event['sessions'])} session titles and all "
        f"{len(event['speakers'])} speakers, and linked {links} of the 60 session pages; "
        f"the `/scan/` rows held exactly the answered scans "
        f"(plus at most those in flight when wrk stopped) in all {len(scan_runs)} repeats.",
        "",
        RESULTS_END,
    ]
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else ""
    if RESULTS_START in text and RESULTS_END in text:
        before = text.split(RESULTS_START)[0]
        after = text.split(RESULTS_END, 1)[1]
        DOC.write_text(before + section + after)
    else:
        DOC.write_text(text.rstrip() + "\n\n## Results\n\n" + section + "\n")


# ----------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5, help="length of each timed run")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--no-doc", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        log("wrk is missing: apt-get install -y wrk")
        return 1

    started = datetime.now(UTC)
    clock = time.monotonic()
    stamp = started.strftime("%Y%m%d-%H%M%S")
    out = RESULTS / stamp
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="eventsite-bench-"))
    env = site_env(tmp)
    runs: list[dict] = []
    try:
        info = machine()
        log(f"Preparing: template database, 60-session event, static files ({tmp})")
        event = prepare(env)
        for repeat in range(1, args.repeats + 1):
            for target in TARGETS:
                result = measure(
                    target,
                    env=env,
                    event=event,
                    seconds=args.seconds,
                    clients=args.clients,
                    log_path=out / f"gunicorn-{target.key}.log",
                )
                result["repeat"] = repeat
                runs.append(result)
                log(
                    f"  {repeat}/{args.repeats} {target.label:24} "
                    f"{result['requests_per_second']:8,.0f} req/s  "
                    f"p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
                    f"cpu {result['server_cpu_ms_per_request']:6.2f} ms/req  "
                    f"rss {result['peak_rss_mib']:4.0f} MiB"
                    + (f"  PROBLEMS: {result['problems']}" if result["problems"] else "")
                )
    except BenchError as error:
        log(f"BENCHMARK FAILED: {error}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            with contextlib.suppress(BenchError):
                run(["dropdb", "--if-exists", "--force", RUN_DB], env=pg_env())
                run(["dropdb", "--if-exists", "--force", TEMPLATE_DB], env=pg_env())

    summary = summarise(runs)
    duration = time.monotonic() - clock
    (out / "results.json").write_text(
        json.dumps({"machine": info, "event": event, "runs": runs, "summary": summary}, indent=2)
    )
    failures = [p for r in runs for p in r["problems"]]
    share = page_share(runs)
    log(f"Cached event page: {share:.1%} of /ping's requests/s (target {TARGET_SHARE:.0%}).")
    if neighbours(summary) > NOISY_CORES:
        log(f"WARNING: other work used {neighbours(summary):.1f} cores during /ping: noisy run.")
    log(f"CPU-bound estimate for a quiet machine: {cpu_bound_share(runs):.0%} of /ping.")
    if failures:
        log("BENCHMARK FAILED: wrong answers: " + "; ".join(failures))
        log(f"docs/benchmarks.md left unchanged; raw results in {out}")
        return 1
    section = results_markdown(
        summary=summary,
        runs=runs,
        info=info,
        event=event,
        args=args,
        started=started,
        duration=duration,
    )
    if not args.no_doc:
        write_doc(section)
        log(f"Wrote {DOC.relative_to(ROOT)}; raw results in {out.relative_to(ROOT)}")
    else:
        log(section)
    if share < TARGET_SHARE:
        log("TARGET NOT MET")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
