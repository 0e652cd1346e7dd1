"""Factories of the badges app: badges, scanner devices and check-ins."""

import factory
from django.utils import timezone

from badges.codes import new_code
from badges.models import Badge, CheckIn, Device

from .registrations import RegistrationFactory

DEVICE_TOKEN_PREFIX = "dev_test_"


class BadgeFactory(factory.django.DjangoModelFactory):
    """A valid attendee badge of a confirmed in-person registration."""

    class Meta:
        model = Badge

    registration = factory.SubFactory(RegistrationFactory)
    event = factory.SelfAttribute("registration.event")
    code = factory.LazyAttribute(lambda badge: new_code(event_id=badge.event.pk))


class DeviceFactory(factory.django.DjangoModelFactory):
    """A scanner device; its token is ``device.token`` (only the hash is stored)."""

    class Meta:
        model = Device
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Door phone {n}")
    token = factory.Sequence(lambda n: f"{DEVICE_TOKEN_PREFIX}{n:04d}")
    token_hash = factory.LazyAttribute(lambda device: Device.hash_token(device.token))
    token_hint = factory.LazyAttribute(lambda device: device.token[:8])

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        if create and extracted:
            self.events.set(extracted)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token = kwargs.pop("token")
        device = super()._create(model_class, *args, **kwargs)
        device.token = token
        return device


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    registration = factory.SubFactory(RegistrationFactory)
    event = factory.SelfAttribute("registration.event")
    at = factory.LazyFunction(timezone.now)
