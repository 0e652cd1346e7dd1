"""The network's membership rules.

The network is open to practitioners from EU Member States and EU institutions, relevant
international organisations, foundations, NGOs, think tanks, academic institutions, trade unions,
private sector networks (such as employers' associations), diaspora organisations and migrant
associations. Partner countries may be invited ad hoc but are not eligible for membership.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .enums import OrganisationType

EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
# Eligible wherever they are based.
ANYWHERE_TYPES = frozenset(
    {OrganisationType.EU_INSTITUTION, OrganisationType.INTERNATIONAL_ORGANISATION}
)
# Eligible when based in an EU Member State.
EU_BASED_TYPES = frozenset(
    {
        OrganisationType.NATIONAL_AUTHORITY,
        OrganisationType.NGO,
        OrganisationType.THINK_TANK_ACADEMIA,
        OrganisationType.TRADE_UNION,
        OrganisationType.EMPLOYERS_PRIVATE_SECTOR,
        OrganisationType.DIASPORA_ORGANISATION,
        OrganisationType.MIGRANT_ASSOCIATION,
        OrganisationType.FOUNDATION,
    }
)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str | Promise


def membership_eligibility(*, organisation_type: str, country: str) -> Eligibility:
    """Whether people of an organisation of this type and country may join as members."""
    if organisation_type in ANYWHERE_TYPES:
        return Eligibility(True, _("EU institutions and international organisations are eligible."))
    if organisation_type not in EU_BASED_TYPES:
        return Eligibility(
            False,
            _(
                "Membership is open to the organisation types listed by the network; "
                "“other” organisations can take part by invitation."
            ),
        )
    if str(country).upper() not in EU_MEMBER_STATES:
        return Eligibility(
            False,
            _(
                "Membership is open to organisations based in an EU Member State. Participants "
                "from partner countries are welcome by invitation but are not eligible for "
                "membership."
            ),
        )
    return Eligibility(True, _("Organisations of this type in an EU Member State are eligible."))
