"""The API's one error shape, and the pieces that document it.

Every error answer of the API looks the same, whatever raised it::

    {"error": {"code": "invitation_required", "message": "…", "fields": {"email": ["…"]}}}

``code`` is stable (clients branch on it), ``message`` is translated for people, and ``fields``
maps the request's field names to their messages (empty when the error concerns the request as a
whole). An ``ApplicationError`` from a service answers with its own ``status``; one that means
"busy, retry" also carries a ``Retry-After`` header. DRF's own errors (validation, not found,
not authenticated, forbidden, throttled, …) are reshaped the same way, keeping their status and
headers.

A view may name a service's ``field`` differently from its request body: it then defines
``api_field_name(field) -> str`` and the handler asks it.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .exceptions import ApplicationError

GENERIC_MESSAGES = {
    "invalid": _("Please correct the fields marked."),
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: every known error becomes the one error shape.

    Anything else (a bug) returns None, so that Django answers 500 and reports it.
    """
    if isinstance(exc, ApplicationError):
        return _application_error_response(exc, context)
    # Django's own 404 and 403 (get_object_or_404, …), as DRF's handler would convert them.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    response.data = {"error": _api_exception_body(exc, context)}
    return response


def _application_error_response(exc: ApplicationError, context: dict[str, Any]) -> Response:
    fields = {}
    if exc.field:
        fields[_field_name(exc.field, context)] = [str(exc.message)]
    body = {"error": {"code": exc.code, "message": str(exc.message), "fields": fields}}
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    # A service has rolled back its own transaction; this also undoes an enclosing request one.
    set_rollback()
    return Response(body, status=exc.status, headers=headers)


def _api_exception_body(exc: exceptions.APIException, context: dict[str, Any]) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        fields: dict[str, list[str]] = {}
        general: list[str] = []
        _flatten(exc.detail, "", fields, general, context)
        message = " ".join(general) or str(GENERIC_MESSAGES["invalid"])
        return {"code": "invalid", "message": message, "fields": fields}
    detail = exc.detail
    code = getattr(detail, "code", None) or exc.default_code
    return {"code": str(code), "message": str(detail), "fields": {}}


def _flatten(
    detail: Any,
    prefix: str,
    fields: dict[str, list[str]],
    general: list[str],
    context: dict[str, Any],
) -> None:
    """Nested serializer errors become dotted field names: ``answers.12``, ``session_ids.0``."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if not prefix and key in ("non_field_errors", "detail"):
                _flatten(value, "", fields, general, context)
                continue
            name = f"{prefix}.{key}" if prefix else _field_name(str(key), context)
            _flatten(value, name, fields, general, context)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            if prefix:
                fields.setdefault(prefix, []).extend(str(item) for item in detail)
            else:
                general.extend(str(item) for item in detail)
            return
        for index, item in enumerate(detail):
            if item:
                name = f"{prefix}.{index}" if prefix else str(index)
                _flatten(item, name, fields, general, context)
    elif prefix:
        fields.setdefault(prefix, []).append(str(detail))
    else:
        general.append(str(detail))


def _field_name(field: str, context: dict[str, Any]) -> str:
    rename = getattr(context.get("view"), "api_field_name", None)
    return rename(field) if rename is not None else field


# --- documentation -------------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable code for programs, e.g. `not_eligible`."))
    message = serializers.CharField(help_text=_("Explanation for people, in their language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages per request field (dotted for nested ones); empty if none."),
    )


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer."""

    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: _("Invalid request; see `error.fields`."),
    401: _("Not authenticated."),
    403: _("Not allowed: not eligible, invitation required or invalid, or no permission."),
    404: _("Not found."),
    409: _("Conflicts with the current state (e.g. registration not open, change not possible)."),
    429: _("Too many requests; retry after the seconds in `Retry-After`."),
    503: _("Busy: nothing was saved; retry after the seconds in `Retry-After`."),
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the listed error statuses, all in the one error shape."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
        for status in statuses
    }
