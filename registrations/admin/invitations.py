"""Invitations: issued one by one or imported from a CSV file of invitees."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from eventsite.exceptions import ApplicationError

from .. import imports
from ..models import Invitation
from .filters import RevokedFilter


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["code", "event", "email", "uses_display", "expires_at", "revoked", "link"]
    list_select_related = ["event"]
    list_filter = ["event", RevokedFilter]
    search_fields = ["code", "email", "note"]
    autocomplete_fields = ["event"]
    actions = ["revoke_selected"]
    fields = [
        "event",
        "code",
        "email",
        "note",
        "max_uses",
        "uses",
        "expires_at",
        "revoked_at",
        "link",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["code", "uses", "link", "created_by", "created_at"]

    @admin.display(description=_("uses"))
    def uses_display(self, invitation: Invitation) -> str:
        return f"{invitation.uses} / {invitation.max_uses}"

    @admin.display(description=_("revoked"), boolean=True, ordering="revoked_at")
    def revoked(self, invitation: Invitation) -> bool:
        return invitation.revoked_at is not None

    @admin.display(description=_("invitation link"))
    def link(self, invitation: Invitation) -> str:
        if invitation.pk is None:
            return "—"
        return format_html("<code>{}</code>", imports.invitation_link(invitation))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected invitations"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload, then a preview of every row with its errors, then the invitations made."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import invitees"),
            "subtitle": None,
            "stage": "upload",
        }
        upload = imports.InviteeUploadForm()
        if request.method == "POST" and "preview" in request.POST:
            confirm = imports.InviteeConfirmForm(request.POST)
            if confirm.is_valid():
                try:
                    preview = imports.unsign_preview(confirm.cleaned_data["preview"])
                except ApplicationError as error:
                    self.message_user(request, str(error.message), messages.ERROR)
                else:
                    invitations, refused = imports.import_invitees(
                        event=preview.event,
                        rows=preview.rows,
                        expires_at=preview.expires_at,
                        actor=request.user,
                    )
                    context.update(
                        stage="done",
                        event=preview.event,
                        links=[
                            (invitation, imports.invitation_link(invitation))
                            for invitation in invitations
                        ],
                        refused=refused,
                    )
        elif request.method == "POST":
            upload = imports.InviteeUploadForm(request.POST, request.FILES)
            if upload.is_valid():
                event = upload.cleaned_data["event"]
                try:
                    rows = imports.parse_invitee_csv(upload.cleaned_data["file"].read())
                except ApplicationError as error:
                    upload.add_error("file", str(error.message))
                else:
                    rows = imports.check_invitees(event=event, rows=rows)
                    valid = [row for row in rows if row.valid]
                    context.update(
                        stage="preview",
                        event=event,
                        expires_at=upload.cleaned_data["expires_at"],
                        rows=rows,
                        valid_count=len(valid),
                        invalid_count=len(rows) - len(valid),
                        confirm=imports.InviteeConfirmForm(
                            initial={
                                "preview": imports.sign_preview(
                                    event=event,
                                    expires_at=upload.cleaned_data["expires_at"],
                                    rows=valid,
                                )
                            }
                        ),
                    )
        context.update(form=upload, media=self.media + upload.media)
        return TemplateResponse(request, "admin/registrations/invitation/import.html", context)
