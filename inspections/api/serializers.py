"""Serializers of the inspections API (issue 13 §1, §2, §7, §8).

Public output: the inspection contents, the draws (the same as the public draw page: the pool
text, the commitment and its hash; the seed and the result only once drawn) and the reports
(their published content, no personal data). Staff output: plans, inspections, problems and
notices, as selectors return them to the reader; who reported a problem (`reporter_name`,
`reported_how`) only to the office and supervisors, never to a unit's clerks. Input: the
actions on a plan or a notice (a name and its reason or text)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import optional_text_field
from core.checkers import CheckedSerializer
from core.choices import Role
from core.permissions import role_of
from registry.api.serializers import DepartmentRefSerializer, JurisdictionRefSerializer

from ..choices import (
    ContentSource,
    DrawState,
    InspectionState,
    NoticeState,
    PlanMode,
    PlanState,
    ProblemSource,
    ProblemState,
    RecordKind,
    Reporter,
    Severity,
    Transition,
)

# Who may read who reported a problem (seed 002 管理办法 第十七条: the six-party supervision is
# staff's business; a unit answers the problem, not the person who raised it).
REPORTER_READERS = (Role.OFFICE, Role.SUPERVISOR)

# The API's action names and the procedures' transitions they perform.
PLAN_ACTIONS = {"commit": "commit", "draw": "draw", "redraw": "redraw", "cancel": "cancel"}
NOTICE_ACTIONS = {
    "issue": "notice_issue",
    "withdraw": "notice_withdraw",
    "report": "notice_report",
    "accept": "notice_accept",
    "return": "notice_return",
    "not_fixed": "notice_not_fixed",
}


class ActionSerializer(CheckedSerializer):
    action = serializers.CharField(help_text=_("The name to send to the transitions endpoint."))
    label = serializers.CharField()


def actions_of(available: list[str], names: dict[str, str]) -> list[dict]:
    """The API's names of the transitions `available` (a procedure's), in its order."""
    by_transition = {transition: name for name, transition in names.items()}
    return [
        {"action": by_transition[t], "label": str(Transition(t).label)}
        for t in available
        if t in by_transition
    ]


# --- public -------------------------------------------------------------------------------------


class ContentSerializer(CheckedSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    basis = serializers.CharField()
    body = serializers.CharField(help_text=_("The inspecting body."))
    content = serializers.CharField()
    method = serializers.CharField()
    source = serializers.ChoiceField(choices=ContentSource.choices)
    source_label = serializers.CharField(source="get_source_display")


class PlanRefSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    jurisdiction = JurisdictionRefSerializer()
    mode = serializers.ChoiceField(choices=PlanMode.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class DrawSerializer(CheckedSerializer):
    """A draw as the public list shows it."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text=_("The draw in this API."))
    page_url = serializers.SerializerMethodField(help_text=_("The public draw page."))
    plan = PlanRefSerializer()
    round = serializers.IntegerField()
    state = serializers.ChoiceField(choices=DrawState.choices)
    state_label = serializers.CharField(source="get_state_display")
    commitment = serializers.CharField(help_text=_("SHA-256 of the seed, published first."))
    pool_hash = serializers.CharField(help_text=_("SHA-256 of the pool text."))
    committed_at = serializers.DateTimeField()
    drawn_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, draw) -> str:
        return reverse("inspections-api:draw", args=[draw.pk])

    def get_page_url(self, draw) -> str:
        return reverse("inspections:public-draw", args=[draw.pk])


class DrawResultTargetSerializer(CheckedSerializer):
    department = serializers.IntegerField(help_text=_("A target id of the pool."))
    inspectors = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Inspector ids of the pool.")
    )


class DrawResultSerializer(CheckedSerializer):
    algorithm = serializers.CharField()
    targets = DrawResultTargetSerializer(many=True, help_text=_("In the order of the draw."))


class PublishedResultSerializer(CheckedSerializer):
    department = DepartmentRefSerializer()
    state = serializers.ChoiceField(choices=InspectionState.choices)
    result = serializers.CharField(help_text=_("The published result; empty until published."))
    published_at = serializers.DateTimeField(allow_null=True)
    publish_due_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the result is due (20 working days, national practice).")
    )


class DrawDetailSerializer(DrawSerializer):
    """A draw in full, as its public page shows it: the seed and the result only once drawn."""

    algorithm = serializers.CharField()
    pool = serializers.CharField(help_text=_("The exact pool text, the input of the draw."))
    seed = serializers.CharField(
        source="revealed_seed",
        allow_blank=True,
        help_text=_("The revealed seed; empty until the draw."),
    )
    result = DrawResultSerializer(allow_null=True, help_text=_("Null until the draw."))
    reason = serializers.CharField(help_text=_("The reason of a re-draw; empty for round 1."))
    inspections = serializers.SerializerMethodField()

    def to_representation(self, draw):
        data = super().to_representation(draw)
        if not draw.revealed_seed:
            data["result"] = None
        return data

    def get_inspections(self, draw) -> PublishedResultSerializer(many=True):
        rows = []
        for inspection in self.context.get("inspections", []):
            steps = getattr(inspection, "publish_steps", [])
            published = inspection.state == InspectionState.PUBLISHED
            rows.append(
                {
                    "department": inspection.department,
                    "state": inspection.state,
                    "result": inspection.result if published else "",
                    "published_at": inspection.published_at if published else None,
                    "publish_due_at": steps[0].due_at if steps else None,
                }
            )
        return PublishedResultSerializer(rows, many=True).data


class ReportSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    page_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(help_text=_("Null until the PDF is rendered."))
    jurisdiction = JurisdictionRefSerializer()
    title = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    summary = serializers.CharField()
    content = serializers.JSONField(
        help_text=_(
            "What the report publishes: inspections, problems by content and department, "
            "notices by state, problems closed, accountability."
        )
    )
    published_at = serializers.DateTimeField()

    def get_page_url(self, report) -> str:
        return reverse("inspections:public-report", args=[report.pk])

    def get_pdf_url(self, report) -> str | None:
        return reverse("inspections:public-report-pdf", args=[report.pk]) if report.pdf else None


# --- staff: plans and inspections ---------------------------------------------------------------


class PlanSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    title = serializers.CharField()
    jurisdiction = JurisdictionRefSerializer()
    mode = serializers.ChoiceField(choices=PlanMode.choices)
    mode_label = serializers.CharField(source="get_mode_display")
    state = serializers.ChoiceField(choices=PlanState.choices)
    state_label = serializers.CharField(source="get_state_display")
    period_start = serializers.DateField()
    period_end = serializers.DateField()

    def get_url(self, plan) -> str:
        return reverse("inspections-api:plan", args=[plan.pk])

    def get_page_url(self, plan) -> str:
        return reverse("inspections:plan", args=[plan.pk])


class TeamMemberSerializer(CheckedSerializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.SerializerMethodField()
    department = DepartmentRefSerializer()

    def get_name(self, member) -> str:
        return member.user.get_full_name().strip() or member.user.username


class ContentRefSerializer(CheckedSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PlanDetailSerializer(PlanSerializer):
    basis = serializers.CharField()
    occasion = serializers.CharField()
    frequency = serializers.CharField()
    ratio = serializers.IntegerField()
    raised_ratio = serializers.IntegerField()
    per_target = serializers.IntegerField()
    scope = serializers.SerializerMethodField()
    contents = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    draws = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    def get_scope(self, plan) -> DepartmentRefSerializer(many=True):
        return DepartmentRefSerializer(self.context["scope"], many=True).data

    def get_contents(self, plan) -> ContentRefSerializer(many=True):
        return ContentRefSerializer(self.context["contents"], many=True).data

    def get_team(self, plan) -> TeamMemberSerializer(many=True):
        return TeamMemberSerializer(self.context["team"], many=True).data

    def get_draws(self, plan) -> DrawSerializer(many=True):
        return DrawSerializer(self.context["draws"], many=True).data

    def get_actions(self, plan) -> ActionSerializer(many=True):
        return ActionSerializer(self.context["actions"], many=True).data


class PlanActionRequestSerializer(CheckedSerializer):
    action = serializers.ChoiceField(
        choices=[(name, Transition(t).label) for name, t in PLAN_ACTIONS.items()]
    )
    reason = optional_text_field(
        _("Required for redraw and cancel: why (published with a re-draw).")
    )


class InspectorSerializer(CheckedSerializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.SerializerMethodField()
    lead = serializers.BooleanField()

    def get_name(self, member) -> str:
        return member.user.get_full_name().strip() or member.user.username


class RecordSerializer(CheckedSerializer):
    kind = serializers.ChoiceField(choices=RecordKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    held_on = serializers.DateField()
    text = serializers.CharField()
    materials = serializers.JSONField()
    people_served = serializers.IntegerField()


class InspectionDetailSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    page_url = serializers.SerializerMethodField()
    plan = PlanRefSerializer()
    draw = serializers.IntegerField(source="draw_id", allow_null=True)
    department = DepartmentRefSerializer(help_text=_("The unit inspected."))
    state = serializers.ChoiceField(choices=InspectionState.choices)
    state_label = serializers.CharField(source="get_state_display")
    inspectors = serializers.SerializerMethodField()
    records = serializers.SerializerMethodField()
    notice_number = serializers.CharField()
    notified_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    feedback = serializers.CharField()
    result = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    actions = serializers.SerializerMethodField()

    def get_page_url(self, inspection) -> str:
        return reverse("inspections:inspection", args=[inspection.pk])

    def get_inspectors(self, inspection) -> InspectorSerializer(many=True):
        return InspectorSerializer(inspection.member_list, many=True).data

    def get_records(self, inspection) -> RecordSerializer(many=True):
        return RecordSerializer(self.context["records"], many=True).data

    def get_actions(self, inspection) -> ActionSerializer(many=True):
        return ActionSerializer(self.context["actions"], many=True).data


# --- staff: the ledger and notices --------------------------------------------------------------


class ProblemSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    jurisdiction = JurisdictionRefSerializer()
    department = DepartmentRefSerializer()
    title = serializers.CharField()
    description = serializers.CharField()
    content = ContentRefSerializer(allow_null=True, help_text=_("The inspection content breached."))
    severity = serializers.ChoiceField(choices=Severity.choices)
    source = serializers.ChoiceField(choices=ProblemSource.choices)
    source_label = serializers.CharField(source="get_source_display")
    state = serializers.ChoiceField(choices=ProblemState.choices)
    state_label = serializers.CharField(source="get_state_display")
    flags = serializers.ListField(child=serializers.CharField())
    inspection = serializers.IntegerField(source="inspection_id", allow_null=True)
    complaint_code = serializers.CharField()
    reporter = serializers.ChoiceField(choices=Reporter.choices, allow_blank=True)
    reporter_name = serializers.SerializerMethodField(
        help_text=_("Who reported it: null for readers other than the office and supervisors.")
    )
    reported_how = serializers.SerializerMethodField(
        help_text=_("How it was reported: null for readers other than the office and supervisors.")
    )
    found_on = serializers.DateField()
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, problem) -> str:
        return reverse("inspections-api:problem", args=[problem.pk])

    def get_page_url(self, problem) -> str:
        return reverse("inspections:problem", args=[problem.pk])

    def _reader_sees_reporter(self) -> bool:
        return role_of(self.context["request"].user) in REPORTER_READERS

    def get_reporter_name(self, problem) -> str | None:
        return problem.reporter_name if self._reader_sees_reporter() else None

    def get_reported_how(self, problem) -> str | None:
        return problem.reported_how if self._reader_sees_reporter() else None


class ProblemFilterSerializer(CheckedSerializer):
    state = serializers.ChoiceField(choices=ProblemState.choices, required=False)
    source = serializers.ChoiceField(choices=ProblemSource.choices, required=False)
    department = serializers.IntegerField(
        required=False, min_value=1, help_text=_("A department's id.")
    )
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text=_("A word of the title or description, or an item's code or name."),
    )


class NoticeSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    number = serializers.CharField(help_text=_("〔year〕N号 once issued; empty for a draft."))
    title = serializers.CharField()
    jurisdiction = JurisdictionRefSerializer()
    issuer = DepartmentRefSerializer()
    addressee = DepartmentRefSerializer(help_text=_("The unit."))
    state = serializers.ChoiceField(choices=NoticeState.choices)
    state_label = serializers.CharField(source="get_state_display")
    deadline_days = serializers.IntegerField(help_text=_("Working days."))
    issued_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, notice) -> str:
        return reverse("inspections-api:notice", args=[notice.pk])

    def get_page_url(self, notice) -> str:
        return reverse("inspections:notice", args=[notice.pk])


class ProblemRefSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=ProblemState.choices)


class NoticeDetailSerializer(NoticeSerializer):
    requirements = serializers.CharField()
    verdict = serializers.CharField(help_text=_("The supervisor's verification or reasons."))
    pdf_url = serializers.SerializerMethodField(help_text=_("Null until issued."))
    problems = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    def get_pdf_url(self, notice) -> str | None:
        return reverse("inspections:notice-pdf", args=[notice.pk]) if notice.pdf else None

    def get_problems(self, notice) -> ProblemRefSerializer(many=True):
        return ProblemRefSerializer(self.context["problems"], many=True).data

    def get_actions(self, notice) -> ActionSerializer(many=True):
        return ActionSerializer(self.context["actions"], many=True).data


class NoticeActionRequestSerializer(CheckedSerializer):
    action = serializers.ChoiceField(
        choices=[(name, Transition(t).label) for name, t in NOTICE_ACTIONS.items()]
    )
    text = optional_text_field(
        _(
            "The reason (withdraw), the rectification done (report), the verification "
            "(accept) or the reasons (return, not_fixed); not used by issue."
        )
    )
