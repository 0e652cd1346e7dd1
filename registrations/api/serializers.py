"""Serializers of the registration API: they parse and present, the services decide.

``RegistrationCreateSerializer`` only turns a request body into a ``RegistrationRequest``; the
view hands that to ``services.register``, which applies every rule. Nothing here saves.
"""

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from eventsite.api import MAX_ID
from members.enums import OrganisationType

from ..capacity import waitlist_position
from ..emails import manage_url
from ..enums import AttendanceMode, PickStatus, RegistrationStatus
from ..models import Answer, AuditEntry, Registration, SessionPick
from ..services import RegistrationRequest

# --- the public: registering ---------------------------------------------------------------------


# What PostgreSQL stores in no text or JSON column: NUL, and unpaired surrogates (JSON escapes).
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "array", "items": {"type": "string"}},
            ],
            "nullable": True,
        },
        "description": "Answers by question id: text, a choice, a list of choices or true/false.",
        "example": {"12": "Ministry of Labour", "13": ["Workshop A"], "14": True},
    }
)
class AnswersField(serializers.DictField):
    """``{"<question id>": value}``; the value's kind is checked by the service, against the
    question's; here only that it is one of the kinds an answer can be."""

    child = serializers.JSONField()

    def to_internal_value(self, data):
        answers = super().to_internal_value(data)
        cleaned = {}
        for key, value in answers.items():
            key = str(key)
            # isdigit() alone admits "²", which int() refuses.
            if not (key.isascii() and key.isdigit()):
                raise serializers.ValidationError(
                    _('Answers are keyed by question id, e.g. {"12": "…"}.')
                )
            cleaned[int(key)] = self.answer_value(value)
        return cleaned

    @staticmethod
    def answer_value(value):
        texts = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise serializers.ValidationError(_("A list of choices holds only text."))
        if not all(item is None or isinstance(item, str | int | float) for item in texts):
            raise serializers.ValidationError(
                _("Answer with text, a choice, a list of choices, or true or false.")
            )
        if any(isinstance(item, str) and UNSTORABLE_CHARACTERS.search(item) for item in texts):
            raise serializers.ValidationError(_("Null characters are not allowed."))
        return value


class RegistrationCreateSerializer(serializers.Serializer):
    # min_length documents, in the schema, that these may not be blank.
    first_name = serializers.CharField(min_length=1, max_length=100)
    last_name = serializers.CharField(min_length=1, max_length=100)
    email = serializers.EmailField(max_length=254)
    organisation_name = serializers.CharField(min_length=1, max_length=200)
    organisation_type = serializers.ChoiceField(choices=OrganisationType.choices)
    organisation_country = serializers.CharField(
        min_length=2,
        max_length=2,
        help_text=_("ISO 3166-1 alpha-2 code of the organisation's country, e.g. BE."),
    )
    job_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    mode = serializers.ChoiceField(
        choices=AttendanceMode.choices,
        required=False,
        allow_blank=True,
        help_text=_("Needed for hybrid events; others have only one mode."),
    )
    answers = AnswersField(required=False)
    accessibility_needs = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text=_("In person only.")
    )
    dietary_needs = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text=_("In person only.")
    )
    privacy_accepted = serializers.BooleanField(
        default=False, help_text=_("Must be true: consent to the event's privacy notice.")
    )
    photo_consent = serializers.BooleanField(default=False)
    participant_list_consent = serializers.BooleanField(
        default=False,
        help_text=_("Appear (name and organisation) in the list other attendees see."),
    )
    session_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=100,
        help_text=_("Sessions that need their own sign-up."),
    )
    invitation_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=[],
        required=False,
        help_text=_("Language of the emails; by default the request's (Accept-Language)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Settings are read when a request is parsed, never at import.
        self.fields["language"].choices = settings.LANGUAGES

    def validate_organisation_country(self, value: str) -> str:
        code = value.strip().upper()
        if code not in countries:
            raise serializers.ValidationError(_("Enter a country's two-letter code, e.g. BE."))
        return code

    def to_request(self, *, default_language: str) -> RegistrationRequest:
        """The validated body as the service's input."""
        data = self.validated_data
        return RegistrationRequest(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            organisation_name=data["organisation_name"],
            organisation_type=data["organisation_type"],
            organisation_country=data["organisation_country"],
            job_title=data.get("job_title", ""),
            mode=data.get("mode", ""),
            answers=data.get("answers", {}),
            accessibility_needs=data.get("accessibility_needs", ""),
            dietary_needs=data.get("dietary_needs", ""),
            privacy_accepted=data["privacy_accepted"],
            photo_consent=data["photo_consent"],
            participant_list_consent=data["participant_list_consent"],
            session_ids=data.get("session_ids", []),
            invitation_code=data.get("invitation_code", ""),
            language=data.get("language") or default_language,
        )


class RegistrationCreatedSerializer(serializers.Serializer):
    """A new registration: where it stands, and the attendee's personal key to it."""

    status = serializers.ChoiceField(choices=RegistrationStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    mode = serializers.ChoiceField(choices=AttendanceMode.choices)
    waitlist_position = serializers.SerializerMethodField()
    token = serializers.CharField(
        help_text=_("The attendee's personal key: keep it secret, it opens the registration.")
    )
    manage_url = serializers.SerializerMethodField(
        help_text=_("The attendee's personal page on the site.")
    )

    def get_waitlist_position(self, registration: Registration) -> int | None:
        # The service counted it when it wrote the registration's email.
        if "waitlist_position" in self.context:
            return self.context["waitlist_position"]
        return waitlist_position(registration)

    def get_manage_url(self, registration: Registration) -> str:
        return manage_url(registration)


class AlreadyRegisteredSerializer(serializers.Serializer):
    """The same answer for any registration of that address, whatever its state."""

    detail = serializers.CharField()


# --- the attendee: their own registration by token -----------------------------------------------


class EventBriefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    format = serializers.CharField()
    timezone = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class PickSerializer(serializers.ModelSerializer):
    session_id = serializers.IntegerField()
    title = serializers.CharField(source="session.title")
    start = serializers.DateTimeField(source="session.start")
    end = serializers.DateTimeField(source="session.end")
    status = serializers.ChoiceField(choices=PickStatus.choices)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = SessionPick
        fields = ["session_id", "title", "start", "end", "status", "status_label"]


class OwnRegistrationSerializer(serializers.Serializer):
    """What the attendee sees of their registration; nothing about other people."""

    event = EventBriefSerializer()
    status = serializers.ChoiceField(choices=RegistrationStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    mode = serializers.ChoiceField(choices=AttendanceMode.choices)
    mode_label = serializers.CharField(source="get_mode_display")
    waitlist_position = serializers.SerializerMethodField()
    picks = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_waitlist_position(self, registration: Registration) -> int | None:
        return waitlist_position(registration)

    @extend_schema_field(PickSerializer(many=True))
    def get_picks(self, registration: Registration) -> list[dict]:
        picks = registration.session_picks.select_related("session").order_by("session__start")
        return PickSerializer(picks, many=True).data


class OwnRegistrationChangeSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=AttendanceMode.choices, required=False)
    session_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=100,
        help_text=_("The complete new list of picks; an empty list drops them all."),
    )


# --- organisers ----------------------------------------------------------------------------------


class OrganiserRegistrationSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    first_name = serializers.CharField(source="person.first_name")
    last_name = serializers.CharField(source="person.last_name")
    email = serializers.EmailField(source="person.email")
    organisation = serializers.CharField(
        source="person.organisation.name", default=None, allow_null=True
    )
    organisation_type = serializers.ChoiceField(
        source="person.organisation.type",
        choices=OrganisationType.choices,
        default=None,
        allow_null=True,
    )
    country = serializers.SerializerMethodField()
    waitlist_position = serializers.IntegerField(
        allow_null=True, read_only=True, help_text=_("1 is the next to be promoted.")
    )

    class Meta:
        model = Registration
        fields = [
            "id", "event", "status", "mode", "waitlist_position", "first_name", "last_name",
            "email", "organisation", "organisation_type", "country", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field({"type": "string", "nullable": True, "example": "BE"})
    def get_country(self, registration: Registration) -> str | None:
        organisation = registration.person.organisation
        return organisation.country.code if organisation and organisation.country else None


class AnswerSerializer(serializers.ModelSerializer):
    question_id = serializers.IntegerField()
    question = serializers.CharField(source="question.label")
    value = serializers.JSONField()

    class Meta:
        model = Answer
        fields = ["question_id", "question", "value"]


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["at", "actor_label", "action", "from_status", "to_status", "reason"]


class OrganiserRegistrationDetailSerializer(OrganiserRegistrationSerializer):
    job_title = serializers.CharField(source="person.job_title")
    invitation = serializers.CharField(source="invitation.code", default=None, allow_null=True)
    picks = PickSerializer(source="session_picks", many=True, read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)
    audit_entries = AuditEntrySerializer(many=True, read_only=True)

    class Meta(OrganiserRegistrationSerializer.Meta):
        fields = [
            *OrganiserRegistrationSerializer.Meta.fields,
            "job_title", "language", "accessibility_needs", "dietary_needs", "photo_consent",
            "participant_list_consent", "invitation", "picks", "answers", "audit_entries",
        ]  # fmt: skip

    SPECIAL_CATEGORY_PERMISSION = "registrations.view_special_category"

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.has_perm(self.SPECIAL_CATEGORY_PERMISSION):
            # Needs and sensitive answers are special-category data (docs/privacy.md): only
            # organisers given that permission read them, here as in the admin.
            data.pop("accessibility_needs", None)
            data.pop("dietary_needs", None)
            sensitive = {
                answer.question_id for answer in instance.answers.all() if answer.question.sensitive
            }
            data["answers"] = [a for a in data["answers"] if a["question_id"] not in sensitive]
        return data


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text=_("Kept in the registration's audit log."),
    )
