"""What every service uses: the refusal users see, the permission check, the validated save
and the task sent after the commit.
"""

import functools
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from ..checkers import text_problem
from ..models import User
from ..permissions import can


class DomainError(Exception):
    """A refused action; the message is user-facing (translated) and says why."""


def require_text(text: str, what: str, *, multiline: bool = True) -> str:
    """Free text a service is given (a reason, an opinion), stripped, through the core's
    checker (no control characters); refused when empty, saying which `what` is missing."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Give the %(what)s.") % {"what": what})
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise DomainError(problem)
    return text


def optional_text(text: str, *, multiline: bool = True) -> str:
    """Free text a service may be given, stripped, through the core's checker; may be empty."""
    text = (text or "").strip()
    problem = text and text_problem(text, multiline=multiline)
    if problem:
        raise DomainError(problem)
    return text


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


def _task_send(task_name: str, *args) -> None:
    from .. import tasks

    getattr(tasks, task_name).delay(*args)


def _enqueue_on_commit(task_name: str, *args) -> None:
    """Tasks are triggers only (docs/architecture.md): sent after the commit; if the broker is
    down the error is logged and the periodic sweep finds the pending work in the database.
    The callback is a partial of the task's name and arguments, so a test that captures the
    on-commit callbacks reads what would be sent; it carries _task_send's name, which Django
    logs when the callback fails (a bare partial has none, and the logging itself raised)."""
    send = functools.update_wrapper(functools.partial(_task_send, task_name, *args), _task_send)
    transaction.on_commit(send, robust=True)


def _rows_insert_new(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[object]],
    returning: Sequence[str],
) -> list[tuple]:
    """Inserts `rows` (values of `fields`, in that order) with one INSERT … ON CONFLICT DO
    NOTHING … RETURNING and returns the `returning` columns of the rows that went in: those a
    unique constraint refused (already there, or inserted by a concurrent transaction, which
    the insert waits for) are left out. bulk_create(ignore_conflicts=True) returns no ids, and
    reading the rows back by their unique key afterwards cannot tell this call's rows from a
    concurrent caller's: this is the guard that makes a notification go out exactly once.
    PostgreSQL and SQLite (3.35+) share the syntax. A value that is not a string, a number or
    None is prepared by its field (a moment, for SQLite's text storage); a value must be
    hashable."""
    if not rows:
        return []
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    plain = (str, int, float, bool, type(None))
    quote = connection.ops.quote_name
    placeholder = "({})".format(", ".join(["%s"] * len(columns)))
    sql = "INSERT INTO {} ({}) VALUES {} ON CONFLICT DO NOTHING RETURNING {}".format(
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in columns),
        ", ".join([placeholder] * len(rows)),
        ", ".join(quote(meta.get_field(name).column) for name in returning),
    )
    prepared: dict[tuple, object] = {}

    def prepare(field: models.Field, value: object) -> object:
        # Rows share their moments (a batch's `now`, a group's due moment): each is prepared
        # once.
        if isinstance(value, plain):
            return value
        if (field, value) not in prepared:
            prepared[(field, value)] = field.get_db_prep_save(value, connection)
        return prepared[(field, value)]

    params = [
        prepare(field, value) for row in rows for field, value in zip(columns, row, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
