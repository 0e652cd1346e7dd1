"""A real Celery worker, and a Redis server of the tests' own, run as subprocesses."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from tests.test_settings import UNSET

ROOT = Path(__file__).resolve().parent.parent.parent
WAIT_SECONDS = 60


def wait_until(condition: Callable[[], object], *, what: str, timeout: float = WAIT_SECONDS):
    """Polls ``condition`` until it returns something true; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s for {what}")
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tests_database_url() -> str:
    """The address of the database pytest-django made, for processes outside this one."""
    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings['NAME']}"


class Worker:
    """``celery -A eventsite worker`` with the environment a deployment gives it."""

    def __init__(
        self,
        *,
        broker_url: str,
        log_path: Path,
        smtp_port: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.log_path = log_path
        base = {key: value for key, value in os.environ.items() if key not in UNSET}
        self.env = {
            **base,
            "DATABASE_URL": tests_database_url(),
            "CELERY_BROKER_URL": broker_url,
            **({"EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}"} if smtp_port else {}),
            "LOG_FORMAT": "json",
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "eventsite",
                    "worker",
                    "--loglevel=INFO",
                    "--pool=prefork",
                    "--concurrency=2",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--hostname=tests@%h",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for(lambda message: message.endswith(" ready."), what="the worker to start")
        return self

    def records(self) -> list[dict]:
        """The worker's log records (its JSON lines; the start-up banner is not one)."""
        records = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
        return records

    def messages(self) -> list[str]:
        return [record.get("message", "") for record in self.records()]

    def wait_for(self, matches: Callable[[str], bool], *, what: str, count: int = 1) -> None:
        def seen() -> bool:
            assert self.process is not None and self.process.poll() is None, self.output()
            return sum(1 for message in self.messages() if matches(message)) >= count

        wait_until(seen, what=what)

    def wait_for_task(self, task_id: str) -> None:
        self.wait_for(
            lambda message: f"[{task_id}] succeeded" in message, what=f"task {task_id} to finish"
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def kill(self) -> None:
        """SIGKILL to the main process and its pool processes at once, as ``kill -9`` of the
        service or a lost host would: nothing of the worker gets to clean up or give tasks back."""
        assert self.process is not None and self.process.poll() is None, self.output()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM), as systemd does; killed only if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            raise AssertionError(f"the worker did not stop on SIGTERM:\n{self.output()}") from None


class RedisServer:
    """A redis-server of its own on a spare port, to stop and start again as an outage would."""

    def __init__(self, log_path: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        import redis

        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the Debian binary, fixed arguments
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_until(answers, what="redis-server to start")
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
