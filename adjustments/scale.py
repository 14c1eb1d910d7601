"""The adjustments' part of a generated province (core.scale, issue 11 §1): requests at the
steps of seed 004's procedure, with their open steps spread over the days before and after now,
due moments computed by the calendar, and the sweep's marks on those already past (as the
deadline sweep would have left them), so that a sweep on the generated data finds only what a
benchmark makes due."""

import datetime
import json

from core import calendar
from core.scale import Run, indexes_deferred, next_ids

from .choices import AdjustmentPath, RequestOrigin, RequestState, StepKind, TriggerKind
from .models import AdjustmentPolicy

# A request's state and the open steps it holds: (kind, period in working days, acting
# department: "applicant", "office" or "reviewer"). Their mix gives two open steps a request.
STATES = (
    (RequestState.DRAFTING, 15, [(StepKind.APPLY, 10, "applicant")]),
    (RequestState.SUBMITTED, 15, [(StepKind.FORWARD, 2, "office")]),
    (RequestState.REVIEWING, 52, [(StepKind.REVIEW, 5, "reviewer")] * 3),
    (RequestState.APPROVING, 10, [(StepKind.APPROVE, 2, "office")]),
    (RequestState.CONFIRMING, 10, [(StepKind.CONFIRM, 2, "applicant")]),
)
SUBJECTS = ("承诺时限压缩", "实施依据调整", "承办机构调整", "办理流程优化", "事项取消", "事项下放")

REQUEST_COLUMNS = (
    "id",
    "number",
    "origin",
    "trigger",
    "event_date",
    "summary",
    "reason",
    "path",
    "policy",
    "state",
    "resume_state",
    "created_at",
    "submitted_at",
    "published_at",
    "closed_at",
    "created_by_id",
    "department_id",
    "jurisdiction_id",
    "law_id",
)
STEP_COLUMNS = (
    "request_id",
    "kind",
    "department_id",
    "started_at",
    "deadline_days",
    "deadline_unit",
    "due_at",
    "due_confirmed",
    "calendar_revision",
    "remind_at",
    "reminded_at",
    "overdue_at",
    "finished_at",
    "round",
    "primary",
    "outcome",
    "opinion",
    "detail",
    "finished_by_id",
)


def scale_generate(run: Run) -> None:
    rng = run.random("adjustments")
    preset = run.preset
    departments = run.made["departments"]
    users = run.made["users"]
    offices, reviewers = {}, {}
    for department in departments:
        if department.function == "reform_office":
            offices[department.jurisdiction.id] = department
        elif department.function == "lead_reviewer":
            reviewers.setdefault(department.jurisdiction.id, []).append(department)
    applicants = [
        d for d in departments if d.function == "general" and d.jurisdiction.id in offices
    ]
    policy = json.dumps(AdjustmentPolicy().snapshot())
    now = run.now
    window = calendar.CalendarWindow(
        calendar.local_date(now) - datetime.timedelta(days=40),
        calendar.local_date(now) + datetime.timedelta(days=60),
    )
    deadlines: dict[tuple[datetime.date, int], calendar.Deadline] = {}
    first_request = next_ids("adjustments_adjustmentrequest", preset.requests)
    sequences: dict[tuple[int, int], int] = {}
    requests, steps = [], []
    weights = [weight for _state, weight, _steps in STATES]
    for offset in range(preset.requests):
        request_id = first_request + offset
        department = rng.choice(applicants)
        jurisdiction = department.jurisdiction
        state, _weight, open_steps = rng.choices(STATES, weights)[0]
        started = now - datetime.timedelta(minutes=rng.randrange(14 * 24 * 60))
        year = calendar.local_date(started).year
        number = sequences[(jurisdiction.id, year)] = sequences.get((jurisdiction.id, year), 0) + 1
        requests.append(
            (
                request_id,
                f"TZ{year}-{jurisdiction.code}-{number:04d}",
                RequestOrigin.DEPARTMENT,
                TriggerKind.INTERNAL,
                calendar.local_date(started) - datetime.timedelta(days=3),
                f"{department.name}{rng.choice(SUBJECTS)}",
                "",
                AdjustmentPath.STANDARD,
                policy,
                state,
                "",
                started,
                None if state == RequestState.DRAFTING else started,
                None,
                None,
                users[department.id][0],
                department.id,
                jurisdiction.id,
                None,
            )
        )
        acting_reviewers = rng.sample(reviewers[jurisdiction.id], 3)
        for position, (kind, days, who) in enumerate(open_steps):
            if len(steps) >= preset.open_steps:
                break
            acting = {
                "applicant": department,
                "office": offices[jurisdiction.id],
                "reviewer": acting_reviewers[position % 3],
            }[who]
            key = (calendar.local_date(started), days)
            if key not in deadlines:
                deadlines[key] = calendar.add(started, days, window=window)
            deadline = deadlines[key]
            remind_at = calendar.reminder_moment(deadline.due, window=window)
            steps.append(
                (
                    request_id,
                    kind,
                    acting.id,
                    started,
                    days,
                    "working",
                    deadline.due,
                    deadline.confirmed,
                    deadline.calendar_version,
                    remind_at,
                    remind_at if remind_at <= now else None,
                    now if deadline.due < now else None,
                    None,
                    1,
                    kind == StepKind.REVIEW and position == 0,
                    "",
                    "",
                    "{}",
                    None,
                )
            )
    with indexes_deferred(run, "adjustments_adjustmentrequest", "adjustments_step"):
        run.copy("adjustments_adjustmentrequest", REQUEST_COLUMNS, requests, "requests")
        run.copy("adjustments_step", STEP_COLUMNS, steps, "open steps")
    run.copy(
        "adjustments_requestsequence",
        ("jurisdiction_id", "year", "last"),
        [(jurisdiction, year, last) for (jurisdiction, year), last in sequences.items()],
        "request numbers",
    )
    run.made.update(requests=len(requests), open_steps=len(steps))
