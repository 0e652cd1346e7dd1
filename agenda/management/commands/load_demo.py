from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from agenda.demo.loader import (
    ORGANISER_PASSWORD,
    ORGANISER_USERNAME,
    ORGANISERS_GROUP,
    load_demo,
)


class Command(BaseCommand):
    help = (
        "Loads the network's events as demo data, with an organiser login. Creates only what is "
        "missing: running it again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even in production mode, although the organiser's password is public.",
        )

    def handle(self, *args, allow_production: bool = False, **options) -> None:
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                _(
                    "Refusing to load the demo in production: it creates the staff user "
                    "“%(username)s” with a publicly known password. Pass --allow-production if "
                    "you really want this."
                )
                % {"username": ORGANISER_USERNAME}
            )
        report = load_demo()

        if not report.changed:
            self.stdout.write(_("Demo data already loaded: nothing changed."))
        if report.created:
            created = ", ".join(f"{count} {name}" for name, count in sorted(report.created.items()))
            self.stdout.write(_("Demo data loaded: created %(created)s.") % {"created": created})
        if report.files_written:
            self.stdout.write(
                _("Wrote %(count)d demo files under %(root)s.")
                % {"count": report.files_written, "root": settings.MEDIA_ROOT}
            )
        if report.moved_upcoming_to:
            self.stdout.write(
                _("The upcoming demo event's registration had closed; it now starts on %(day)s.")
                % {"day": report.moved_upcoming_to.isoformat()}
            )
        if report.group_created:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "The group “%(group)s” did not exist, so it was created without "
                        "permissions: give it its permissions in the admin as a superuser."
                    )
                    % {"group": ORGANISERS_GROUP}
                )
            )
        for conflict in report.speaker_conflicts:
            self.stdout.write(
                self.style.WARNING(
                    _("Speaker in two sessions at once: %(conflict)s") % {"conflict": conflict}
                )
            )

        admin_url = f"{settings.SITE_URL}{reverse('admin:index')}"
        self.stdout.write("")
        self.stdout.write(_("Site: %(url)s/") % {"url": settings.SITE_URL})
        if report.organiser_has_demo_password:
            login = _("Organiser login: %(username)s / %(password)s at %(url)s") % {
                "username": ORGANISER_USERNAME,
                "password": ORGANISER_PASSWORD,
                "url": admin_url,
            }
        else:
            login = _(
                "Organiser login: %(username)s at %(url)s (its password was changed and is kept)"
            ) % {"username": ORGANISER_USERNAME, "url": admin_url}
        self.stdout.write(self.style.SUCCESS(login))
