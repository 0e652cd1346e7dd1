"""``/healthz``: whether this instance can reach its database and its broker.

For load balancers and monitoring: ``{"status": "ok", "database": "ok", "broker": "ok"}`` with
200, or 503 when one of them is ``"error"``. ``"eager"`` means no broker is configured (tasks run
in-process, as in development), which is healthy. The answer names no host, address or error
text, only these states; the details go to the log.

Bounded in time: the broker is given ``BROKER_TIMEOUT`` seconds to connect and answer, the
database its ``connect_timeout`` (settings). Answered by ``HealthCheckMiddleware`` before the
rest of the stack (no host check, no HTTPS redirect, no session, cache or throttle).
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from .celery import app as celery_app
from .middleware import release_broken_connections

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 1.5  # seconds, to connect and to read the answer


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_database() -> str:
    """``ok`` when the database answers; a connection left broken by a restart of the database
    is replaced once, so that a recovered database reads as ``ok`` at once."""
    try:
        _select_one()
    except DatabaseError:
        release_broken_connections()
        try:
            _select_one()
        except DatabaseError:
            logger.warning("Health check: database unreachable", exc_info=True)
            release_broken_connections()
            return "error"
    return "ok"


def check_broker() -> str:
    if celery_app.conf.task_always_eager:
        return "eager"
    try:
        with celery_app.connection_for_write(
            connect_timeout=BROKER_TIMEOUT,
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT,
                "socket_timeout": BROKER_TIMEOUT,
                "max_retries": 0,
            },
        ) as broker:
            broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)
            # Connecting may succeed on a half-dead server; a round trip proves it answers.
            client = getattr(broker.default_channel, "client", None)
            if client is not None and hasattr(client, "ping"):
                client.ping()
    except Exception:  # the transports raise many kinds; any of them means "not reachable"
        logger.warning("Health check: broker unreachable", exc_info=True)
        return "error"
    return "ok"


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    broker = check_broker()
    healthy = database == "ok" and broker in ("ok", "eager")
    response = JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
    add_never_cache_headers(response)
    return response


def is_health_check(path: str) -> bool:
    return path in ("/healthz", "/healthz/")
