import mimetypes

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Document, Event, Session, SessionSpeaker, Speaker, Venue

# The types of the files organisers may upload (``agenda.validators.DOCUMENT_SIGNATURES``), named
# here rather than left to the system's MIME table, which differs between machines.
DOCUMENT_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


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


class DocumentSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text=_("The file's address."))
    size = serializers.SerializerMethodField(
        help_text=_("The file's size in bytes; null when the file cannot be read.")
    )
    content_type = serializers.SerializerMethodField(help_text=_("The file's media type."))
    extension = serializers.CharField(
        read_only=True, help_text=_("The file's extension in capitals, e.g. PDF.")
    )

    class Meta:
        model = Document
        fields = [
            "id", "title", "description", "file", "size", "content_type", "extension",
            "uploaded_at",
        ]  # fmt: skip

    def get_file(self, document: Document) -> str:
        request = self.context.get("request")
        url = document.file.url
        return request.build_absolute_uri(url) if request else url

    def get_size(self, document: Document) -> int | None:
        # A file removed from storage behind the site's back must not fail the whole list.
        try:
            return document.file.size
        except OSError:
            return None

    def get_content_type(self, document: Document) -> str:
        extension = document.extension.lower()
        if extension in DOCUMENT_CONTENT_TYPES:
            return DOCUMENT_CONTENT_TYPES[extension]
        guessed, _encoding = mimetypes.guess_type(document.file.name)
        return guessed or "application/octet-stream"
