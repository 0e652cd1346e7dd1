from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from agenda.demo.signals import demo_loaded

        from . import signals
        from .demo import add_sample_privacy_notice

        signals.connect()
        demo_loaded.connect(add_sample_privacy_notice, dispatch_uid="registrations.demo_notice")
