from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    EU_INSTITUTION = "eu_institution", _("EU institution")
    NATIONAL_AUTHORITY = "national_authority", _("National authority")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    NGO = "ngo", _("NGO")
    THINK_TANK_ACADEMIA = "think_tank_academia", _("Think tank or academia")
    TRADE_UNION = "trade_union", _("Trade union")
    EMPLOYERS_PRIVATE_SECTOR = (
        "employers_private_sector",
        _("Employers' association or private sector"),
    )
    DIASPORA_ORGANISATION = "diaspora_organisation", _("Diaspora organisation")
    MIGRANT_ASSOCIATION = "migrant_association", _("Migrant association")
    FOUNDATION = "foundation", _("Foundation")
    OTHER = "other", _("Other")
