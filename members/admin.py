from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .enums import OrganisationType
from .models import Organisation, Person


class OrganisationTypeFilter(admin.SimpleListFilter):
    """Filters anything with an ``organisation`` by the type of that organisation."""

    title = _("organisation type")
    parameter_name = "organisation_type"

    def lookups(self, request, model_admin):
        return OrganisationType.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(organisation__type=self.value())
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "country", "people_count"]
    list_filter = ["type", "country"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_count=Count("people"))

    @admin.display(description=_("people"), ordering="people_count")
    def people_count(self, organisation: Organisation) -> int:
        return organisation.people_count


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "organisation", "job_title", "country"]
    list_display_links = ["last_name", "first_name"]
    list_select_related = ["organisation"]
    list_filter = [OrganisationTypeFilter, "country"]
    search_fields = ["first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]
    fields = [
        "first_name",
        "last_name",
        "email",
        "organisation",
        "job_title",
        "country",
        "user",
        "created_at",
    ]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Linking an account is for whoever manages accounts; organisers cannot see users.
        if not request.user.has_perm("auth.change_user"):
            fields.append("user")
        return fields
