"""The privacy page (the network's notice and the form for data requests) and the pages that a
request's emailed link opens: the copy to download, or the erasure to confirm.

They parse, call ``services`` and present. Pages reached by a request's link carry the same
headers as a registration's personal page (``registrations.views.private``).
"""

import hashlib
import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agenda.markdown import render_markdown
from eventsite.exceptions import ApplicationError
from registrations import ratelimit
from registrations.enums import ACTIVE_STATUSES
from registrations.models import PrivacyNotice, Registration
from registrations.views import private

from . import services
from .enums import RequestKind, RequestStatus
from .export import export_person, render_export_html
from .forms import DataRequestForm
from .models import DataRequest


def _rates() -> tuple[tuple[int, int], tuple[int, int]]:
    """((requests, per seconds) from one client, (requests, per seconds) about one address)."""
    per_client = tuple(getattr(settings, "PRIVACY_REQUEST_RATE", (5, 3600)))
    per_address = tuple(getattr(settings, "PRIVACY_REQUEST_ADDRESS_RATE", (3, 24 * 3600)))
    return per_client, per_address


def _network_notice() -> PrivacyNotice | None:
    return PrivacyNotice.objects.filter(event__isnull=True).order_by("-published_at").first()


def _render_index(
    request: HttpRequest,
    form: DataRequestForm,
    *,
    status: int = 200,
    alert: str = "",
    retry_after: int | None = None,
) -> HttpResponse:
    notice = _network_notice()
    response = render(
        request,
        "privacy/index.html",
        {
            "form": form,
            "notice": notice,
            "notice_html": render_markdown(notice.text) if notice else "",
            "alert": alert,
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """GET shows the network's privacy notice and the request form; POST records a request.

    The answer to a POST is the same whether the address is known or not. Too many requests
    from one client answer 429 and keep the form; too many about one address are answered as
    usual but send nothing more, so nobody can flood someone's mailbox from here.
    """
    if request.method == "GET":
        return _render_index(request, DataRequestForm())
    (client_limit, client_period), (address_limit, address_period) = _rates()
    retry_after = ratelimit.hit(
        f"privacy:{ratelimit.client_ip(request)}", limit=client_limit, period=client_period
    )
    form = DataRequestForm(request.POST)
    if retry_after is not None:
        return _render_index(
            request,
            form,
            status=429,
            retry_after=retry_after,
            alert=_(
                "This form was sent too many times from your connection. Please wait "
                "%(minutes)s minutes and send it again."
            )
            % {"minutes": max(1, retry_after // 60)},
        )
    if form.is_trapped:
        return render(request, "privacy/sent.html")
    if not form.is_valid():
        return _render_index(request, form, status=400)
    email = form.cleaned_data["email"].strip().lower()
    # The cache sees a digest of the address, never the address.
    address_key = hashlib.sha256(email.encode()).hexdigest()[:32]
    if (
        ratelimit.hit(f"privacy-address:{address_key}", limit=address_limit, period=address_period)
        is None
    ):
        services.request_data(
            email=email,
            kind=form.cleaned_data["kind"],
            language=get_language() or settings.LANGUAGE_CODE,
        )
    return render(request, "privacy/sent.html")


def _request_or_404(token: str) -> DataRequest:
    data_request = services.find_request(token=token)
    if data_request is None:
        raise Http404
    return data_request


def _closed(request: HttpRequest, data_request: DataRequest, message: str = "") -> HttpResponse:
    return render(
        request,
        "privacy/closed.html",
        {"data_request": data_request, "message": message},
        status=410,
    )


@private
@require_http_methods(["GET", "POST"])
def request_page(request: HttpRequest, token: str) -> HttpResponse:
    data_request = _request_or_404(token)
    if data_request.kind == RequestKind.ACCESS:
        return _access(request, data_request, token)
    return _erasure(request, data_request)


def _access(request: HttpRequest, data_request: DataRequest, token: str) -> HttpResponse:
    try:
        data_request = services.confirm_access(data_request=data_request)
    except ApplicationError as error:
        return _closed(request, data_request, str(error.message))
    data = export_person(person=data_request.person, email=data_request.email)
    return render(
        request,
        "privacy/access.html",
        {"data_request": data_request, "data": data, "token": token},
    )


def _erasure(request: HttpRequest, data_request: DataRequest) -> HttpResponse:
    if data_request.status == RequestStatus.DONE:
        return render(request, "privacy/erased.html", {"data_request": data_request})
    if data_request.status != RequestStatus.AWAITING or data_request.is_expired():
        return _closed(request, data_request)
    error_message, status = "", 200
    if request.method == "POST":
        try:
            services.confirm_erasure(data_request=data_request)
        except ApplicationError as error:
            error_message, status = str(error.message), error.status
        else:
            return render(request, "privacy/erased.html", {"data_request": data_request})
    now = timezone.now()
    registrations = list(
        Registration.objects.filter(person__email=data_request.email)
        .select_related("event")
        .order_by("event__start", "pk")
    )
    upcoming = [r for r in registrations if r.status in ACTIVE_STATUSES and r.event.end > now]
    return render(
        request,
        "privacy/erase.html",
        {
            "data_request": data_request,
            "registrations": registrations,
            "upcoming": upcoming,
            "error": error_message,
        },
        status=status,
    )


@private
@require_GET
def download(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """The copy of a confirmed access request, as JSON or as a page to keep."""
    data_request = _request_or_404(token)
    try:
        services.check_download(data_request=data_request)
    except ApplicationError as error:
        return _closed(request, data_request, str(error.message))
    data = export_person(person=data_request.person, email=data_request.email)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    else:
        response = HttpResponse(render_export_html(data), content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.html"'
    return response
