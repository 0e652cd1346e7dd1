"""Factories of the webhooks app."""

import factory

from webhooks.enums import WebhookEventType
from webhooks.models import Webhook


class WebhookFactory(factory.django.DjangoModelFactory):
    """An active webhook for every event type; pass ``events=[...]`` or ``all_events=True``."""

    class Meta:
        model = Webhook
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"CRM {n}")
    target_url = "https://crm.example.org/hooks/"
    event_types = factory.LazyFunction(lambda: list(WebhookEventType.values))

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        if create and extracted:
            self.events.set(extracted)
