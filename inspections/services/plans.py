"""Plans, their teams and the double-random draw (双随机, SPEC §6; seed 002 联合督查办法 第二条,
第五条; 国办发〔2015〕58号).

The draw is auditable by anyone: `draw_commit` publishes the pools as they stand (the canonical
text of inspections.draw) and the commitment, the hash of a secret seed; `plan_draw` reveals the
seed and records `draw.run(seed, pool)`, which the public page re-runs in the browser. A re-draw
(`plan_redraw`) needs a reason, publishes a new commitment and leaves the earlier draw public,
marked superseded once the new one is drawn.
"""

import datetime
import json
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import DepartmentFunction, NotificationKind
from core.models import Department, Jurisdiction, User
from core.permissions import Action, can, is_staff_user
from core.services import DomainError, notification_send, require_text
from core.services.offices import function_department

from .. import draw as drawing
from ..choices import (
    OPEN_PROBLEM_STATES,
    DrawState,
    Frequency,
    InspectionState,
    Occasion,
    PlanMode,
    PlanState,
    Transition,
)
from ..models import (
    Conflict,
    Draw,
    Inspection,
    InspectionContent,
    InspectionMember,
    Plan,
    Problem,
    TeamMember,
)
from .procedure import PLANS, event_write, now, policy_for

# The window in which complaints count towards a department's raised ratio: this product's
# default (a quarter, the usual frequency of a random check).
RAISED_WINDOW = datetime.timedelta(days=90)


def _in_scope(actor: User, jurisdiction: Jurisdiction) -> bool:
    return bool(actor.jurisdiction_id and jurisdiction.path.startswith(actor.jurisdiction.path))


def _require_supervisor(actor: User, jurisdiction: Jurisdiction) -> None:
    if not can(actor, Action.ADD, Plan) or not _in_scope(actor, jurisdiction):
        raise DomainError(
            _("Only a supervisor of %(jurisdiction)s plans its inspections.")
            % {"jurisdiction": jurisdiction}
        )


def _subtree(jurisdiction: Jurisdiction) -> dict:
    return {"jurisdiction__path__startswith": jurisdiction.path}


@transaction.atomic
def plan_create(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    title: str,
    mode: str,
    basis: str,
    period_start: datetime.date,
    period_end: datetime.date,
    scope: Sequence[Department],
    contents: Sequence[InspectionContent],
    team: Sequence[User] = (),
    occasion: str = "",
    frequency: str = "",
    ratio: int = 30,
    raised_ratio: int = 60,
    per_target: int = 2,
) -> Plan:
    """A plan (拟定方案, seed 004 二(三)1) by a supervisor of its jurisdiction: its mode (seed 002
    联合督查办法 第五条), period, scope, checklist and joint inspection team (第二条: members from
    several departments). A random check also sets its ratio, the higher ratio for departments
    with many complaints or open problems, and inspectors per unit (at least two)."""
    _require_supervisor(actor, jurisdiction)
    title = require_text(title, _("plan title"), multiline=False)
    basis = require_text(basis, _("basis"))
    if mode not in PlanMode.values:
        raise DomainError(_("Choose the mode of the inspection."))
    if occasion and occasion not in Occasion.values:
        raise DomainError(_("Unknown occasion."))
    if frequency and frequency not in Frequency.values:
        raise DomainError(_("Unknown frequency."))
    if period_end < period_start:
        raise DomainError(_("The period ends before it starts."))
    scope = list(dict.fromkeys(scope))
    if not scope:
        raise DomainError(_("Name the departments in scope."))
    outside = [str(d) for d in scope if not d.jurisdiction.path.startswith(jurisdiction.path)]
    if outside:
        raise DomainError(
            _("Not in %(jurisdiction)s: %(departments)s.")
            % {"jurisdiction": jurisdiction, "departments": "、".join(outside)}
        )
    contents = list(dict.fromkeys(contents))
    if not contents:
        raise DomainError(_("Choose what the inspection checks."))
    team = list(dict.fromkeys(team))
    if any(not is_staff_user(user) or not user.department_id for user in team):
        raise DomainError(_("Every team member must be a staff user of a department."))
    if mode == PlanMode.RANDOM:
        if not 1 <= ratio <= 100 or not 1 <= raised_ratio <= 100:
            raise DomainError(_("Ratios are percentages from 1 to 100."))
        if raised_ratio < ratio:
            raise DomainError(_("The raised ratio cannot be lower than the ordinary ratio."))
        if per_target < 2:
            raise DomainError(_("Each unit gets at least two inspectors."))
        if len({user.department_id for user in team}) < 2:
            raise DomainError(
                _("A joint inspection team has members from at least two departments.")
            )
    plan = Plan.objects.create(
        jurisdiction=jurisdiction,
        title=title,
        mode=mode,
        occasion=occasion,
        basis=basis,
        period_start=period_start,
        period_end=period_end,
        frequency=frequency,
        ratio=ratio,
        raised_ratio=raised_ratio,
        per_target=per_target,
        created_by=actor,
        created_at=now(),
    )
    plan.scope.set(scope)
    plan.contents.set(contents)
    TeamMember.objects.bulk_create(
        [TeamMember(plan=plan, user=user, department_id=user.department_id) for user in team]
    )
    event_write(
        transition=Transition.PLAN_CREATE,
        actor=actor,
        plan=plan,
        to_state=plan.state,
        jurisdiction=jurisdiction,
        detail={"scope": [d.pk for d in scope], "team": [u.pk for u in team]},
    )
    return plan


@transaction.atomic
def conflict_declare(
    *, actor: User, plan: Plan, user: User, department: Department, reason: str
) -> Conflict:
    """回避: a team member declares an interest in a department of the scope (themselves, or
    the supervisor for them), before the pools are published with the commitment."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.state not in (PlanState.DRAFT, PlanState.DRAWN):
        raise DomainError(
            _("Conflicts are declared before the commitment is published (or before a re-draw).")
        )
    if actor.pk != user.pk and not can(actor, Action.ADD, Plan):
        raise DomainError(_("Only the member or a supervisor declares a conflict."))
    if not plan.team.filter(user=user).exists():
        raise DomainError(_("%(user)s is not in the plan's team.") % {"user": user})
    if not plan.scope.filter(pk=department.pk).exists():
        raise DomainError(
            _("%(department)s is not in the plan's scope.") % {"department": department}
        )
    reason = require_text(reason, _("interest"))
    conflict, created = Conflict.objects.get_or_create(
        plan=plan,
        user=user,
        department=department,
        defaults={"reason": reason, "declared_at": now()},
    )
    if created:
        event_write(
            transition=Transition.CONFLICT,
            actor=actor,
            plan=plan,
            from_state=plan.state,
            to_state=plan.state,
            jurisdiction=plan.jurisdiction,
            detail={"user": user.pk, "department": department.pk},
        )
    return conflict


def _display_name(user: User) -> str:
    # Chinese names: family name first, no space.
    return f"{user.last_name}{user.first_name}".strip() or user.username


def _previous_pairs(plan: Plan) -> list[list[int]]:
    """Who inspected whom in the jurisdiction's last random check drawn before this plan: the
    draw avoids the same pairs where the pool allows."""
    earlier = (
        Draw.objects.filter(
            plan__jurisdiction=plan.jurisdiction,
            plan__mode=PlanMode.RANDOM,
            state=DrawState.DRAWN,
        )
        .exclude(plan=plan)
        .order_by("-drawn_at", "-pk")
        .first()
    )
    if earlier is None or not earlier.result:
        return []
    return sorted(
        [inspector, target["department"]]
        for target in earlier.result["targets"]
        for inspector in target["inspectors"]
    )


def raised_departments(plan: Plan, *, at: datetime.datetime) -> set[int]:
    """Departments drawn at the higher ratio (国办发〔2015〕58号: 对投诉举报多、列入经营异常名录
    或有严重违法违规记录等情况的, 加大随机抽查力度): complaints received in the 90 days before
    (this product's default window) or open problems in the ledger at the policy's thresholds."""
    from complaints import selectors as complaint_selectors

    policy = policy_for(plan.jurisdiction)
    ids = list(plan.scope.values_list("pk", flat=True))
    complaints = complaint_selectors.received_by_department(
        department_ids=ids, since=at - RAISED_WINDOW, until=at
    )
    problems: dict[int, int] = {}
    for department_id in Problem.objects.filter(
        department_id__in=ids, state__in=OPEN_PROBLEM_STATES
    ).values_list("department_id", flat=True):
        problems[department_id] = problems.get(department_id, 0) + 1
    return {
        pk
        for pk in ids
        if complaints.get(pk, 0) >= policy.complaint_threshold
        or problems.get(pk, 0) >= policy.problem_threshold
    }


def pool_snapshot(plan: Plan, *, at: datetime.datetime) -> dict:
    """The pools and rules as they stand (the input of inspections.draw.run)."""
    raised = raised_departments(plan, at=at)
    targets = [
        {"id": d.pk, "name": d.name, "raised": d.pk in raised} for d in plan.scope.order_by("pk")
    ]
    inspectors = [
        {"id": m.user_id, "name": _display_name(m.user), "department": m.department_id}
        for m in plan.team.select_related("user").order_by("user_id")
    ]
    return {
        "algorithm": drawing.ALGORITHM,
        "targets": targets,
        "inspectors": inspectors,
        "conflicts": sorted([c.user_id, c.department_id] for c in plan.conflicts.all()),
        "previous": _previous_pairs(plan),
        "rules": {
            "ratio": plan.ratio,
            "raised_ratio": plan.raised_ratio,
            "per_target": plan.per_target,
        },
    }


def _commit(move, plan: Plan, *, actor: User, reason: str = "") -> Draw:
    rounds = plan.draws.count()
    seed = drawing.new_seed()
    pool = drawing.canonical(pool_snapshot(plan, at=move.at))
    draw = Draw.objects.create(
        plan=plan,
        round=rounds + 1,
        algorithm=drawing.ALGORITHM,
        commitment=drawing.commitment(seed),
        seed=seed,
        pool=pool,
        pool_hash=drawing.pool_hash(pool),
        reason=reason,
        committed_at=move.at,
        committed_by=actor,
    )
    move.event_with(detail={"draw": draw.pk, "commitment": draw.commitment, "round": draw.round})
    return draw


def draw_commit(*, actor: User, plan: Plan) -> Draw:
    """Publishes the commitment of a random check: the pools and rules as they stand and the
    hash of a secret seed, before anyone can know the result."""
    with PLANS.transition(plan, Transition.COMMIT, actor=actor) as move:
        move.set(state=PlanState.COMMITTED)
        return _commit(move, move.record, actor=actor)


def plan_redraw(*, actor: User, plan: Plan, reason: str) -> Draw:
    """A re-draw (e.g. an inspector fell ill, a department was merged): only with a reason,
    only while no inspection of the current draw has started, and in public: a new commitment
    is published first; the earlier draw stays on the public page."""
    reason = require_text(reason, _("reason for the re-draw"))
    with PLANS.transition(plan, Transition.REDRAW, actor=actor) as move:
        started = Inspection.objects.filter(plan=move.record).exclude(
            state__in=[InspectionState.PLANNED, InspectionState.REPLACED]
        )
        if started.exists():
            raise DomainError(
                _("Inspections of this draw have started: it can no longer be re-drawn.")
            )
        move.set(state=PlanState.COMMITTED)
        return _commit(move, move.record, actor=actor, reason=reason)


def _impossible_message(error: drawing.DrawImpossible, pool: dict) -> str:
    if error.reason == "no_targets":
        return _("The draw found no department to inspect: the scope is empty.")
    if error.reason == "no_inspectors":
        return _("The draw found no inspector: the team is empty.")
    names = {target["id"]: target["name"] for target in pool["targets"]}
    return _(
        "The pool cannot satisfy the rules: %(department)s needs %(needed)s inspectors from "
        "other departments without a declared conflict, and the team has %(available)s. "
        "Add members to the team or lower the inspectors per unit, then re-draw."
    ) % {
        "department": names.get(error.target, error.target),
        "needed": error.needed,
        "available": error.available,
    }


def plan_draw(*, actor: User, plan: Plan) -> Draw:
    """Reveals the seed and draws (双随机): the units and, for each, its inspectors, as
    inspections.draw.run(seed, pool) computes them; creates the inspections. A pool that cannot
    satisfy the rules leaves the commitment standing and says why."""
    with PLANS.transition(plan, Transition.DRAW, actor=actor) as move:
        plan = move.record
        draw = (
            Draw.objects.select_for_update()
            .filter(plan=plan, state=DrawState.COMMITTED)
            .order_by("-round")
            .first()
        )
        try:
            result = drawing.run(draw.seed, draw.pool)
        except drawing.DrawImpossible as error:
            raise DomainError(_impossible_message(error, json.loads(draw.pool))) from error
        for earlier in Draw.objects.select_for_update().filter(plan=plan, state=DrawState.DRAWN):
            earlier.state = DrawState.SUPERSEDED
            earlier.save(update_fields=["state"])
            for inspection in Inspection.objects.filter(
                draw=earlier, state=InspectionState.PLANNED
            ):
                inspection.state = InspectionState.REPLACED
                inspection.save(update_fields=["state"])
        draw.state = DrawState.DRAWN
        draw.result = result
        draw.drawn_at = move.at
        draw.drawn_by = actor
        draw.save(update_fields=["state", "result", "drawn_at", "drawn_by"])
        departments = Department.objects.in_bulk([t["department"] for t in result["targets"]])
        people = User.objects.in_bulk([pk for t in result["targets"] for pk in t["inspectors"]])
        for target in result["targets"]:
            inspection = Inspection.objects.create(
                plan=plan, draw=draw, department=departments[target["department"]]
            )
            InspectionMember.objects.bulk_create(
                [
                    InspectionMember(inspection=inspection, user_id=pk, lead=index == 0)
                    for index, pk in enumerate(target["inspectors"])
                ]
            )
            move.after(_told_drawn(inspection.pk, [people[pk] for pk in target["inspectors"]]))
        move.set(state=PlanState.DRAWN)
        move.event_with(
            detail={"draw": draw.pk, "seed": draw.seed, "targets": len(result["targets"])}
        )
        return draw


def _told_drawn(inspection_id: int, inspectors: list[User]):
    def tell() -> None:
        inspection = Inspection.objects.select_related("plan", "department").get(pk=inspection_id)
        notification_send(
            recipients=inspectors,
            kind=NotificationKind.TASK_ASSIGNED,
            subject=_("Drawn to inspect %(unit)s") % {"unit": inspection.department},
            body=str(inspection.plan),
            url=inspection.get_absolute_url(),
            dedupe_key=f"inspection:{inspection_id}:drawn",
        )

    return tell


def inspection_create(
    *, actor: User, plan: Plan, department: Department, inspectors: Sequence[User]
) -> Inspection:
    """A special inspection, quarterly evaluation or self-inspection names its unit and its
    inspectors (no draw). Outside a self-inspection the rules of the draw hold here too: at
    least two inspectors, none from the unit itself."""
    with PLANS.transition(plan, Transition.PLAN_START, actor=actor) as move:
        plan = move.record
        if not plan.scope.filter(pk=department.pk).exists():
            raise DomainError(
                _("%(department)s is not in the plan's scope.") % {"department": department}
            )
        inspectors = list(dict.fromkeys(inspectors))
        if any(not is_staff_user(user) for user in inspectors):
            raise DomainError(_("Inspectors are staff users."))
        if plan.mode != PlanMode.SELF:
            if len(inspectors) < 2:
                raise DomainError(_("Each unit gets at least two inspectors."))
            own = [str(u) for u in inspectors if u.department_id == department.pk]
            if own:
                raise DomainError(
                    _("%(people)s cannot inspect their own department.")
                    % {"people": "、".join(own)}
                )
            declared = Conflict.objects.filter(
                plan=plan, department=department, user__in=inspectors
            )
            if declared.exists():
                raise DomainError(
                    _("%(people)s declared a conflict with %(department)s.")
                    % {
                        "people": "、".join(str(c.user) for c in declared),
                        "department": department,
                    }
                )
        elif not inspectors:
            raise DomainError(_("Name who carries out the self-inspection."))
        inspection = Inspection.objects.create(plan=plan, department=department)
        InspectionMember.objects.bulk_create(
            [
                InspectionMember(inspection=inspection, user=user, lead=index == 0)
                for index, user in enumerate(inspectors)
            ]
        )
        move.set(state=PlanState.UNDER_WAY)
        move.event_with(detail={"inspection": inspection.pk, "department": department.pk})
        move.after(_told_drawn(inspection.pk, inspectors))
        return inspection


def plan_cancel(*, actor: User, plan: Plan, reason: str) -> Plan:
    reason = require_text(reason, _("reason"))
    with PLANS.transition(plan, Transition.CANCEL, actor=actor) as move:
        if (
            Inspection.objects.filter(plan=move.record)
            .exclude(state__in=[InspectionState.PLANNED, InspectionState.REPLACED])
            .exists()
        ):
            raise DomainError(_("Inspections of this plan have started: it cannot be cancelled."))
        move.set(state=PlanState.CANCELLED)
        move.event_with(opinion=reason)
        return move.record


def plan_finish_if_done(plan: Plan, *, at: datetime.datetime) -> None:
    """A plan is finished when each of its inspections has published its result."""
    live = Inspection.objects.filter(plan=plan).exclude(state=InspectionState.REPLACED)
    if live.exists() and not live.exclude(state=InspectionState.PUBLISHED).exists():
        plan.state = PlanState.FINISHED
        plan.save(update_fields=["state"])


def supervision_department(jurisdiction: Jurisdiction) -> Department | None:
    """The body that inspects and issues notices in a jurisdiction (纪委/监察, the 督查办)."""
    return function_department(jurisdiction, DepartmentFunction.SUPERVISION)
