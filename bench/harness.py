"""What the benchmarks share: databases, servers, load, readings from /proc and the report.

Each benchmark (``bench/event_page.py``, ``bench/registration_rush.py``, ``bench/checkin.py``,
``bench/growth.py``) seeds a PostgreSQL template database once, copies it (``createdb -T``)
before every timed run, starts gunicorn with the production settings (or the bare-Django
reference of ``bench/reference``) under the same command line, drives it with wrk (one thread,
``bench/load.lua`` counting and timing for itself), reads the CPU of the server, wrk, the
PostgreSQL backends and the whole machine from ``/proc``, and writes its results section into
``docs/benchmarks.md`` between its own markers.

Two stacks: ``bench`` (gunicorn's settings all on the command line, 2 workers, no access log;
Celery without a broker unless a benchmark sets one) and ``production`` (gunicorn with the
project's ``gunicorn.conf.py`` as production starts it, Redis as broker and cache, and the
Celery worker and beat of ``docs/deploy.md`` running beside it, sending the emails to a local
SMTP sink, ``bench/smtp_sink.py``, while the load runs).
"""

import argparse
import contextlib
import json
import os
import platform
import re
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from unittest import mock

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = BENCH / "results"
LUA = BENCH / "load.lua"
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"

PG = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379/3"
# The Celery broker of the production stack (and of the registration rush's own stack).
BROKER_URL = "redis://127.0.0.1:6379/4"
WORKERS = 2
STACKS = ("bench", "production")
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
# The production stack's PostgreSQL connections say whose they are, so that the CPU of the
# site's backends is told from the Celery worker's.
WEB_APPLICATION = "eventsite-web"
WORKER_APPLICATION = "eventsite-worker"
# docs/deploy.md, section 9, as production's systemd units start them.
CELERY_WORKER = ["worker", "--loglevel=INFO", "--concurrency=2", "--max-tasks-per-child=200"]
CELERY_BEAT = ["beat", "--loglevel=INFO"]
# Rows of the /scan/ reference's table.
TICKETS = 1000
# Assets of the API documentation: no public page uses them, and compressing them for production
# took minutes on a busy two-core machine.
LEFT_OUT_STATIC = ("-i", "drf_spectacular_sidecar", "-i", "rest_framework")
TIME_CAP_SECONDS = 40
# Above this many cores of other work during /ping, a report says the run was too noisy.
NOISY_CORES = 0.25


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----------------------------------------------------------------------------------------------
# Databases


@dataclass(frozen=True)
class Databases:
    """A benchmark's template database and the copy each timed run starts from."""

    name: str  # e.g. "checkin": eventsite_bench_checkin_template, eventsite_bench_checkin

    @property
    def template(self) -> str:
        return f"eventsite_bench_{self.name}_template"

    @property
    def run(self) -> str:
        return f"eventsite_bench_{self.name}"

    def url(self, database: str, *, application: str = "") -> str:
        url = f"postgres://postgres@127.0.0.1:5432/{database}"
        return f"{url}?application_name={application}" if application else url

    def create_template(self, env: dict[str, str]) -> dict[str, str]:
        """An empty, migrated template with the /scan/ reference's table; returns its env."""
        self.drop()
        run(["createdb", self.template], env=pg_env())
        template_env = {**env, "DATABASE_URL": self.url(self.template)}
        run([str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"], env=template_env)
        psql(
            self.template,
            "CREATE TABLE bench_ticket (id integer PRIMARY KEY, scans integer NOT NULL DEFAULT 0,"
            " scanned_at timestamptz);"
            f" INSERT INTO bench_ticket (id) SELECT generate_series(1, {TICKETS})",
        )
        return template_env

    def fresh_copy(self) -> None:
        run(["dropdb", "--if-exists", "--force", self.run], env=pg_env())
        run(["createdb", "-T", self.template, self.run], env=pg_env())

    def drop(self) -> None:
        run(["dropdb", "--if-exists", "--force", self.run], env=pg_env())
        run(["dropdb", "--if-exists", "--force", self.template], env=pg_env())

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """The rows a query over the run's database gives, with psycopg's parameters (%s)."""
        import psycopg

        with psycopg.connect(self.url(self.run), autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    def value(self, sql: str, params: tuple = ()):
        return self.rows(sql, params)[0][0]

    def scans_stored(self) -> int:
        return int(self.value("SELECT coalesce(sum(scans), 0) FROM bench_ticket"))


# ----------------------------------------------------------------------------------------------
# The site's settings


# What gunicorn.conf.py and the site read from the environment beyond what a benchmark sets:
# left out, so that both take their own defaults whatever the caller's shell holds.
PRODUCTION_DEFAULTS = (
    "WEB_CONCURRENCY",
    "GUNICORN_BIND",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "FORWARDED_ALLOW_IPS",
    "LOG_FORMAT",
    "LOG_LEVEL",
)


def site_env(
    tmp: Path, databases: Databases, *, stack: str = "bench", **overrides: str
) -> dict[str, str]:
    """The site as production runs it, over plain http on 127.0.0.1.

    The ``bench`` stack logs warnings only and has no broker (Celery runs tasks in the request)
    unless ``overrides`` set one. The ``production`` stack keeps production's logging (INFO,
    JSON), has Redis as its broker, and names its database connections ``eventsite-web``; the
    email address of the SMTP sink is set when the stack starts (``Services``).
    """
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PG")) and k not in PRODUCTION_DEFAULTS
    }
    env = {
        **keep,
        "EVENTSITE_ENV": "production",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": databases.url(databases.run),
        "CONN_MAX_AGE": "60",
        "CACHE_URL": REDIS_URL,
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "consolemail://",
        "STATIC_ROOT": str(RESULTS / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
    }
    if stack == "production":
        del env["LOG_LEVEL"]
        env["CELERY_BROKER_URL"] = BROKER_URL
        env["DATABASE_URL"] = databases.url(databases.run, application=WEB_APPLICATION)
    return {**env, **overrides}


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


def flush_redis(url: str = REDIS_URL) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# ----------------------------------------------------------------------------------------------
# /proc readings


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """The process's CPU; with ``reaped``, also that of its children it has waited for."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    # Fields 14 and 15 of stat(5) (utime, stime), 16 and 17 (cutime, cstime); the split starts
    # at field 3.
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and all its children, those that ended (and were waited for) included:
    a gunicorn or Celery master whose workers are renewed during a run."""
    total = process_cpu_seconds(pid, reaped=True)
    for child in children_of(pid):
        # A worker renewed between the listing and the reading: its parent has its CPU once
        # it has waited for it.
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += tree_cpu_seconds(child)
    return total


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


def database_cpu_seconds(database: str, *, application: str = "") -> dict[int, float]:
    """CPU of the PostgreSQL backends serving one database, by process; with ``application``,
    only the connections that gave that ``application_name``."""
    if application:
        import psycopg

        with psycopg.connect(Databases("").url("postgres"), autocommit=True) as connection:
            pids = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                (database, application),
            ).fetchall()
        seconds = {}
        for (pid,) in pids:
            with contextlib.suppress(FileNotFoundError, ProcessLookupError, PermissionError):
                seconds[pid] = process_cpu_seconds(pid)
        return seconds
    seconds = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                title = handle.read().decode(errors="replace")
            if title.startswith("postgres: ") and f" {database} " in title:
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
# The load


@dataclass(frozen=True)
class Load:
    """What ``bench/load.lua`` sends: a number of requests to one URL path, in one of its modes."""

    path: str
    requests: int
    mode: str = "get"
    args: tuple[str, ...] = ()
    time_cap: int = TIME_CAP_SECONDS
    # Request headers ("Name: value") for wrk's -H; only the "get" mode sends them, the other
    # modes of bench/load.lua make their requests with their own headers.
    headers: tuple[str, ...] = ()


def wrk(base: str, load: Load, *, clients: int) -> dict:
    """Runs wrk until every request has its answer (or the time cap) and reads its report."""
    command = [
        "wrk", "-t1", f"-c{clients}", f"-d{load.time_cap}s", "--timeout", "30s",
        *(option for header in load.headers for option in ("-H", header)),
        "-s", str(LUA), base + load.path, "--", str(load.requests), load.mode, *load.args,
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
    result["statuses"] = {int(k): v for k, v in result["statuses"].items()}
    result["wrk_cpu_seconds"] = usage.ru_utime + usage.ru_stime
    if result["final"] != load.requests:
        raise BenchError(
            f"{load.path}: {result['final']} of {load.requests} requests answered within "
            f"{load.time_cap} s"
        )
    return result


def socket_problems(result: dict) -> list[str]:
    errors = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors"))
    if errors or result["timeouts"]:
        return [f"{errors} socket errors, {result['timeouts']} timeouts"]
    return []


def status_problems(result: dict, expected: int) -> list[str]:
    """Every answer had the expected status; 503s (counted and retried) are reported apart."""
    wrong = {s: n for s, n in result["statuses"].items() if s not in (expected, 503)}
    if wrong:
        listed = ", ".join(f"{n} × {s}" for s, n in sorted(wrong.items()))
        return [f"answers other than {expected}: {listed}"]
    return []


# ----------------------------------------------------------------------------------------------
# The servers


class Server:
    """One gunicorn, started for one run and stopped after it.

    ``app`` is "reference" (``bench/reference``) or "site" (``eventsite`` with ``settings``,
    the production settings by default). The command line is the same for both: in the
    ``bench`` stack every setting on it, in the ``production`` stack the project's
    ``gunicorn.conf.py`` (its workers, worker renewal, timeouts and JSON access log), as
    production starts it. ``services`` (the production stack's worker, beat and mail sink) are
    measured beside it.
    """

    def __init__(
        self,
        app: str,
        env: dict[str, str],
        *,
        database: str,
        log_path: Path,
        settings: str | None = None,
        ready_path: str = "/ping",
        stack: str = "bench",
        services: "Services | None" = None,
    ) -> None:
        self.port = free_port()
        if app == "reference":
            chdir, wsgi = BENCH, "reference.wsgi:application"
            env = {**env, "DJANGO_SETTINGS_MODULE": "reference.settings"}
        else:
            chdir, wsgi = ROOT, "eventsite.wsgi:application"
            env = {**env, "DJANGO_SETTINGS_MODULE": settings or "eventsite.settings"}
        if stack == "production":
            env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
            self.expected_workers = production_gunicorn(env)["workers"]
            self.command = [
                str(GUNICORN), "--config", str(GUNICORN_CONF), "--chdir", str(chdir), wsgi,
            ]  # fmt: skip
        else:
            self.expected_workers = WORKERS
            self.command = [
                str(GUNICORN),
                # No configuration file: gunicorn would read the project's gunicorn.conf.py for
                # the site only (its chdir), with production's access log and worker renewal,
                # which replaces workers in the middle of a run. Every setting is on this
                # command line.
                "--config", os.devnull,
                "--chdir", str(chdir),
                "--workers", str(WORKERS),
                "--worker-class", "sync",
                "--bind", f"127.0.0.1:{self.port}",
                "--timeout", "60",
                "--log-level", "warning",
                wsgi,
            ]  # fmt: skip
        self.env = env
        self.stack = stack
        self.services = services
        self.database = database
        # The site's own connections, where the worker shares its database.
        self.application = WEB_APPLICATION if stack == "production" and app == "site" else ""
        self.log_path = log_path
        self.ready_path = ready_path
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log_file, stderr=log_file, cwd=ROOT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited at start; see {self.log_path}")
            with contextlib.suppress(httpx.TransportError):
                answer = httpx.get(self.base + self.ready_path, timeout=30)
                if answer.status_code == 200 and len(self.workers()) == self.expected_workers:
                    return
                if answer.status_code != 200:
                    raise BenchError(
                        f"{self.ready_path} answered {answer.status_code}; see {self.log_path}"
                    )
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not become ready; see {self.log_path}")

    def workers(self) -> list[int]:
        assert self.process is not None
        return children_of(self.process.pid)

    def cpu_seconds(self) -> float:
        """The master's and its workers' CPU, of workers renewed meanwhile too."""
        assert self.process is not None
        return tree_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def load(self, load: Load, *, clients: int) -> dict:
        """Sends a load without measuring the server (a warm-up)."""
        return wrk(self.base, load, clients=clients)

    def measure(self, load: Load, *, clients: int) -> dict:
        """Sends a load and measures it: rates, latencies, CPU everywhere, memory."""
        workers = self.workers()
        cpu_before = self.cpu_seconds()
        database_before = database_cpu_seconds(self.database, application=self.application)
        services_before = self.services.readings() if self.services else None
        busy_before, total_before = machine_cpu()
        result = wrk(self.base, load, clients=clients)
        busy_after, total_after = machine_cpu()
        services_after = self.services.readings() if self.services else None
        database_after = database_cpu_seconds(self.database, application=self.application)
        cpu_after = self.cpu_seconds()
        workers_after = self.workers()
        renewed = len(set(workers_after) - set(workers))
        if self.stack == "bench" and workers_after != workers:
            raise BenchError(f"a gunicorn worker died during {load.path}; see {self.log_path}")
        responses, elapsed = result["responses"], result["elapsed"]
        server_cpu = cpu_after - cpu_before
        database_cpu = sum(
            seconds - database_before.get(pid, 0.0) for pid, seconds in database_after.items()
        )
        wrk_cpu = result["wrk_cpu_seconds"]
        beside = {}
        if self.services:
            beside = self.services.difference(
                services_before, services_after, requests=responses, elapsed=elapsed
            )
        background_cpu = beside.get("background_cpu_seconds", 0.0)
        return {
            "requests": responses,
            "requests_per_second": responses / elapsed,
            "p50_ms": result["p50_us"] / 1000,
            "p90_ms": result["p90_us"] / 1000,
            "p99_ms": result["p99_us"] / 1000,
            "max_ms": result["max_us"] / 1000,
            "elapsed_seconds": elapsed,
            "server_cpu_ms_per_request": server_cpu * 1000 / responses,
            "server_cpu_cores": server_cpu / elapsed,
            "wrk_cpu_ms_per_request": wrk_cpu * 1000 / responses,
            "wrk_cpu_cores": wrk_cpu / elapsed,
            "database_cpu_ms_per_request": database_cpu * 1000 / responses,
            "machine_busy_share": (busy_after - busy_before) / (total_after - total_before),
            # CPU the machine spent beyond this server, wrk and (production stack) the Celery
            # worker, beat and the mail sink: PostgreSQL and Redis, and any other work on the
            # machine. /ping uses neither, so there it measures the neighbours.
            "other_cpu_cores": (busy_after - busy_before - server_cpu - wrk_cpu - background_cpu)
            / elapsed,
            "peak_rss_mib": max(live_peak_rss_mib(workers_after) or [0.0]),
            "workers_renewed": renewed,
            "response_bytes": result["max_len"],
            "busy_retries": result["busy"],
            **beside,
            "load": result,
        }


def live_peak_rss_mib(pids: list[int]) -> list[float]:
    peaks = []
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, BenchError):
            peaks.append(peak_rss_mib(pid))
    return peaks


def production_gunicorn(env: dict[str, str]) -> dict:
    """What ``gunicorn.conf.py`` sets under ``env`` (it reads nothing but the environment)."""
    with mock.patch.dict(os.environ, env, clear=True):
        conf = runpy.run_path(str(GUNICORN_CONF))
    names = ("workers", "threads", "timeout", "keepalive", "max_requests", "max_requests_jitter")
    return {name: conf[name] for name in names}


# ----------------------------------------------------------------------------------------------
# The production stack's other processes


def celery_control():
    from celery import Celery

    return Celery("bench", broker=BROKER_URL).control


class Services:
    """The Celery worker and beat of the production stack, and the mail server they send to.

    Started for one site run, before gunicorn, each from its own command line in
    ``docs/deploy.md`` (the worker with a node name of its own): the worker's emails go over SMTP
    to ``bench/smtp_sink.py``, which counts them by recipient. ``readings``/``difference``
    measure them beside a timed run; ``drain`` waits for the outbox to empty; ``check_emails``
    (after ``stop``) holds every outbox email sent, exactly once.
    """

    def __init__(self, env: dict[str, str], *, databases: Databases, out: Path, tag: str) -> None:
        self.databases = databases
        self.base_env = env
        self.counts_path = out / f"smtp-{tag}.json"
        self.schedule_path = out / f"celerybeat-schedule-{tag}"
        self.log_path = out / f"celery-{tag}.log"
        # No dot after the "@": the logs' redaction would take the name for an email address.
        self.node = f"bench-{os.getpid()}-{tag}@bench"
        self.env = env
        self.sink: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.sink_counts: dict | None = None
        self.tasks: dict[str, int] = {}
        self.ready: dict = {}

    def __enter__(self) -> "Services":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        flush_redis(BROKER_URL)
        self.counts_path.unlink(missing_ok=True)
        self.forget_schedule()
        with open(self.log_path, "ab") as log_file:
            self.sink = subprocess.Popen(
                [str(PYTHON), str(BENCH / "smtp_sink.py"), str(self.counts_path)],
                stdout=subprocess.PIPE,
                stderr=log_file,
                text=True,
            )
            assert self.sink.stdout is not None
            line = self.sink.stdout.readline()
            if not line.strip().isdigit():
                raise BenchError(f"the mail sink did not start; see {self.log_path}")
            port = int(line)
            self.env = {**self.base_env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
            worker_env = {
                **self.env,
                "DJANGO_SETTINGS_MODULE": "eventsite.settings",
                "DATABASE_URL": self.databases.url(
                    self.databases.run, application=WORKER_APPLICATION
                ),
            }
            celery = [str(PYTHON.parent / "celery"), "-q", "-A", "eventsite"]
            self.worker = subprocess.Popen(
                [*celery, *CELERY_WORKER, f"--hostname={self.node}"],
                env=worker_env,
                stdout=log_file,
                stderr=log_file,
                cwd=ROOT,
            )
            self.beat = subprocess.Popen(
                [*celery, *CELERY_BEAT, f"--schedule={self.schedule_path}"],
                env=worker_env,
                stdout=log_file,
                stderr=log_file,
                cwd=ROOT,
            )
        control = celery_control()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for process, name in ((self.worker, "worker"), (self.beat, "beat")):
                if process.poll() is not None:
                    raise BenchError(f"the Celery {name} exited at start; see {self.log_path}")
            replies = control.ping(destination=[self.node], timeout=1.0)
            if replies and len(children_of(self.worker.pid)) == 2:
                self.ready = self.readings()
                return
        raise BenchError(f"the Celery worker did not become ready; see {self.log_path}")

    def since_ready(self) -> dict:
        """The worker's CPU and the emails it sent since it was ready (its start-up left out)."""
        now = self.readings()
        cpu = now["cpu"]["worker"] - self.ready["cpu"]["worker"]
        sent = now["outbox"]["sent"] - self.ready["outbox"]["sent"]
        return {
            "worker_seconds": now["at"] - self.ready["at"],
            "worker_cpu_seconds": cpu,
            "worker_emails_sent": sent,
            "worker_cpu_ms_per_email": cpu * 1000 / sent if sent else 0.0,
        }

    def stop(self) -> None:
        """A warm shutdown of the worker (running tasks finish) and beat, then the sink."""
        if self.worker is not None and self.worker.poll() is None:
            with contextlib.suppress(Exception):
                self.tasks = self.tasks_completed()
        for group in ((self.worker, self.beat), (self.sink,)):
            running = [p for p in group if p is not None and p.poll() is None]
            for process in running:
                process.send_signal(signal.SIGTERM)
            for process in running:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self.sink is not None and self.counts_path.exists():
            self.sink_counts = json.loads(self.counts_path.read_text())
            # Sample addresses, but addresses: nothing keeps them after the check.
            self.counts_path.unlink()
        self.forget_schedule()

    def forget_schedule(self) -> None:
        """Beat's schedule (a shelve: one to three files), so that the next start begins anew."""
        for path in self.schedule_path.parent.glob(self.schedule_path.name + "*"):
            path.unlink()

    def tasks_completed(self) -> dict[str, int]:
        """Tasks the worker has taken, by name (its remote-control statistics)."""
        stats = celery_control().inspect(destination=[self.node], timeout=3.0).stats() or {}
        return dict(stats.get(self.node, {}).get("total", {}))

    def outbox(self) -> dict[str, int]:
        pending, sent, total = self.databases.rows(
            "SELECT count(*) FILTER (WHERE status = 'pending'),"
            " count(*) FILTER (WHERE status = 'sent'), count(*) FROM registrations_outboxemail"
        )[0]
        return {"pending": int(pending), "sent": int(sent), "total": int(total)}

    def cpu(self) -> dict[str, float]:
        processes = {"worker": self.worker, "beat": self.beat, "smtp": self.sink}
        return {name: tree_cpu_seconds(p.pid) for name, p in processes.items() if p is not None}

    def readings(self) -> dict:
        return {"cpu": self.cpu(), "outbox": self.outbox(), "at": time.monotonic()}

    def difference(self, before: dict, after: dict, *, requests: int, elapsed: float) -> dict:
        """The worker's, beat's and the sink's CPU over a run, and the emails written and sent."""
        cpu = {name: after["cpu"][name] - before["cpu"][name] for name in after["cpu"]}
        return {
            "worker_cpu_cores": cpu["worker"] / elapsed,
            "worker_cpu_ms_per_request": cpu["worker"] * 1000 / requests,
            "beat_cpu_cores": cpu["beat"] / elapsed,
            "smtp_cpu_cores": cpu["smtp"] / elapsed,
            "background_cpu_seconds": sum(cpu.values()),
            "emails_written": after["outbox"]["total"] - before["outbox"]["total"],
            "emails_sent": after["outbox"]["sent"] - before["outbox"]["sent"],
            "emails_pending_after": after["outbox"]["pending"],
        }

    def drain(self, *, cap: float) -> dict:
        """Waits until no outbox email is pending; the seconds and the worker's CPU meanwhile."""
        before = self.readings()
        while time.monotonic() - before["at"] < cap:
            if self.outbox()["pending"] == 0:
                break
            time.sleep(0.2)
        after = self.readings()
        return {
            "drain_seconds": after["at"] - before["at"],
            "drain_emails_sent": after["outbox"]["sent"] - before["outbox"]["sent"],
            "drain_worker_cpu_seconds": after["cpu"]["worker"] - before["cpu"]["worker"],
            "drain_pending_left": after["outbox"]["pending"],
        }

    def check_emails(self) -> tuple[dict, list[str]]:
        """After ``stop``: every outbox email sent, in one attempt, and received exactly once."""
        problems = []
        rows = self.databases.rows('SELECT "to", status, attempts FROM registrations_outboxemail')
        by_status: dict[str, int] = {}
        for _to, status, _attempts in rows:
            by_status[status] = by_status.get(status, 0) + 1
        if set(by_status) - {"sent"}:
            problems.append(f"outbox emails by status {by_status}: not all sent")
        retried = sum(1 for _to, _status, attempts in rows if attempts != 1)
        if retried:
            problems.append(f"{retried} outbox emails took other than one attempt")
        counts = self.sink_counts or {"messages": 0, "recipients": {}}
        expected: dict[str, int] = {}
        for to, _status, _attempts in rows:
            expected[to] = expected.get(to, 0) + 1
        received = counts["recipients"]
        twice = sum(1 for to, n in received.items() if n > expected.get(to, 0))
        missing = sum(1 for to, n in expected.items() if received.get(to, 0) < n)
        if counts["messages"] != len(rows) or twice or missing:
            problems.append(
                f"the mail server received {counts['messages']} messages for {len(rows)} outbox "
                f"emails ({missing} recipients short, {twice} received more than written)"
            )
        tasks = sum(self.tasks.values())
        return {
            "outbox_emails": len(rows),
            "smtp_messages": counts["messages"],
            "smtp_bytes": counts.get("bytes", 0),
            "worker_tasks": tasks,
            "worker_tasks_by_name": self.tasks,
        }, problems


@contextlib.contextmanager
def site_server(
    env: dict[str, str],
    *,
    stack: str,
    databases: Databases,
    out: Path,
    tag: str,
    settings: str | None = None,
    ready_path: str = "/",
) -> Iterator[Server]:
    """The site under gunicorn, with (production stack) its worker, beat and mail sink; those
    are ``server.services``, stopped after gunicorn."""
    log_path = out / f"gunicorn-{tag}.log"
    if stack != "production":
        with Server(
            "site",
            env,
            database=databases.run,
            log_path=log_path,
            settings=settings,
            ready_path=ready_path,
        ) as server:
            yield server
        return
    with (
        Services(env, databases=databases, out=out, tag=tag) as services,
        Server(
            "site",
            services.env,
            database=databases.run,
            log_path=log_path,
            settings=settings,
            ready_path=ready_path,
            stack="production",
            services=services,
        ) as server,
    ):
        yield server


# ----------------------------------------------------------------------------------------------
# The references


def reference_env(databases: Databases) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PG")) and k not in PRODUCTION_DEFAULTS
    }
    return {
        **keep,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": databases.url(databases.run),
        "CONN_MAX_AGE": "60",
    }


@dataclass
class Reference:
    key: str
    label: str
    load: Callable[[int], Load]
    warmup: int
    min_requests: int


REFERENCES = [
    Reference("ping", "reference GET /ping", lambda n: Load("/ping", n), 2000, 2000),
    Reference(
        "scan",
        "reference POST /scan/",
        lambda n: Load("/scan/", n, "scan", (str(TICKETS),)),
        300,
        500,
    ),
]


def measure_reference(
    reference: Reference,
    *,
    databases: Databases,
    seconds: float,
    clients: int,
    log_path: Path,
    stack: str = "bench",
) -> dict:
    """One run of a reference from a fresh database: warm-up, then about ``seconds`` of load.

    Checked: every answer 200; after /scan/, the table holds exactly the answered scans.
    """
    databases.fresh_copy()
    with Server(
        "reference",
        reference_env(databases),
        database=databases.run,
        log_path=log_path,
        stack=stack,
    ) as server:
        warm = server.load(reference.load(reference.warmup), clients=clients)
        rate = warm["responses"] / warm["elapsed"]
        requests = max(reference.min_requests, round(rate * seconds))
        result = server.measure(reference.load(requests), clients=clients)
    problems = socket_problems(result["load"]) + status_problems(result["load"], 200)
    if reference.key == "scan":
        stored = databases.scans_stored()
        answered = warm["final"] + result["load"]["final"]
        if stored != answered:
            problems.append(f"{stored} scans stored, {answered} answered")
        result["scans_stored"] = stored
    return {"target": reference.key, **result, "problems": problems}


# ----------------------------------------------------------------------------------------------
# Summaries


def summarise(runs: list[dict], keys: list[str]) -> dict:
    """Per target, the median of every number over the repeats, and each repeat's requests/s."""
    summary = {}
    for key in keys:
        mine = [r for r in runs if r["target"] == key]
        summary[key] = {
            name: statistics.median(r[name] for r in mine)
            for name in mine[0]
            if isinstance(mine[0][name], int | float) and not isinstance(mine[0][name], bool)
        }
        summary[key]["repeats_rps"] = [r["requests_per_second"] for r in mine]
    return summary


def ratio_of_repeats(runs: list[dict], key: str, reference: str, name: str) -> float:
    """``name`` of ``key`` over the same of ``reference``, repeat by repeat, then the median."""
    values = {(r["repeat"], r["target"]): r[name] for r in runs}
    repeats = sorted({r["repeat"] for r in runs})
    return statistics.median(values[(n, key)] / values[(n, reference)] for n in repeats)


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}x" if reference else "n/a"


MAIN_COLUMNS = [
    ("requests_per_second", "requests/s", "{:,.0f}"),
    ("p50_ms", "p50 ms", "{:.1f}"),
    ("p99_ms", "p99 ms", "{:.1f}"),
    ("server_cpu_ms_per_request", "server CPU ms/request", "{:.2f}"),
    ("peak_rss_mib", "peak RSS per worker MiB", "{:.0f}"),
]


def main_table(summary: dict, labels: dict[str, str], against: list[str]) -> list[str]:
    """One row per run: each figure, then its ratio to each reference named in ``against``."""
    names = {"ping": "/ping", "scan": "/scan/"}
    header = ["run", "requests"]
    align = ["---", "--:"]
    for _key, title, _style in MAIN_COLUMNS:
        header.append(title)
        align.append("--:")
        for reference in against:
            header.append(f"vs {names.get(reference, reference)}")
            align.append("--:")
    rows = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for key, label in labels.items():
        s = summary[key]
        cells = [label, f"{s['requests']:,.0f}"]
        for name, _title, style in MAIN_COLUMNS:
            cells.append(style.format(s[name]))
            cells += [ratio(s[name], summary[reference][name]) for reference in against]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def load_table(summary: dict, labels: dict[str, str]) -> list[str]:
    rows = [
        "| run | requests/s of each repeat | server CPU (cores) | wrk CPU (cores) "
        "| wrk CPU ms/request | database CPU ms/request | machine busy | other CPU (cores) "
        "| response bytes |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key, label in labels.items():
        s = summary[key]
        repeats = ", ".join(f"{value:,.0f}" for value in s["repeats_rps"])
        rows.append(
            f"| {label} | {repeats} | {s['server_cpu_cores']:.2f} "
            f"| {s['wrk_cpu_cores']:.2f} | {s['wrk_cpu_ms_per_request']:.3f} "
            f"| {s['database_cpu_ms_per_request']:.2f} "
            f"| {s['machine_busy_share']:.0%} | {s['other_cpu_cores']:.2f} "
            f"| {s['response_bytes']:,.0f} |"
        )
    return rows


def services_table(summary: dict, labels: dict[str, str]) -> list[str]:
    """The production stack's processes beside each run of the site."""
    rows = [
        "| run | Celery worker CPU (cores) | worker CPU ms/request | beat CPU (cores) "
        "| mail sink CPU (cores) | emails written | emails sent during the run "
        "| pending at its end | gunicorn workers renewed |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key, label in labels.items():
        s = summary[key]
        if "worker_cpu_cores" not in s:
            continue
        rows.append(
            f"| {label} | {s['worker_cpu_cores']:.2f} | {s['worker_cpu_ms_per_request']:.2f} "
            f"| {s['beat_cpu_cores']:.3f} | {s['smtp_cpu_cores']:.3f} "
            f"| {s['emails_written']:,.0f} | {s['emails_sent']:,.0f} "
            f"| {s['emails_pending_after']:,.0f} | {s['workers_renewed']:.0f} |"
        )
    return rows


def stack_lines(stack: str, env: dict[str, str]) -> list[str]:
    """How the stack ran, for a results section's header."""
    if stack != "production":
        return []
    g = production_gunicorn({**env, "GUNICORN_BIND": "127.0.0.1:0"})
    return [
        "- Stack: production. gunicorn started as production starts it, "
        f"`gunicorn -c gunicorn.conf.py` ({g['workers']} sync workers, {g['threads']} thread, "
        f"timeout {g['timeout']} s, workers renewed after {g['max_requests']:,} requests "
        f"± {g['max_requests_jitter']}, JSON access log); the site's log level INFO; Redis "
        f"as broker (`{BROKER_URL}`) and cache (`{REDIS_URL}`); the Celery worker "
        f"(`celery -A eventsite {' '.join(CELERY_WORKER)}`) and beat running during the timed "
        "runs on the same two cores, sending every email over SMTP to a local sink "
        "(`bench/smtp_sink.py`). The references run under the same gunicorn configuration.",
    ]


def noise_paragraph(summary: dict, cores: int, command: str) -> str:
    """How busy the neighbours kept the machine while /ping ran (it uses no database)."""
    busy = max(0.0, summary["ping"]["other_cpu_cores"])
    if busy > NOISY_CORES:
        return (
            f"**The machine was not quiet: other work used {busy:.1f} of its {cores} cores "
            "while `/ping` ran, so the requests/s ratios are unreliable; server CPU per request "
            f"is the steadier guide. Re-run `{command}` on a quiet machine before relying on "
            "the verdict.**"
        )
    return f"Other work on the machine used {busy:.2f} cores while `/ping` ran."


def is_noisy(summary: dict) -> bool:
    return summary["ping"]["other_cpu_cores"] > NOISY_CORES


# ----------------------------------------------------------------------------------------------
# Machine, versions, report


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
        "djangorestframework": version("djangorestframework"),
        "gunicorn": version("gunicorn"),
        "psycopg": version("psycopg"),
        "celery": version("celery"),
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


def header_lines(
    *, info: dict, command: str, repeats: int, started: datetime, duration: float
) -> list[str]:
    """Who measured what, where and with which versions."""
    return [
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `{command}` "
        f"({repeats} repeats, {duration / 60:.1f} minutes), commit `{commit()}` "
        "plus whatever the working tree held.",
        "",
        f"- Machine: {info['cores']} cores ({info['cpu_model']}), {info['memory_gib']} GiB "
        f"memory, Linux {info['kernel']}; shared with other work, so read the ratios, "
        "not the absolute figures.",
        f"- Versions: Python {info['python']}, Django {info['django']}, Django REST framework "
        f"{info['djangorestframework']}, gunicorn {info['gunicorn']}, psycopg {info['psycopg']}, "
        f"Celery {info['celery']}, PostgreSQL {info['postgresql']}, Redis {info['redis']}, "
        f"wrk {info['wrk']}.",
    ]


def markers(name: str, writer: str = "") -> tuple[str, str]:
    return (
        f"<!-- results:{name}:start (written by {writer or f'bench/{name}.py'}) -->",
        f"<!-- results:{name}:end -->",
    )


def write_section(name: str, lines: list[str], *, heading: str, writer: str = "") -> None:
    """Puts the section between the benchmark's markers, or appends it under ``heading``.

    ``writer`` names the command in the start marker when it is not ``bench/<name>.py``.
    """
    start, end = markers(name, writer)
    section = "\n".join([start, "", *lines, "", end])
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before = text.split(start)[0]
        after = text.split(end, 1)[1]
        DOC.write_text(before + section + after)
    else:
        DOC.write_text(text.rstrip() + f"\n\n{heading}\n\n" + section + "\n")


@dataclass
class Session:
    """The state of one benchmark's run: its output folder, timing and cleanup."""

    name: str
    started: datetime
    out: Path
    clock: float = field(default_factory=time.monotonic)

    @property
    def duration(self) -> float:
        return time.monotonic() - self.clock


@contextlib.contextmanager
def session(name: str, databases: Databases, *, keep: bool) -> Iterator[Session]:
    """An output folder under ``bench/results/<name>-<time>``; the databases dropped at the end."""
    from datetime import UTC

    started = datetime.now(UTC)
    out = RESULTS / f"{name}-{started:%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)
    try:
        yield Session(name=name, started=started, out=out)
    finally:
        if not keep:
            with contextlib.suppress(BenchError):
                databases.drop()


def require_wrk() -> bool:
    if shutil.which("wrk") is None:
        log("wrk is missing: apt-get install -y wrk")
        return False
    return True


def write_raw(out: Path, **data) -> None:
    (out / "results.json").write_text(json.dumps(data, indent=2, default=str))


def log_run(label: str, result: dict, repeat: int, repeats: int) -> dict:
    """Prints one run's main figures as it ends, and marks it with its repeat."""
    result["repeat"] = repeat
    log(
        f"  {repeat}/{repeats} {label:32} "
        f"{result['requests_per_second']:8,.0f} req/s  "
        f"p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
        f"cpu {result['server_cpu_ms_per_request']:6.2f} ms/req  "
        f"rss {result['peak_rss_mib']:4.0f} MiB"
        + (f"  PROBLEMS: {result['problems']}" if result["problems"] else "")
    )
    return result


def parse_arguments(
    doc: str,
    *,
    seconds: float,
    clients: int = 16,
    seconds_help: str = "length of each timed run",
    stacks: tuple[str, ...] = ("bench",),
) -> argparse.Namespace:
    """The options every gunicorn benchmark takes; ``--stack`` when it runs on more than one."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    if len(stacks) > 1:
        parser.add_argument(
            "--stack",
            choices=stacks,
            default=stacks[0],
            help="bench: as the earlier results were measured; production: gunicorn.conf.py, "
            "Redis as broker and cache, the Celery worker and beat running (docs/benchmarks.md)",
        )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=seconds, help=seconds_help)
    parser.add_argument("--clients", type=int, default=clients)
    parser.add_argument("--no-doc", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    if len(stacks) == 1:
        args.stack = stacks[0]
    return args
