"""Organisers' API tokens: a factory, and ``api_token`` for tests that only need a key to send.

``api_token(user, events)`` issues a token through the service, as the admin does, and returns
the key to send as ``Authorization: Token <key>``. ``ApiTokenFactory`` makes the row directly,
with a known key in ``token.key`` (only its hash is stored).
"""

from collections.abc import Iterable

import factory

from agenda.models import ApiToken, Event
from agenda.services import issue_api_token

API_KEY_PREFIX = "test-api-key-"


def api_token(user, events: Iterable[Event] = (), *, all_events: bool = False, **options) -> str:
    """The key of a new token acting for ``user`` at ``events`` (or at all, with
    ``all_events``); ``options`` go to ``issue_api_token`` (``name``, ``expires_at``, …)."""
    options.setdefault("name", "Test script")
    _, key = issue_api_token(user=user, events=list(events), all_events=all_events, **options)
    return key


def token_header(key: str) -> dict[str, str]:
    """The header of a request made with this key, for ``client.get(..., headers=...)``."""
    return {"authorization": f"Token {key}"}


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A valid token for ``user``; its key is ``token.key``. Pass ``events=[...]`` or
    ``all_events=True`` for it to reach anything."""

    class Meta:
        model = ApiToken
        skip_postgeneration_save = True

    user = None  # required: the organiser the token acts for
    name = factory.Sequence(lambda n: f"Script {n}")
    key = factory.Sequence(lambda n: f"{API_KEY_PREFIX}{n:04d}")
    token_hash = factory.LazyAttribute(lambda token: ApiToken.hash_token(token.key))
    token_hint = factory.LazyAttribute(lambda token: token.key[:6])

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        if create and extracted:
            self.events.set(extracted)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        key = kwargs.pop("key")
        token = super()._create(model_class, *args, **kwargs)
        token.key = key
        return token
