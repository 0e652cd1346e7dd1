"""What a webhook's target address may be: https on the public internet (docs/webhooks.md).

Checked when organisers save a webhook (a clear error beside the field) and again before every
delivery, where the host's resolved addresses are checked too (``sending.resolve``).
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def http_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP", False))


def private_networks_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False))


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local (cloud metadata), multicast and reserved ones."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def validate_target_url(url: str) -> None:
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if http_allowed() else ("https",)
    if parts.scheme not in allowed_schemes:
        raise ValidationError(
            _("The address must start with https://."), code="webhook_scheme_not_allowed"
        )
    if not parts.hostname:
        raise ValidationError(_("The address has no host name."), code="webhook_no_host")
    if parts.username or parts.password:
        raise ValidationError(
            _("Put no user name or password in the address; the signature proves the sender."),
            code="webhook_credentials_in_url",
        )
    if private_networks_allowed():
        return
    host = parts.hostname
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise ValidationError(
            _("The address must be reachable on the public internet."),
            code="webhook_private_address",
        )
    try:
        public = is_public_address(host)
    except ValueError:
        return  # a name: resolved and checked before every delivery
    if not public:
        raise ValidationError(
            _("The address must be reachable on the public internet."),
            code="webhook_private_address",
        )
