from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Event, Session, SessionSpeaker, Speaker, Venue


class VenueSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Venue
        fields = ["name", "address", "postal_code", "city", "country", "latitude", "longitude"]


class EventSerializer(serializers.ModelSerializer):
    venue = VenueSerializer(
        read_only=True, allow_null=True, help_text=_("null for online events, which have no venue.")
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug", "title", "theme", "kind", "format", "status", "audience", "timezone",
            "start", "end", "summary", "venue", "registration_opens", "registration_closes",
            "url",
        ]  # fmt: skip

    def get_url(self, event: Event) -> str:
        request = self.context.get("request")
        path = event.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class AppearanceSerializer(serializers.ModelSerializer):
    speaker = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = serializers.CharField(source="speaker.name")

    class Meta:
        model = SessionSpeaker
        fields = ["speaker", "name", "role"]


class SessionSerializer(serializers.ModelSerializer):
    room = serializers.CharField(source="room.name", default=None, allow_null=True)
    track = serializers.CharField(source="track.name", default=None, allow_null=True)
    speakers = AppearanceSerializer(source="appearances", many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id", "title", "abstract", "kind", "track", "room", "start", "end", "capacity",
            "requires_signup", "speakers",
        ]  # fmt: skip


class SpeakerSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", default=None, allow_null=True)

    class Meta:
        model = Speaker
        fields = ["slug", "name", "organisation", "job_title", "bio"]
