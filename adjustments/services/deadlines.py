"""The deadline sweep of adjustment steps (issue 4 §5): what is the procedure's own (who is
told, the texts, the event row); the sweep itself, in batches, is core's
(core.services.deadlines)."""

import datetime
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import calendar
from core.choices import DepartmentFunction, NoticeKind, Role
from core.models import Department, User
from core.services import (
    DeadlineNotices,
    Notice,
    NoticeText,
    SweepResult,
    deadline_notices_send,
    deadline_notices_sweep,
    jurisdiction_paths_up,
)

from ..choices import StepKind, Transition
from ..models import DeadlineNotice, RequestEvent, Step
from .procedure import K, _now, request_url


def _notice_recipients(steps: Sequence[Step], kind: NoticeKind) -> dict[int, list[User]]:
    """The step's people (its holders); an overdue notice escalates (seed 004: the office
    supervises the procedure) to the office whose request is held up and to the office and the
    nearest supervisors of the late department's own jurisdiction (a city reviewer late on a
    district request answers to the city). Four queries for any number of steps."""
    people = Step.holders_bulk(steps)
    if kind != NoticeKind.OVERDUE:
        return people
    places = {
        step.pk: list(dict.fromkeys([step.request.jurisdiction, step.department.jurisdiction]))
        for step in steps
    }
    jurisdictions = {place.pk: place for places_of in places.values() for place in places_of}
    # The office of a jurisdiction: its first reform office (policy.office_of).
    offices: dict[int, int] = {}
    for department in Department.objects.filter(
        jurisdiction__in=jurisdictions, function=DepartmentFunction.REFORM_OFFICE
    ).order_by("pk"):
        offices.setdefault(department.jurisdiction_id, department.pk)
    office_people: dict[int, list[User]] = {office: [] for office in offices.values()}
    for user in User.objects.filter(
        department__in=offices.values(), role=Role.OFFICE, is_active=True
    ).order_by("pk"):
        office_people[user.department_id].append(user)
    supervisors = _nearest_supervisors({step.department.jurisdiction for step in steps})
    found = {}
    for step in steps:
        everyone = list(people[step.pk])
        for place in places[step.pk]:
            everyone += office_people.get(offices.get(place.pk), [])
        everyone += supervisors[step.department.jurisdiction.pk]
        found[step.pk] = list({user.pk: user for user in everyone}.values())
    return found


def _nearest_supervisors(jurisdictions) -> dict[int, list[User]]:
    """policy.nearest_supervisors for many jurisdictions in one query: the supervisors of each, else
    of the nearest jurisdiction above it that has any."""
    paths = {place.pk: jurisdiction_paths_up(place) for place in jurisdictions}
    found = list(
        User.objects.filter(
            role=Role.SUPERVISOR,
            is_active=True,
            jurisdiction__path__in={path for above in paths.values() for path in above},
        )
        .select_related("jurisdiction")
        .order_by("pk")
    )
    nearest = {}
    for place, above in paths.items():
        # `above` lists the jurisdiction's own path first, then each one above it.
        for path in above:
            here = [user for user in found if user.jurisdiction.path == path]
            if here:
                nearest[place] = here
                break
        else:
            nearest[place] = []
    return nearest


def _notice_texts(steps: Sequence[Step], kind: NoticeKind) -> dict[int, NoticeText]:
    """The reminder ("due tomorrow"; a confirm step names both of its moments, seed 004
    三(三)4–5) or the overdue notice of each step, with the request's link."""
    window = None
    texts = {}
    for step in steps:
        request = step.request
        facts = {
            "step": StepKind(step.kind).label,
            "number": request.number,
            "summary": request.summary,
            "department": step.department,
            "due": date_format(step.due_at.astimezone(calendar.SHANGHAI), "Y-m-d"),
        }
        if kind == NoticeKind.OVERDUE:
            subject = _("Overdue: %(step)s of adjustment request %(number)s") % facts
            body = (
                _("%(department)s did not finish “%(step)s” of %(summary)s by the end of %(due)s.")
                % facts
            )
        elif step.kind == K.CONFIRM:
            # One calendar load for the batch's confirm steps, not one each.
            window = window or calendar.CalendarWindow(
                calendar.local_date(step.started_at), calendar.local_date(step.due_at)
            )
            confirm = step.confirm_due(window=window)
            facts["confirm"] = date_format(confirm.astimezone(calendar.SHANGHAI), "Y-m-d")
            subject = _("Due tomorrow: %(step)s of adjustment request %(number)s") % facts
            body = (
                _(
                    "%(department)s: confirm the approval opinion of %(summary)s by the end of "
                    "%(confirm)s; an objection to it is on time until the end of %(due)s."
                )
                % facts
            )
        else:
            subject = _("Due tomorrow: %(step)s of adjustment request %(number)s") % facts
            body = (
                _("%(department)s: “%(step)s” of %(summary)s is due by the end of %(due)s.") % facts
            )
        texts[step.pk] = NoticeText(subject, body, request_url(request))
    return texts


def _notice_events(notices: Sequence[Notice], now: datetime.datetime) -> None:
    """The request's log gets each notice (痕迹化管理): its due moment and the people told."""
    RequestEvent.objects.bulk_create(
        [
            RequestEvent(
                request=notice.step.request,
                step=notice.step,
                at=now,
                transition=Transition.DEADLINE_REMINDER
                if notice.kind == NoticeKind.REMINDER
                else Transition.DEADLINE_OVERDUE,
                from_state=notice.step.request.state,
                to_state=notice.step.request.state,
                detail={"due": notice.step.due_at.isoformat(), "recipients": notice.recipients},
            )
            for notice in notices
        ]
    )


DEADLINES = DeadlineNotices(
    steps=Step,
    guard=DeadlineNotice,
    key="adjustment-step",
    recipients=_notice_recipients,
    texts=_notice_texts,
    events=_notice_events,
    related=("request__jurisdiction", "department__jurisdiction"),
)


def deadline_notice_send(*, step_id: int, kind: str, now: datetime.datetime | None = None) -> int:
    """One step's reminder or overdue notice (core.services.deadline_notices_send for a batch
    of one). Returns the recipients notified."""
    return deadline_notices_send(
        notices=DEADLINES, kind=kind, step_ids=[step_id], now=now or _now()
    ).notifications


def deadlines_sweep(*, now: datetime.datetime | None = None, batch: int = 200) -> SweepResult:
    """Issue 4 §5: the periodic sweep of adjustment steps (Celery beat, config/celery.py):
    reminders one working day before due, overdue notices with escalation, each exactly once
    (core.services.deadline_notices_sweep: batches of `batch` due steps, each its own
    transaction; the partial indexes step_reminder_due and step_overdue_due)."""
    return deadline_notices_sweep(notices=DEADLINES, now=now or _now(), batch=batch)
