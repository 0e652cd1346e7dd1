from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsiteConfig(AppConfig):
    name = "eventsite"
    verbose_name = _("Site")
