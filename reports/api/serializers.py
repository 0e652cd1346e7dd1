from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..enums import ReportStatus


class ReportSerializer(serializers.Serializer):
    """An event's report: where its making stands, and its files once made."""

    event = serializers.SlugField(source="event.slug", help_text=_("The event's slug."))
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    stage = serializers.CharField(help_text=_("What the task is doing now, for people."))
    percent = serializers.IntegerField(min_value=0, max_value=100)
    attempt = serializers.IntegerField(
        help_text=_("Raised by every request; the files are those of the last attempt done.")
    )
    error = serializers.CharField(help_text=_("Why the last attempt failed; empty otherwise."))
    requested_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    pdf = serializers.SerializerMethodField(help_text=_("Address of the PDF; null until made."))
    xlsx = serializers.SerializerMethodField(
        help_text=_("Address of the workbook; null until made.")
    )

    def _file(self, report, kind: str) -> str | None:
        if not getattr(report, kind):
            return None
        url_of = self.context["file_url"]
        return url_of(report, kind)

    def get_pdf(self, report) -> str | None:
        return self._file(report, "pdf")

    def get_xlsx(self, report) -> str | None:
        return self._file(report, "xlsx")
