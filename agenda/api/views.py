from django.db.models import Prefetch
from django_filters import rest_framework as filters
from rest_framework import viewsets
from rest_framework.generics import get_object_or_404

from ..models import Event, SessionSpeaker, Speaker
from ..selectors import public_events
from .serializers import EventSerializer, SessionSerializer, SpeakerSerializer


class EventFilter(filters.FilterSet):
    starts_after = filters.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = Event
        fields = ["kind", "format", "status", "audience"]


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
        event = get_object_or_404(Event.objects.public(), slug=self.kwargs["event_slug"])
        appearances = SessionSpeaker.objects.select_related("speaker")
        return (
            event.sessions.select_related("room", "track")
            .prefetch_related(Prefetch("appearances", queryset=appearances))
            .order_by("start", "pk")
        )


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
