from datetime import UTC

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.generics import get_object_or_404

from ..enums import EventFormat
from ..models import Document, Event, Session, SessionSpeaker, Speaker
from ..selectors import public_events
from .serializers import (
    DocumentSerializer,
    EventSerializer,
    SessionSerializer,
    SpeakerSerializer,
)


class StorableIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time that has a UTC equivalent: 0001-01-01T00:00+14:00 has none (it falls
    before year 1), and SQLite, which stores times in UTC, would fail on it."""

    def clean(self, value):
        value = super().clean(value)
        if value is not None:
            try:
                value.astimezone(UTC)
            except OverflowError as error:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from error
        return value


class StorableIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = StorableIsoDateTimeField


class EventFilter(filters.FilterSet):
    starts_after = StorableIsoDateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = StorableIsoDateTimeFilter(field_name="start", lookup_expr="lt")
    # "format" itself is DRF's response-format parameter (?format=json).
    event_format = filters.ChoiceFilter(field_name="format", choices=EventFormat.choices)

    class Meta:
        model = Event
        fields = ["kind", "status", "audience"]


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Published, postponed and cancelled events; drafts are not part of the public API."""

    serializer_class = EventSerializer
    lookup_field = "slug"
    filterset_class = EventFilter

    def get_queryset(self):
        return public_events().order_by("-start")


class EventSessionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL arguments
            return Session.objects.none()
        event = get_object_or_404(Event.objects.public(), slug=self.kwargs["event_slug"])
        appearances = SessionSpeaker.objects.select_related("speaker")
        return (
            event.sessions.select_related("room", "track")
            .prefetch_related(Prefetch("appearances", queryset=appearances))
            .order_by("start", "pk")
        )


@extend_schema_view(
    list=extend_schema(
        summary=_("List an event's documents"),
        description=_(
            "The documents organisers published with the event (programme, practical "
            "information, …), in the order the event's page shows them, with each file's "
            "address, size and type. Only for published, postponed and cancelled events."
        ),
    ),
    retrieve=extend_schema(summary=_("Read one of an event's documents")),
)
class EventDocumentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DocumentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL arguments
            return Document.objects.none()
        event = get_object_or_404(Event.objects.public(), slug=self.kwargs["event_slug"])
        return event.documents.order_by("position", "title", "pk")


class SpeakerViewSet(viewsets.ReadOnlyModelViewSet):
    """Speakers who appear at a public event."""

    serializer_class = SpeakerSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Speaker.objects.filter(appearances__session__event__in=Event.objects.public())
            .select_related("organisation")
            .distinct()
            .order_by("name")
        )
