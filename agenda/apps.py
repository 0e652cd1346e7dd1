from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = _("Events and agenda")

    def ready(self) -> None:
        from . import signals  # noqa: F401
