"""Which events an organiser's API request may touch: the one place that decides.

A request signed in to the admin (session, the browsable API) reaches every event, as the
admin does. A request with an organiser's API token reaches only the token's events (every
event with ``all_events``). Either way the user's permissions apply as well: these functions
only narrow what the permission classes allow. Any other credential (a scanner device's, which
``badges`` scopes itself) reaches no event here.

An event outside the scope is answered as if it did not exist (404, or missing from a list), so
a token does not reveal what it cannot reach.
"""

from django.db.models import Model, QuerySet

from ..models import ApiToken, Event


class _Everything:
    """The scope of a request that reaches every event."""


EVERY_EVENT = _Everything()


def request_scope(request) -> ApiToken | _Everything | None:
    """``EVERY_EVENT``; the token that limits the request to its events; or None (no event)."""
    auth = getattr(request, "auth", None)
    if auth is None:
        user = getattr(request, "user", None)
        return EVERY_EVENT if user is not None and user.is_authenticated else None
    if isinstance(auth, ApiToken):
        return EVERY_EVENT if auth.all_events else auth
    return None


def scoping_token(request) -> ApiToken | None:
    """The token that limits this request to some events, or None when nothing (beyond the
    permissions) limits it. Only for a request the permission classes let through: a request
    that may reach no event at all must be refused there."""
    scope = request_scope(request)
    return scope if isinstance(scope, ApiToken) else None


def event_allowed(request, event: Event) -> bool:
    """Whether the request may touch ``event``. At most one query (for a token's events)."""
    scope = request_scope(request)
    if scope is EVERY_EVENT:
        return True
    if scope is None:
        return False
    return ApiToken.events.through.objects.filter(apitoken_id=scope.pk, event_id=event.pk).exists()


def allowed_events(request, queryset: QuerySet[Event]) -> QuerySet[Event]:
    """``queryset`` (of events) narrowed to those the request may touch; no query of its own."""
    return in_scope(request, queryset, event_field="pk")


def in_scope(request, queryset: QuerySet[Model], *, event_field: str = "event") -> QuerySet:
    """``queryset`` narrowed to the rows whose event (reached by ``event_field``, the event's
    primary key or a foreign key to it) the request may touch; no query of its own (a
    subquery)."""
    scope = request_scope(request)
    if scope is EVERY_EVENT:
        return queryset
    if scope is None:
        return queryset.none()
    token_events = ApiToken.events.through.objects.filter(apitoken_id=scope.pk).values("event_id")
    return queryset.filter(**{f"{event_field}__in": token_events})
