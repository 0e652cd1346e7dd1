"""Handing committed outbox emails to Celery: one task per email, or gathered per process.

Publishing a task costs about half a millisecond of CPU (Celery builds the message, kombu writes
it to the broker), a fifth of what the everyday registration costs in all. In a rush, a
gunicorn process commits a registration every few milliseconds; ``dispatch_soon`` gathers the
emails its process commits within ``EMAIL_DISPATCH_WINDOW_MS`` (100 ms by default when a broker
is set) and a thread of the process publishes them as one ``tasks.send_emails`` task. With a
window of 0, or with Celery running tasks in the process (no broker: the embedded default),
each email is handed over at once, as ``emails.dispatch`` does.

Nothing is lost either way: every email is in the outbox, pending, from the registration's
commit on. A broker that cannot be reached, or a process that ends before its thread publishes
(its exit publishes what is left when it can), leaves the emails pending for the periodic
``tasks.send_pending_emails``, which sends those older than a minute. Sending one email twice
is prevented where it is sent (``mail.deliver`` locks the row and sends only a pending email).
"""

import atexit
import logging
import os
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)


def window_seconds() -> float:
    """How long a process gathers emails before publishing them; 0: each at once."""
    from eventsite.celery import app

    if app.conf.task_always_eager:
        return 0.0
    return max(0, int(getattr(settings, "EMAIL_DISPATCH_WINDOW_MS", 0))) / 1000


def dispatch_soon(email_id: int) -> None:
    """Hands a committed outbox email to Celery, with others of this process when gathering."""
    window = window_seconds()
    if window <= 0:
        from .emails import dispatch

        dispatch(email_id)
        return
    _gatherer.add(email_id, window=window)


def publish(email_ids: list[int]) -> None:
    """One task for the emails; a broker outage leaves them pending for the periodic sweep."""
    from .tasks import send_emails

    try:
        send_emails.delay(email_ids)
    except Exception:  # the broker's client raises many kinds; the rows are safe either way
        logger.warning(
            "Broker unavailable; %s outbox emails stay pending", len(email_ids), exc_info=True
        )


class Gatherer:
    """The emails a process committed since it last published, and the thread publishing them.

    A process made by ``fork`` (gunicorn's workers) starts its own thread on its first email.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[int] = []
        self._wake = threading.Event()
        self._pid: int | None = None

    def add(self, email_id: int, *, window: float) -> None:
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._waiting = []
                self._wake = threading.Event()
                thread = threading.Thread(
                    target=self._run, args=(self._wake, window), name="outbox-dispatch", daemon=True
                )
                thread.start()
            self._waiting.append(email_id)
            self._wake.set()

    def flush(self) -> None:
        """Publishes what this process gathered and has not published yet."""
        with self._lock:
            if self._pid != os.getpid():
                return  # a forked process holds its parent's list: the parent publishes it
            waiting, self._waiting = self._waiting, []
            self._wake.clear()
        if waiting:
            publish(waiting)

    def _run(self, wake: threading.Event, window: float) -> None:
        while True:
            wake.wait()
            time.sleep(window)
            try:
                self.flush()
            except Exception:  # never let the thread die: the next emails need it
                logger.exception("Publishing gathered outbox emails failed; they stay pending")


_gatherer = Gatherer()
atexit.register(_gatherer.flush)
