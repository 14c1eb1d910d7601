"""Changes of law start clocks (issue 4 §6, issue 9 §9; seed 004 三(二)2)."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.choices import AuditAction
from core.models import Department, User
from core.services import audit_record
from registry.choices import EntryStatus, LawStatus
from registry.models import Entry, Law

from ..choices import (
    FINAL_STATES,
    RequestOrigin,
    TriggerKind,
)
from ..models import AdjustmentRequest
from .procedure import _now
from .requests import adjustment_create

# --- changes of law start clocks (issue 4 §6) ----------------------------------------------------


@transaction.atomic
def obligations_open(
    *, actor: User | None, law: Law, on: datetime.date, entries: list[Entry] | None = None
) -> list[AdjustmentRequest]:
    """Seed 004 三(二)2 ("所依据的法律、法规、规章等修改或者废止的") and 三(三)1: when a law is
    amended or repealed, every department whose in-force entries cite it must apply for an
    adjustment within the application period from that date. Each such department gets a
    request opened by the system (origin law_change) listing the entries concerned, with its
    apply step running: it shows in the department's work queue and the deadline sweep
    escalates it if nobody applies. A department that already has an open one for this law
    and date gets the entries added to it instead.

    `entries` (issue 9 §9): entries found resting on the law after it was repealed (loaded
    later, or found by obligations_sweep). `on` is then the day they were found, from which the
    period runs; entries some law-change request of this law already lists (open, or closed:
    the department adjusted them or said why not) are left alone, and an open request of this
    law of any date takes the others."""
    cited = (
        Entry.objects.filter(citations__law=law, status=EntryStatus.IN_FORCE)
        .select_related("department", "department__jurisdiction")
        .distinct()
        .order_by("department_id", "pk")
    )
    if entries is not None:
        cited = cited.filter(pk__in=[entry.pk for entry in entries]).exclude(
            adjustment_obligations__law=law,
            adjustment_obligations__origin=RequestOrigin.LAW_CHANGE,
        )
    by_department: dict[int, list[Entry]] = {}
    departments: dict[int, Department] = {}
    for entry in cited:
        by_department.setdefault(entry.department_id, []).append(entry)
        departments[entry.department_id] = entry.department
    status_label = LawStatus(law.status).label
    changed_on = (law.status_date or on).isoformat()
    opened = []
    for department_id, entries in by_department.items():
        existing = (
            AdjustmentRequest.objects.select_for_update()
            .filter(department_id=department_id, law=law, origin=RequestOrigin.LAW_CHANGE)
            .filter(Q() if entries is not None else Q(event_date=on))
            .exclude(state__in=FINAL_STATES)
            .order_by("pk")
            .first()
        )
        if existing is not None:
            existing.affected_entries.add(*entries)
            continue
        request = adjustment_create(
            actor=None,
            department=departments[department_id],
            trigger=TriggerKind.LAW_CHANGED,
            event_date=on,
            summary=_("《%(law)s》 %(status)s on %(date)s: check the entries citing it")
            % {"law": law.name, "status": status_label, "date": changed_on},
            reason=_(
                "The law register records 《%(law)s》 as %(status)s on %(date)s. Review the "
                "entries below and apply for their adjustment, or withdraw this request "
                "stating why none is needed."
            )
            % {"law": law.name, "status": status_label, "date": changed_on},
            law=law,
            origin=RequestOrigin.LAW_CHANGE,
        )
        request.affected_entries.add(*entries)
        opened.append(request)
    if opened or by_department:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=law,
            detail={"obligations": [r.number for r in opened], "departments": list(by_department)},
        )
    return opened


def obligations_sweep(*, actor: User | None = None) -> list[AdjustmentRequest]:
    """Issue 9 §9: a repealed basis is never silent. Finds the entries in force resting on a
    repealed law that no law-change request of that law lists (loaded with a past date, or
    before this sweep existed) and opens their obligations from today, law by law (each
    obligations_open is its own transaction). Daily (config/celery.py); a second run opens
    nothing."""
    today = timezone.localdate(_now(), timezone=calendar.SHANGHAI)
    opened = []
    for law in Law.objects.filter(status=LawStatus.REPEALED).order_by("pk"):
        uncovered = list(
            Entry.objects.filter(citations__law=law, status=EntryStatus.IN_FORCE)
            .exclude(
                adjustment_obligations__law=law,
                adjustment_obligations__origin=RequestOrigin.LAW_CHANGE,
            )
            .distinct()
        )
        if uncovered:
            opened += obligations_open(actor=actor, law=law, on=today, entries=uncovered)
    return opened
