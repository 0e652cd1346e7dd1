"""Scanner devices authenticate with ``Authorization: Device <token>``.

The token is looked up by its SHA-256 (the only form kept); a revoked or unknown token is
refused with 401. A device is not a user: ``request.user`` stays anonymous and ``request.auth``
is the ``Device``.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from ..models import Device
from ..selectors import active_device
from ..services import touch_device

KEYWORD = b"device"


class DeviceTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid device header: give one token."))
        try:
            token = parts[1].decode("ascii")
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid device token.")) from error
        device = active_device(token_hash=Device.hash_token(token))
        if device is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked device token."))
        touch_device(device=device)
        return (AnonymousUser(), device)

    def authenticate_header(self, request) -> str:
        return "Device"


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """Documents the device scheme in the API schema."""

    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("A scanner device's token, made in the admin: `Device <token>`.")),
        }
