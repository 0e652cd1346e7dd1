"""What the site's fast paths share: a request answered in a statement or three of SQL before
the rest of the middleware and DRF run (``badges.fastpath`` for the door's everyday scan,
``registrations.fastpath`` for the everyday registration).

A fast path takes over only a request it can settle exactly as its API view would, and hands
anything else to the view untouched. These helpers read the request as the middleware after
``SecurityMiddleware`` and DRF's JSON parser would, and give the answer the headers those add.
"""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from rest_framework.renderers import JSONRenderer


def keeps_plans(connection) -> bool:
    """Whether PostgreSQL plans a statement once per connection rather than at every run:
    psycopg prepares it (server-side binding, a prepare threshold: DATABASE_PREPARED_STATEMENTS)
    and the connection outlives the request (CONN_MAX_AGE, or a pool). A fast path's statements
    planned at every run cost the database more than the view's simpler ones."""
    if connection.vendor != "postgresql":
        return False
    settings_dict = connection.settings_dict
    options = settings_dict["OPTIONS"]
    return (
        connection.features.uses_server_side_binding
        and options.get("prepare_threshold") is not None
        and (settings_dict["CONN_MAX_AGE"] != 0 or bool(options.get("pool")))
    )


def json_body(request: HttpRequest, *, max_body: int) -> Any | None:
    """The request's JSON body as DRF's JSONParser reads it (UTF-8, no NaN or Infinity), or None
    when anything about the request is for the usual stack to answer: a host not allowed
    (``CommonMiddleware``'s settings included), another content type or charset, an empty body
    or one longer than ``max_body``, JSON that does not parse."""
    if settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW:
        return None  # CommonMiddleware's business
    try:
        request.get_host()
    except DisallowedHost:
        return None
    if request.content_type != "application/json":
        return None
    charset = request.content_params.get("charset", "utf-8").lower()
    if set(request.content_params) - {"charset"} or charset not in ("utf-8", "utf8"):
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= max_body:
        return None
    try:
        return json.loads(request.body.decode("utf-8"), parse_constant=_refuse)
    except (ValueError, OSError):
        return None


def _refuse(constant: str) -> Any:
    raise ValueError(constant)


def json_response(
    data: Any,
    *,
    status: int = 200,
    allow: str,
    vary: str = "Accept-Language",
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """The answer as DRF renders it, with the headers the view's answer gets from DRF and the
    middleware after ``SecurityMiddleware``: ``Allow`` (the view's methods), ``X-Frame-Options``,
    ``Content-Length``, ``Vary`` (the view's: ``Accept-Language`` at least) and
    ``Content-Language`` (the active language: the caller activates the request's, as
    ``LocaleMiddleware`` would)."""
    content = JSONRenderer().render(data)
    response = HttpResponse(content, status=status, content_type="application/json")
    for name, value in (headers or {}).items():
        response[name] = value
    response["Allow"] = allow
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS.upper()
    response["Content-Length"] = str(len(content))
    response["Vary"] = vary
    response["Content-Language"] = translation.get_language()
    return response
