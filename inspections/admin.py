"""Administrators keep the jurisdictions' inspection policies here (periods, ratio thresholds,
document prefix, the one-vote veto of seed 001 第十六条); every save goes through
core.services.jurisdiction_policy_save, which validates, checks the scope and writes the audit
trail. The inspection contents are read here (their edits need a rule and a service of their
own). Plans, draws, inspections, problems, notices, reports and the assessment ledger are read
here, never changed: every change is an action of the procedure on its own page. A draw's seed
is shown only once drawn; the events are append-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import JurisdictionPolicyAdmin, ReadOnlyAdmin, ReadOnlyInline
from core.services.policies import policy_fields

from .models import (
    AssessmentRecord,
    Conflict,
    Draw,
    Event,
    Inspection,
    InspectionContent,
    InspectionMember,
    InspectionPolicy,
    InspectionRecord,
    Plan,
    Problem,
    RectificationNotice,
    Report,
    TeamMember,
)

POLICY_FIELDS = policy_fields(InspectionPolicy)


@admin.register(InspectionPolicy)
class InspectionPolicyAdmin(JurisdictionPolicyAdmin):
    list_display = (
        "jurisdiction",
        "rectify_days",
        "verify_days",
        "publish_days",
        "complaint_threshold",
        "problem_threshold",
        "veto",
        "document_prefix",
        "updated_at",
    )
    list_filter = ("veto",)
    fields = ("jurisdiction", *POLICY_FIELDS)


@admin.register(InspectionContent)
class InspectionContentAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "source", "body", "order", "active")
    list_filter = ("source", "active")
    search_fields = ("code", "name", "basis", "content")
    fields = ("code", "name", "basis", "body", "content", "method", "source", "order", "active")


class TeamInline(ReadOnlyInline):
    model = TeamMember
    fields = ("user", "department")
    related = ("user", "department")


class ConflictInline(ReadOnlyInline):
    model = Conflict
    fields = ("user", "department", "reason", "declared_at")
    related = ("user", "department")


class DrawInline(ReadOnlyInline):
    model = Draw
    fields = ("round", "state", "commitment", "committed_at", "drawn_at", "reason")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "jurisdiction", "mode", "period_start", "period_end", "state")
    list_select_related = ("jurisdiction",)
    list_filter = ("mode", "state")
    search_fields = ("title",)
    date_hierarchy = "period_start"
    fields = (
        "title",
        "jurisdiction",
        "mode",
        "occasion",
        "basis",
        "period_start",
        "period_end",
        "frequency",
        "ratio",
        "raised_ratio",
        "per_target",
        "state",
        "created_by",
        "created_at",
    )
    inlines = (TeamInline, ConflictInline, DrawInline)


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ("plan", "round", "state", "committed_at", "drawn_at")
    list_select_related = ("plan",)
    list_filter = ("state",)
    search_fields = ("plan__title", "commitment")
    fields = (
        "plan",
        "round",
        "state",
        "algorithm",
        "commitment",
        "revealed",
        "pool_hash",
        "pool",
        "result",
        "reason",
        "committed_at",
        "committed_by",
        "drawn_at",
        "drawn_by",
    )

    @admin.display(description=_("seed"))
    def revealed(self, obj: Draw) -> str:
        # Secret until the draw, here too: whoever could read it could know the result first.
        return obj.revealed_seed or "-"


class MemberInline(ReadOnlyInline):
    model = InspectionMember
    fields = ("user", "lead")
    related = ("user",)


class RecordInline(ReadOnlyInline):
    model = InspectionRecord
    fields = ("kind", "held_on", "text", "people_served", "recorded_by", "recorded_at")
    related = ("recorded_by",)


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("plan", "department", "state", "notified_at", "finished_at", "published_at")
    list_select_related = ("plan", "department")
    list_filter = ("state",)
    search_fields = ("plan__title", "department__name")
    fields = (
        "plan",
        "draw",
        "department",
        "state",
        "notice_number",
        "notified_at",
        "finished_at",
        "feedback",
        "result",
        "published_at",
    )
    inlines = (MemberInline, RecordInline)


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ("title", "department", "source", "severity", "state", "found_on")
    list_select_related = ("department",)
    list_filter = ("state", "source", "severity")
    search_fields = ("title", "department__name", "complaint_code")
    date_hierarchy = "found_on"
    fields = (
        "jurisdiction",
        "department",
        "title",
        "description",
        "content",
        "severity",
        "source",
        "state",
        "hot",
        "hard",
        "sensitive",
        "inspection",
        "complaint_code",
        "reporter",
        "reporter_name",
        "reported_how",
        "found_on",
        "recorded_by",
        "recorded_at",
        "closed_at",
    )


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "addressee", "state", "issued_at", "due_at")
    list_select_related = ("addressee",)
    list_filter = ("state",)
    search_fields = ("number", "title", "addressee__name")
    fields = (
        "jurisdiction",
        "issuer",
        "addressee",
        "title",
        "requirements",
        "deadline_days",
        "state",
        "number",
        "pdf_sha256",
        "corrects",
        "created_by",
        "created_at",
        "issued_at",
        "due_at",
        "closed_at",
        "verdict",
    )


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("title", "jurisdiction", "period_start", "period_end", "published_at")
    list_select_related = ("jurisdiction",)
    search_fields = ("title",)
    fields = (
        "jurisdiction",
        "title",
        "period_start",
        "period_end",
        "summary",
        "content",
        "pdf",
        "published_at",
        "published_by",
    )


@admin.register(AssessmentRecord)
class AssessmentRecordAdmin(ReadOnlyAdmin):
    list_display = ("department", "year", "kind", "notice", "veto", "recorded_at")
    list_select_related = ("department", "notice")
    list_filter = ("year", "kind", "veto")
    fields = ("department", "year", "kind", "notice", "veto", "recorded_at")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Append-only (models.Event and the database's triggers): read here, never changed."""

    list_display = ("at", "transition", "actor", "plan", "inspection", "problem", "notice")
    list_select_related = ("actor", "plan", "inspection", "problem", "notice")
    list_filter = ("transition",)
    date_hierarchy = "at"
    fields = (
        "at",
        "actor",
        "transition",
        "plan",
        "inspection",
        "problem",
        "notice",
        "from_state",
        "to_state",
        "opinion",
        "detail",
    )
