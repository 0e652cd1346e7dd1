"""A worker killed (SIGKILL) in the middle of a report: the report is built again, and once.

Two ways a worker dies without a chance to clean up, each with a real worker on PostgreSQL and
Redis and a real ``kill -9``:

- the whole worker (its main process and its pool processes at once), as a lost host or
  ``kill -9`` of the service: the task, handed out but never acknowledged, waits in Redis until
  ``CELERY_VISIBILITY_TIMEOUT`` has passed and the next worker to start takes it back;
- only the pool process building the report, as the kernel's OOM killer would pick it: the
  worker's main process sees it die and puts the task back at once (``reject_on_worker_lost``).

Either way the report ends with one row, done, naming two complete files, and the event's folder
holds those two files and nothing else: not what the killed run had half-written.
"""

import io
import os
import re
import signal
import time
from pathlib import Path

import pytest
import redis
from django.core.files.storage import FileSystemStorage
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.building import folder, request_report
from reports.enums import ReportStatus
from reports.models import Report
from tests.factories import SessionFactory
from tests.factories.badges import CheckInFactory
from tests.factories.registrations import RegistrationFactory
from tests.factories.reports import ended_event

from .worker import Worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Seconds before Redis hands an unacknowledged task out again: production keeps the default
# hour; the tests' workers wait this long for the killed worker's task.
VISIBILITY_TIMEOUT = 2
TITLE = "Skills Partnerships Workshop"


class StallingStorage(FileSystemStorage):
    """The media folder, where the next file saved stops halfway, as a network disk that stops
    answering would: it writes the first half and then waits, holding the file open.

    Armed by the file ``stall_flag`` (an option, as MEDIA_STORAGE_OPTIONS gives it); the save
    that takes the flag away, one only, stalls. The worker loads it by MEDIA_STORAGE_BACKEND.
    """

    def __init__(self, *, stall_flag: str, **options) -> None:
        super().__init__(**options)
        self.stall_flag = stall_flag

    def _save(self, name, content):
        try:
            # Atomic: of pool processes saving at once, one takes the flag.
            os.rename(self.stall_flag, f"{self.stall_flag}.taken")
        except FileNotFoundError:
            return super()._save(name, content)
        return super()._save(name, _Halfway(content))


class _Halfway:
    def __init__(self, content) -> None:
        self.content = content

    def chunks(self):
        self.content.seek(0)
        data = self.content.read()
        # More than a write buffer, so that it reaches the disk before the stall.
        yield data[: len(data) // 2]
        time.sleep(60)
        yield data[len(data) // 2 :]


@pytest.fixture
def clean_broker(redis_url) -> str:
    """TEST_REDIS_URL without Celery messages left by an earlier, interrupted run."""
    client = redis.Redis.from_url(redis_url)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    client.close()
    return redis_url


@pytest.fixture
def start_worker(tmp_path, settings):
    """Workers sharing this test's media folder, each with a log of its own."""
    workers = []
    # The killed runs' temporary files stay there, not in the machine's /tmp.
    scratch = tmp_path / "worker-tmp"
    scratch.mkdir()

    def start(*, broker_url: str, **env: str) -> Worker:
        worker = Worker(
            broker_url=broker_url,
            log_path=tmp_path / f"worker-{len(workers) + 1}.log",
            env={"MEDIA_ROOT": str(settings.MEDIA_ROOT), "TMPDIR": str(scratch), **env},
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def event(postgres):
    """An in-person event that has ended: twelve confirmed registrations, nine checked in."""
    event = ended_event(title=TITLE, capacity_in_person=40)
    SessionFactory.create_batch(2, event=event)
    registrations = RegistrationFactory.create_batch(12, event=event)
    for registration in registrations[:9]:
        CheckInFactory(registration=registration)
    return event


def report_of(event) -> Report:
    return Report.objects.get(event=event)


def media_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def task_log(worker: Worker, event: str) -> list[str]:
    """The ids of the report tasks the worker logged as ``event`` (received, succeeded)."""
    pattern = re.compile(rf"^Task reports\.tasks\.build_report\[([0-9a-f-]+)\] {event}")
    return [match[1] for message in worker.messages() if (match := pattern.match(message))]


def process_holding(path: Path) -> int:
    """The process that has ``path`` open (Linux's /proc); only this user's are readable."""
    for descriptors in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) == str(path) for fd in descriptors.iterdir()):
                return int(descriptors.parent.name)
        except OSError:
            continue
    raise AssertionError(f"no process has {path} open")


def parent_of(pid: int) -> int:
    # The fields after the command name, which is in parentheses and may hold spaces.
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def assert_one_whole_report(event, settings) -> Report:
    assert Report.objects.filter(event=event).count() == 1
    report = report_of(event)
    assert (report.status, report.attempt, report.percent, report.stage, report.error) == (
        ReportStatus.DONE,
        1,
        100,
        "",
        "",
    )
    # The media folder holds the two files the report names, and nothing else.
    assert media_files(settings) == sorted([report.pdf.name, report.xlsx.name])
    assert {Path(report.pdf.name).parent, Path(report.xlsx.name).parent} == {Path(folder(event.pk))}
    pdf = Path(report.pdf.path).read_bytes()
    assert pdf[:5] == b"%PDF-"
    assert pdf.rstrip()[-5:] == b"%%EOF"
    assert TITLE in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    summary = load_workbook(report.xlsx.path, read_only=True)["Summary"]
    figures = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert (figures["Event"], figures["Registered"], figures["Attended"]) == (TITLE, 12, 9)
    return report


def test_report_whole_worker_killed_while_laying_out_the_pdf_is_built_by_the_next_worker(
    event, clean_broker, celery_broker, start_worker, settings, tmp_path
):
    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    first = start_worker(broker_url=clean_broker, **env)
    celery_broker(clean_broker)

    request_report(event=event)
    # Inside the build: the PDF is being laid out into a temporary file.
    wait_until(
        lambda: (
            report_of(event).percent == 35
            and any((tmp_path / "worker-tmp").glob("tmp*/report.pdf"))
        ),
        what="the worker to lay out the PDF",
    )
    first.kill()

    killed = report_of(event)
    assert (killed.status, killed.attempt) == (ReportStatus.RUNNING, 1)
    assert (killed.pdf.name, killed.xlsx.name) == ("", "")
    # What the killed run had made lies in its temporary folder; nothing reached the media.
    assert media_files(settings) == []
    (task_id,) = task_log(first, "received")
    assert task_log(first, "succeeded") == []

    # Redis hands the task out again once it has waited the visibility timeout since it was
    # handed out; a worker looks for such tasks when it starts.
    broker = redis.Redis.from_url(clean_broker)
    ((_tag, handed_out_at),) = broker.zrange("unacked_index", 0, -1, withscores=True)
    wait_until(
        lambda: time.time() > handed_out_at + VISIBILITY_TIMEOUT,
        what="the visibility timeout to pass",
    )
    second = start_worker(broker_url=clean_broker, **env)
    second.wait_for_task(task_id)
    second.stop()

    report = assert_one_whole_report(event, settings)
    # The same task, run again from the start.
    assert (task_log(second, "received"), task_log(second, "succeeded")) == ([task_id], [task_id])
    assert report.started_at > killed.started_at
    assert broker.zcard("unacked_index") == 0
    broker.close()


def test_report_pool_process_killed_while_storing_a_file_is_built_again_without_it(
    event, clean_broker, celery_broker, start_worker, settings, tmp_path
):
    stall_flag = tmp_path / "stall"
    stall_flag.touch()
    worker = start_worker(
        broker_url=clean_broker,
        MEDIA_STORAGE_BACKEND=f"{__name__}.StallingStorage",
        MEDIA_STORAGE_OPTIONS=f'{{"stall_flag": "{stall_flag}"}}',
    )
    celery_broker(clean_broker)

    request_report(event=event)
    # The PDF is half-written in the media folder, under the name it would be swapped in by.
    (half_written,) = wait_until(
        lambda: [
            path
            for path in (Path(settings.MEDIA_ROOT) / folder(event.pk)).glob("*.pdf")
            if path.stat().st_size > 0
        ],
        what="the worker to store half the PDF",
    )
    pool_process = process_holding(half_written)
    assert parent_of(pool_process) == worker.process.pid
    os.kill(pool_process, signal.SIGKILL)

    wait_until(
        lambda: report_of(event).status == ReportStatus.DONE, what="the report to be built again"
    )
    (task_id,) = set(task_log(worker, "received"))
    worker.wait_for_task(task_id)
    worker.stop()

    report = assert_one_whole_report(event, settings)
    assert half_written.exists() is False
    # Delivered twice, finished once: the worker put the task back when its process died.
    assert (task_log(worker, "received"), task_log(worker, "succeeded")) == (
        [task_id, task_id],
        [task_id],
    )
    assert any(
        "WorkerLostError" in message and "signal 9 (SIGKILL)" in message
        for message in worker.messages()
    )
    assert report.pdf.name != f"{folder(event.pk)}/{half_written.name}"
