"""Subscribers to the register of actions.

Higher apps (docket, payments, programs) react to recorded docket entries —
open the deadlines a rule attaches to an event code, assess the fee the schedule
attaches to it — without `cases` importing them. They subscribe in their
AppConfig.ready(); handlers run synchronously, inside the transaction that
records the entry, so a failing handler rolls the whole act back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import DocketEntry

Handler = Callable[["DocketEntry"], None]
ANY_EVENT = "*"

_subscribers: dict[str, dict[str, Handler]] = defaultdict(dict)


def subscribe(event_code: str, name: str, handler: Handler) -> None:
    """Call `handler(entry)` for every entry recorded with `event_code` (or "*" for all).

    `name` identifies the subscription, so subscribing twice (a second ready()) replaces it.
    """
    _subscribers[event_code][name] = handler


def unsubscribe(event_code: str, name: str) -> None:
    _subscribers[event_code].pop(name, None)


def dispatch(entry: DocketEntry) -> None:
    for code in (entry.event_code, ANY_EVENT):
        for handler in list(_subscribers.get(code, {}).values()):
            handler(entry)
