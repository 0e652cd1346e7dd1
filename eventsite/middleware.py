"""Middleware for running in production: the health check, and a clean answer when the database
goes away.

``DatabaseUnavailableMiddleware`` turns a lost database connection (PostgreSQL restarted, failed
over, a connection cut by the network or by ``pg_terminate_backend``) into a 503 with
``Retry-After``: the error shape of the API (``eventsite.api``) under ``/api/``, a page
elsewhere. It closes the broken connection, so the next request opens a new one instead of
failing on the dead one; a persistent connection (``CONN_MAX_AGE``) would otherwise be reused.
"""

import logging

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_OUTAGES = (OperationalError, InterfaceError)


def release_broken_connections() -> None:
    """Closes every open database connection that no longer answers.

    A connection that still works (the error came from elsewhere) is kept.
    """
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        if not connection.is_usable():
            connection.close()


def wants_json(request: HttpRequest) -> bool:
    if request.path_info.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    message = _("The service is briefly unavailable. Please try again in a minute.")
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"error": {"code": "database_unavailable", "message": message, "fields": {}}},
            status=503,
        )
    else:
        # Rendered without a request: context processors and the user could touch the database.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_OUTAGES):
            return None
        logger.error(
            "Database unavailable (%s); answered 503", type(exception).__name__, exc_info=True
        )
        release_broken_connections()
        return database_unavailable_response(request)


class HealthCheckMiddleware:
    """Answers ``/healthz`` before every other middleware (place it first)."""

    def __init__(self, get_response) -> None:
        from . import health  # health needs the Celery app, made after the settings

        self.get_response = get_response
        self.health = health

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.health.is_health_check(request.path_info):
            return self.health.healthz(request)
        return self.get_response(request)
