"""Each role's work queue (issue 4 §7): what waits on a user, gathered from every workflow app.

core knows no workflow app (they depend on core, never the other way round), so each app
registers a provider in its AppConfig.ready(); the home page asks `items_for(user)`. A provider
reads through its app's selectors, which scope to what the user may see."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting on the user: what to do, about what, by when, and where to do it."""

    action: str
    subject: str
    reference: str
    url: str
    started_at: datetime.datetime
    due_at: datetime.datetime | None = None
    due_confirmed: bool = True
    # Days the period ran, and its unit, for the deadline's explanation; 0 when it has none.
    deadline_days: int = 0
    deadline_unit: str = ""
    clock_stopped: bool = False
    # Whose request or case it is (the applying department), for the office's queue.
    department: str = ""

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()


Provider = Callable[[object], list[WorkItem]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def items_for(user) -> list[WorkItem]:
    """Everything waiting on `user`, soonest due first; items without a due moment last."""
    items = [item for provider in _PROVIDERS for item in provider(user)]
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(items, key=lambda item: (item.due_at or far, item.started_at))
