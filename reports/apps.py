from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.contrib import admin

        from agenda.demo.signals import demo_loaded

        from . import admin_report
        from .demo import add_sample_participation

        demo_loaded.connect(add_sample_participation, dispatch_uid="reports.demo_participation")
        # After the admin's autodiscovery (earlier in INSTALLED_APPS), so that the events' admin
        # is there to receive the report action.
        admin_report.register(admin.site)
