"""The organisers' admin for registrations, invitations, questions and the outbox."""

from . import invitations, outbox, registering, registrations

__all__ = ["invitations", "outbox", "registering", "registrations"]
