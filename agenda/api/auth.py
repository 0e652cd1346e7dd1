"""Organisers' scripts authenticate with ``Authorization: Token <key>``.

The key is looked up by its SHA-256 (the only form kept); an unknown, revoked or expired key, or
one whose user can no longer sign in, is refused with 401. ``request.user`` is the token's user
(so the user's permissions apply as ever) and ``request.auth`` the ``ApiToken``, which limits
the request to the token's events (``agenda.api.scope``).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from ..models import ApiToken
from ..selectors import active_api_token
from ..services import touch_api_token

KEYWORD = b"token"


class OrganiserTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give one token."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        token = active_api_token(token_hash=ApiToken.hash_token(key))
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("Unknown, revoked or expired token: ask for a new one in the admin.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user account is disabled."))
        touch_api_token(token=token)
        return (token.user, token)

    def authenticate_header(self, request) -> str:
        return "Token"


class OrganiserTokenScheme(OpenApiAuthenticationExtension):
    """Documents the organisers' token scheme in the API schema."""

    target_class = OrganiserTokenAuthentication
    name = "organiserToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(
                _(
                    "An organiser's API token, made in the admin for the events it may reach: "
                    "`Token <key>`. It acts with its user's permissions, at its events only."
                )
            ),
        }
