"""The organisers' admin for registrations, invitations, questions and the outbox."""

from . import invitations, outbox, people, registering, registrations

__all__ = ["invitations", "outbox", "people", "registering", "registrations"]
