"""The dates of the flow steps of a decision (seed 004 一(二)3: 明确权力运行过程中各环节的办理时限和
人员; SPEC §11: a decision's recorded dates show whether each step kept its limit).

The steps are those of the item as it stood on the decision date (the published version the
decision cites, `Decision.item_history_id`), not as it stands today: a limit shortened later
does not make an earlier decision late. Working days are counted by core.calendar: the day a
step starts is not counted, the day it finishes is (working_days_between's (start, end]), so a
step started and finished on the same day used none, and a step of N working days finished on
the due day of add(start, N) kept its limit.
"""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from core import calendar
from core.choices import AuditAction
from core.models import User
from core.permissions import Action
from core.services import DomainError, audit_record, permission_require
from registry.models import MAX_STEP_LIMIT_DAYS, Entry

from ..models import Decision, FlowStepTime
from .procedure import today

StepDates = tuple[datetime.date | None, datetime.date | None]


def decision_flow(decision: Decision) -> list[dict]:
    """The flow steps of the item version the decision was made under, in order (empty when
    the item had no published version in force on that date)."""
    if decision.item_history_id is None:
        return []
    flow = (
        Entry.history.filter(history_id=decision.item_history_id)
        .values_list("flow", flat=True)
        .first()
    )
    return [row for row in flow or [] if isinstance(row, dict)]


def step_limit(row: dict) -> int | None:
    """A flow row's time limit in working days, None when the item states none."""
    limit = row.get("limit_days")
    if isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= MAX_STEP_LIMIT_DAYS:
        return limit
    return None


def _is_day(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _checked(flow: list[dict], dates: Sequence[StepDates]) -> list[tuple[int, dict, StepDates]]:
    if len(dates) != len(flow):
        raise DomainError(
            _("Give the dates of each of the %(count)s steps of the item's flow.")
            % {"count": len(flow)}
        )
    day = today()
    found = []
    for order, (row, given) in enumerate(zip(flow, dates, strict=True), start=1):
        started, finished = given
        name = row.get("step") or str(order)
        if started is None and finished is None:
            continue
        if not (_is_day(started) and _is_day(finished)):
            raise DomainError(
                _("Step %(order)s “%(step)s”: give both the day it started and the day it ended.")
                % {"order": order, "step": name}
            )
        if finished < started:
            raise DomainError(
                _("Step %(order)s “%(step)s” cannot end before it starts.")
                % {"order": order, "step": name}
            )
        if finished > day:
            raise DomainError(
                _("Step %(order)s “%(step)s”: a step cannot end in the future.")
                % {"order": order, "step": name}
            )
        found.append((order, row, (started, finished)))
    if not found:
        raise DomainError(_("Give the dates of at least one step."))
    return found


@transaction.atomic
def flow_step_times_record(
    *, actor: User, decision: Decision, dates: Sequence[StepDates]
) -> list[FlowStepTime]:
    """Seed 004 一(二)3 (各环节的办理时限和人员): records when each flow step of the decision's
    item (as it stood on the decision date) started and ended, the working days it used and
    whether it kept the step's time limit (`kept` None: the item states no limit for it).
    `dates` holds one (started_on, finished_on) pair per step in the flow's order; (None,
    None) for a step that did not take place. The department's clerks record it; a new record
    replaces the earlier one, and both are in the audit trail."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    permission_require(actor, Action.CHANGE, decision)
    flow = decision_flow(decision)
    if not flow:
        raise DomainError(
            _("The item as it stood on the decision date states no flow steps to record.")
        )
    steps = _checked(flow, dates)
    first = min(started for _order, _row, (started, _f) in steps)
    last = max(finished for _order, _row, (_s, finished) in steps)
    # One load of the calendar for every step (core.calendar.CalendarWindow).
    after = first + datetime.timedelta(days=1)
    window = calendar.CalendarWindow(after, max(last, after))
    rows = []
    for order, row, (started, finished) in steps:
        used = calendar.working_days_between(started, finished, window=window).days
        limit = step_limit(row)
        rows.append(
            FlowStepTime(
                decision=decision,
                order=order,
                step=str(row.get("step") or "")[:200],
                post=str(row.get("post") or "")[:100],
                limit_days=limit,
                started_on=started,
                finished_on=finished,
                days_used=used,
                kept=None if limit is None else used <= limit,
            )
        )
    earlier = list(
        FlowStepTime.objects.filter(decision=decision).values_list(
            "order", "started_on", "finished_on"
        )
    )
    FlowStepTime.objects.filter(decision=decision).delete()
    created = FlowStepTime.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=decision,
        jurisdiction=decision.jurisdiction,
        detail={
            "flow_step_times": [
                [row.order, row.started_on.isoformat(), row.finished_on.isoformat(), row.kept]
                for row in rows
            ],
            "replaced": [
                [order, started.isoformat(), finished.isoformat()]
                for order, started, finished in earlier
            ],
        },
    )
    return created
