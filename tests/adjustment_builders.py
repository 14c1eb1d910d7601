"""Builds adjustment requests through the services, as the product itself would: a published
entry of the city's salt bureau, a clerk's draft of it, a request proposing the draft, and
helpers that walk a request through its steps as the right people."""

import datetime

from adjustments import services
from adjustments.choices import ReviewConclusion, TriggerKind
from adjustments.models import AdjustmentRequest, Step
from core.choices import Role
from registry import services as registry_services
from tests import registry_builders
from tests.builders import Org

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in Shanghai time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> datetime.datetime:
    """The due moment of a period ending on that day (its close, Shanghai time)."""
    return datetime.datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SHANGHAI)


def published_entry(org: Org, *, district: bool = False, **overrides):
    departments = org.district_departments if district else org.departments
    return registry_builders.publish(departments["salt"], **overrides)


def draft_of(entry, clerk, **changes):
    """A clerk's draft of a published entry with `changes` applied."""
    draft = registry_services.draft_create(actor=clerk, entry=entry)
    if changes:
        payload = {**draft.payload, **changes}
        draft = registry_services.draft_save(actor=clerk, draft=draft, payload=payload)
    return draft


def users(org: Org, *, district: bool = False) -> dict[str, object]:
    return org.district_users if district else org.users


def request_for(
    org: Org,
    *,
    district: bool = False,
    event_date: datetime.date,
    trigger: str = TriggerKind.INTERNAL,
    law=None,
    summary: str = "调整食盐批发许可的承诺时限",
    entry=None,
    **changes,
) -> AdjustmentRequest:
    """A request of the salt bureau proposing one modified entry (made here if not given)."""
    people = users(org, district=district)
    clerk = people[Role.CLERK]
    entry = entry or published_entry(org, district=district)
    draft = draft_of(entry, clerk, **(changes or {"promised_limit_days": 5}))
    return services.adjustment_create(
        actor=clerk,
        trigger=trigger,
        event_date=event_date,
        summary=summary,
        reason="流程优化，缩短承诺时限。",
        law=law,
        drafts=[draft],
    )


def open_step(request: AdjustmentRequest, kind: str) -> Step:
    return Step.objects.get(request=request, kind=kind, finished_at=None)


def walk_to_review(org: Org, request, *, reviewers=("legal",), district=False):
    people = users(org, district=district)
    departments = org.district_departments if district else org.departments
    request = services.adjustment_submit(actor=people[Role.CLERK], request=request)
    return services.adjustment_forward(
        actor=people[Role.OFFICE],
        request=request,
        reviewers=[departments[key] for key in reviewers],
        opinion="请法制办审核。",
    )


def walk_to_publication(org: Org, request, *, district=False):
    """From review to published, each step by its own actor (one lead reviewer, 法制办)."""
    people = users(org, district=district)
    request = services.adjustment_review(
        actor=people[Role.REVIEWER],
        request=request,
        conclusion=ReviewConclusion.AGREE,
        opinion="依据充分，同意调整。",
    )
    request = services.adjustment_approve(
        actor=people[Role.OFFICE], request=request, opinion="同意调整。"
    )
    request = services.adjustment_confirm(actor=people[Role.CLERK], request=request)
    request = services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)
    return services.adjustment_publish(actor=people[Role.DIGITAL], request=request)


def numbered_entry(org: Org, number: int, *, district: bool = False, **overrides):
    """A published entry of the salt bureau with its own basic code (one department cannot
    publish two entries with the same code)."""
    overrides.setdefault("name", f"食盐经营许可{number}")
    return published_entry(org, district=district, basic_code=f"07{number:05d}000", **overrides)


def staff_user(org: Org, *, username: str, role: str, department, email: str = ""):
    """One more user, e.g. the reviewer of a second lead review department."""
    from core import services as core_services

    return core_services.user_create(
        actor=None,
        username=username,
        password=None,
        role=role,
        jurisdiction=department.jurisdiction,
        department=department,
        email=email or f"{username}@example.invalid",
    )


def walk_to_approving(org: Org, request, *, reviewers=("legal",), district=False):
    """Submitted, forwarded to 法制办 and reviewed: the office's approval opinion is due."""
    people = users(org, district=district)
    request = walk_to_review(org, request, reviewers=reviewers, district=district)
    return services.adjustment_review(
        actor=people[Role.REVIEWER],
        request=request,
        conclusion=ReviewConclusion.AGREE,
        opinion="依据充分，同意调整。",
    )
