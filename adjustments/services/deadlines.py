"""The deadline sweep (issue 4 §5): reminders and overdue notices from the stored due moments."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import calendar
from core.choices import DepartmentFunction, NotificationKind, Role
from core.models import User
from core.services import notification_send

from ..choices import (
    STEP_ROLE,
    NoticeKind,
    StepKind,
    Transition,
)
from ..models import (
    DeadlineNotice,
    RequestEvent,
    Step,
)
from .policy import _function_department, _supervisors_of, _users_of
from .procedure import K, _now, request_url

# --- the deadline sweep (issue 4 §5) -------------------------------------------------------------


@dataclass
class SweepResult:
    reminders: int = 0
    overdue: int = 0
    notifications: int = 0


_NOTICE_CONDITION = {
    NoticeKind.REMINDER: lambda now: Q(
        finished_at=None, reminded_at=None, remind_at__isnull=False, remind_at__lte=now
    ),
    NoticeKind.OVERDUE: lambda now: Q(
        finished_at=None, overdue_at=None, due_at__isnull=False, due_at__lt=now
    ),
}
_NOTICE_ORDER = {NoticeKind.REMINDER: "remind_at", NoticeKind.OVERDUE: "due_at"}
_NOTICE_MARK = {NoticeKind.REMINDER: "reminded_at", NoticeKind.OVERDUE: "overdue_at"}


def _notice_recipients(step: Step, kind: str) -> list[User]:
    people = list(_users_of(step.department, STEP_ROLE[step.kind]))
    if kind == NoticeKind.OVERDUE:
        # Escalation: the office whose request is held up, and the office and supervisors of
        # the late department's own jurisdiction (a city reviewer late on a district request
        # answers to the city).
        late = step.department.jurisdiction
        for jurisdiction in dict.fromkeys([step.request.jurisdiction, late]):
            office = _function_department(jurisdiction, DepartmentFunction.REFORM_OFFICE)
            if office is not None:
                people += list(_users_of(office, Role.OFFICE))
        people += _supervisors_of(late)
    return list({user.pk: user for user in people}.values())


@transaction.atomic
def deadline_notice_send(*, step_id: int, kind: str, now: datetime.datetime | None = None) -> int:
    """One step's reminder (seed 004's deadlines: one working day before due) or overdue
    notice (to the step's people, the office and the supervisors). The step is locked with
    skip_locked (another worker has it: skipped), its guard row (step, kind, due moment) is
    inserted first (present: already sent, nothing goes out again), then the notifications,
    the mark on the step and the event row commit together. Returns the recipients notified."""
    kind = NoticeKind(kind)
    now = now or _now()
    step = (
        Step.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("request", "request__jurisdiction", "department__jurisdiction")
        .filter(_NOTICE_CONDITION[kind](now), pk=step_id)
        .first()
    )
    if step is None:
        return 0
    mark = _NOTICE_MARK[kind]
    setattr(step, mark, now)
    step.save(update_fields=[mark])
    if kind == NoticeKind.REMINDER and step.due_at <= now:
        # The sweep did not run before the due moment: the overdue notice says it all.
        return 0
    try:
        with transaction.atomic():
            notice = DeadlineNotice.objects.create(step=step, kind=kind, due_at=step.due_at)
    except IntegrityError:
        return 0
    request = step.request
    due = date_format(step.due_at.astimezone(calendar.SHANGHAI), "Y-m-d")
    facts = {
        "step": StepKind(step.kind).label,
        "number": request.number,
        "summary": request.summary,
        "department": step.department,
        "due": due,
    }
    if kind == NoticeKind.REMINDER:
        subject = _("Due tomorrow: %(step)s of adjustment request %(number)s") % facts
        body = _("%(department)s: “%(step)s” of %(summary)s is due by the end of %(due)s.") % facts
        if step.kind == K.CONFIRM:
            # Seed 004 三(三)4–5: two moments, the confirmation's and the objection's.
            facts["confirm"] = date_format(
                step.confirm_due_at.astimezone(calendar.SHANGHAI), "Y-m-d"
            )
            body = (
                _(
                    "%(department)s: confirm the approval opinion of %(summary)s by the end of "
                    "%(confirm)s; an objection to it is on time until the end of %(due)s."
                )
                % facts
            )
        notification_kind = NotificationKind.DEADLINE_REMINDER
    else:
        subject = _("Overdue: %(step)s of adjustment request %(number)s") % facts
        body = (
            _("%(department)s did not finish “%(step)s” of %(summary)s by the end of %(due)s.")
            % facts
        )
        notification_kind = NotificationKind.DEADLINE_OVERDUE
    sent = notification_send(
        recipients=_notice_recipients(step, kind),
        kind=notification_kind,
        subject=subject,
        body=body,
        url=request_url(request),
        dedupe_key=f"adjustment-step:{step.pk}:{kind}:{step.due_at.isoformat()}",
    )
    notice.recipients = len(sent)
    notice.save(update_fields=["recipients"])
    RequestEvent.objects.create(
        request=request,
        step=step,
        at=now,
        transition=Transition.DEADLINE_REMINDER
        if kind == NoticeKind.REMINDER
        else Transition.DEADLINE_OVERDUE,
        from_state=request.state,
        to_state=request.state,
        detail={"due": step.due_at.isoformat(), "recipients": [n.recipient_id for n in sent]},
    )
    return len(sent)


def deadlines_sweep(*, now: datetime.datetime | None = None, batch: int = 200) -> SweepResult:
    """Issue 4 §5: the periodic sweep (Celery beat, config/celery.py). It reads only the steps
    whose reminder or due moment has come (partial indexes step_reminder_due and
    step_overdue_due), so its cost grows with the steps that change state, not with all open
    steps. Each step is its own transaction (deadline_notice_send): a crash halfway leaves the
    rest for the next run, and a second run or a second worker sends nothing twice."""
    now = now or _now()
    result = SweepResult()
    for kind in (NoticeKind.REMINDER, NoticeKind.OVERDUE):
        moment = _NOTICE_ORDER[kind]
        # A cursor on (moment, pk): a step skipped because another worker holds it is not
        # read again, and each batch's query stays the same size.
        after = Q()
        while True:
            rows = list(
                Step.objects.filter(_NOTICE_CONDITION[kind](now))
                .filter(after)
                .order_by(moment, "pk")
                .values_list(moment, "pk")[:batch]
            )
            if not rows:
                break
            last_moment, last_pk = rows[-1]
            after = Q(**{f"{moment}__gt": last_moment}) | Q(
                **{moment: last_moment, "pk__gt": last_pk}
            )
            for _moment, step_id in rows:
                sent = deadline_notice_send(step_id=step_id, kind=kind, now=now)
                result.notifications += sent
                if kind == NoticeKind.REMINDER:
                    result.reminders += 1 if sent else 0
                else:
                    result.overdue += 1 if sent else 0
    return result
