"""What lower apps' templates show of this app without importing it: links to the join page,
and the certificate and survey on the personal page once the event is over.

``{% load reports_links %}`` then ``{% join_url registration %}`` (absolute, for emails) or
``{% after_event registration %}`` (the personal page's panel).
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from registrations.enums import RegistrationStatus
from registrations.models import Registration

from ..certificates import check_certificate
from ..exceptions import CertificateNotAvailable
from ..models import SurveyResponse

register = template.Library()


@register.simple_tag
def join_url(registration: Registration) -> str:
    """The absolute address of the registration's join link, which notes when they join."""
    return settings.SITE_URL + reverse("reports:join", kwargs={"token": registration.token})


@register.inclusion_tag("reports/includes/after_event.html")
def after_event(registration: Registration) -> dict:
    """The certificate and the survey of a confirmed registration, once its event has ended.

    Before that, or for a registration that is not confirmed, nothing and no query.
    """
    now = timezone.now()
    event = registration.event
    if registration.status != RegistrationStatus.CONFIRMED or now < event.end:
        return {"show": False}
    try:
        check_certificate(registration=registration, now=now)
    except CertificateNotAvailable as error:
        attended, refusal = False, error
    else:
        attended, refusal = True, None
    response = (
        SurveyResponse.objects.select_related("survey__event")
        .filter(registration=registration, invited_at__isnull=False)
        .first()
    )
    return {
        "show": True,
        "registration": registration,
        "event": event,
        "attended": attended,
        "refusal": refusal,
        "response": response,
        "survey_open": response is not None and response.survey.is_open(now),
    }
