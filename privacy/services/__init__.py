"""Privacy: anonymising, erasing, keeping to retention periods, answering people's requests.

The rules for what anonymising a registration keeps and removes are in ``anonymise``; retention
(``retention``) and erasure (``erasure``) both apply them.
"""

from .anonymise import Counts, anonymise_registrations
from .erasure import check_erasable, erase_email, erase_person, holds_data
from .requests import (
    check_download,
    confirm_access,
    confirm_erasure,
    find_request,
    request_data,
    sweep_data_requests,
)
from .retention import anonymise_event, apply_retention, erase_special_category

__all__ = [
    "Counts",
    "anonymise_event",
    "anonymise_registrations",
    "apply_retention",
    "check_download",
    "check_erasable",
    "confirm_access",
    "confirm_erasure",
    "erase_email",
    "erase_person",
    "erase_special_category",
    "find_request",
    "holds_data",
    "request_data",
    "sweep_data_requests",
]
