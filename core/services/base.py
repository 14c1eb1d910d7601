"""What every service uses: the refusal users see, the permission check, the validated save
and the task sent after the commit.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from ..models import User
from ..permissions import can


class DomainError(Exception):
    """A refused action; the message is user-facing (translated) and says why."""


def _validated_save(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise DomainError("; ".join(error.messages)) from error
    obj.save()


def permission_require(
    actor: User | None, action: str, obj: models.Model | type[models.Model]
) -> None:
    """System work (seed data, migrations: actor None) is trusted; a person must be allowed by
    core.permissions for this very object (or, given a model class, for some row of it)."""
    if actor is None:
        return
    if not can(actor, action, obj):
        name = obj._meta.verbose_name if isinstance(obj, type) else obj
        raise DomainError(
            _("You may not change “%(object)s”: it is outside your responsibility.")
            % {"object": name}
        )


def _enqueue_on_commit(task_name: str, *args) -> None:
    """Tasks are triggers only (docs/architecture.md): sent after the commit; if the broker is
    down the error is logged and the periodic sweep finds the pending work in the database."""

    def send() -> None:
        from .. import tasks

        getattr(tasks, task_name).delay(*args)

    transaction.on_commit(send, robust=True)
