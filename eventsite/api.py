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
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .exceptions import ApplicationError

# The largest id a BigAutoField holds. Ids in request bodies are bounded by it: SQLite refuses
# larger integers in a query, which would answer 500.
MAX_ID = 2**63 - 1

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


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's ``handler404``: an address under ``/api/`` that no operation answers (an id that
    is not a number, a slug with other characters) gets the error shape too; pages keep theirs.
    """
    if request.path_info.startswith("/api/"):
        error = exceptions.NotFound()
        return JsonResponse({"error": _api_exception_body(error, {})}, status=error.status_code)
    return defaults.page_not_found(request, exception)


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
    """Schema entries for the listed error statuses, all in the one error shape.

    Views list the errors of their own rules (409, 503, …); those that DRF answers by itself
    are added to every operation by ``document_error_responses``.
    """
    return {
        status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
        for status in statuses
    }


# Query parameters whose wrong values answer 404 (DRF's pagination), not 400.
PAGINATION_PARAMETERS = frozenset({"page", "page_size"})


def framework_errors(view: Any, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses DRF itself may answer for ``operation``, whatever the view's rules.

    400: the request body or a query parameter (a filter) is invalid. 401 or 403: credentials
    sent are refused, or are needed and missing; DRF answers 401 only when the view's first
    authentication scheme names itself in ``WWW-Authenticate``, 403 otherwise. 403: signed-in
    users lacking a permission, and session users' unsafe requests without the CSRF token.
    404: an unknown object in the path, or a page beyond the list. 429: a rate limit.
    """
    statuses: set[int] = set()
    parameters = operation.get("parameters", [])
    if "requestBody" in operation or any(
        parameter["in"] == "query" and parameter["name"] not in PAGINATION_PARAMETERS
        for parameter in parameters
    ):
        statuses.add(400)
    authenticators = [authentication() for authentication in view.authentication_classes]
    challenges = bool(authenticators) and bool(
        authenticators[0].authenticate_header(getattr(view, "request", None))
    )
    refuses_credentials = any(
        not isinstance(authenticator, SessionAuthentication) for authenticator in authenticators
    )
    restricted = any(
        not (isinstance(permission, type) and issubclass(permission, permissions.AllowAny))
        for permission in view.permission_classes
    )
    needs_csrf = method.upper() not in permissions.SAFE_METHODS and any(
        isinstance(authenticator, SessionAuthentication) for authenticator in authenticators
    )
    if refuses_credentials or restricted:
        statuses.add(401 if challenges else 403)
    if restricted or needs_csrf:
        statuses.add(403)
    if any(
        parameter["in"] == "path"
        or (parameter["in"] == "query" and parameter["name"] in PAGINATION_PARAMETERS)
        for parameter in parameters
    ):
        statuses.add(404)
    if view.throttle_classes:
        statuses.add(429)
    return statuses


def document_error_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: adds to each operation the errors of
    ``framework_errors`` that its view does not document itself, in the one error shape."""
    error_schema = {"$ref": "#/components/schemas/Error"}
    for path, _path_regex, method, callback in generator.endpoints:
        view = generator.create_view(callback, method)
        path = generator.coerce_path(path, method, view)
        operation = result["paths"].get(path, {}).get(method.lower())
        if operation is None:
            continue
        responses = operation.setdefault("responses", {})
        for status in sorted(framework_errors(view, method, operation)):
            responses.setdefault(
                str(status),
                {
                    "content": {"application/json": {"schema": error_schema}},
                    "description": str(ERROR_DESCRIPTIONS[status]),
                },
            )
        operation["responses"] = dict(sorted(responses.items()))
    return result
