"""Factories of the privacy app: data requests as the privacy page records them."""

from datetime import timedelta

import factory
from django.utils import timezone

from privacy.enums import RequestKind, RequestStatus
from privacy.models import DataRequest, token_hash


class DataRequestFactory(factory.django.DjangoModelFactory):
    """An access request awaiting confirmation; its link's token is ``data_request.token``."""

    class Meta:
        model = DataRequest
        skip_postgeneration_save = True

    kind = RequestKind.ACCESS
    status = RequestStatus.AWAITING
    email = factory.Sequence(lambda n: f"asker{n}@example.org")
    token = factory.Sequence(lambda n: f"request-token-{n:04d}")
    token_hash = factory.LazyAttribute(lambda request: token_hash(request.token))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda request: request.created_at + timedelta(days=7))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token = kwargs.pop("token")
        data_request = super()._create(model_class, *args, **kwargs)
        data_request.token = token
        return data_request
