"""Administrators keep the jurisdictions' decision policies here (publication period, upload
hours, the major-penalty threshold, the certificate warning); every save goes through
core.services.jurisdiction_policy_save, which validates, checks the scope and writes the audit
trail. Enforcement bodies, decisions and their officers, redactions, records, steps and
events, case-system keys, imports and case-file reviews are read here, never changed: every
change is an action of its procedure on its own page (decisions.services). A key's digest is
never shown; the events and redactions are append-only."""

from django.contrib import admin

from core.admin import JurisdictionPolicyAdmin, ReadOnlyAdmin, ReadOnlyInline
from core.services.policies import policy_fields

from .models import (
    ApiToken,
    CaseRecord,
    CaseReview,
    Decision,
    DecisionOfficer,
    DecisionPolicy,
    EnforcementBody,
    Event,
    FlowStepTime,
    ImportJob,
    Redaction,
    ReviewedFile,
    Step,
)

POLICY_FIELDS = policy_fields(DecisionPolicy)


@admin.register(DecisionPolicy)
class DecisionPolicyAdmin(JurisdictionPolicyAdmin):
    list_display = (
        "jurisdiction",
        "publish_days",
        "upload_hours",
        "major_penalty_amount",
        "certificate_warning_days",
    )
    fields = ("jurisdiction", *POLICY_FIELDS)


@admin.register(EnforcementBody)
class EnforcementBodyAdmin(ReadOnlyAdmin):
    list_display = ("name", "department", "kind", "state", "confirmed_at", "entrusted_until")
    list_select_related = ("department",)
    list_filter = ("kind", "state")
    search_fields = ("name", "department__name", "credit_code")
    fields = (
        "department",
        "name",
        "kind",
        "credit_code",
        "basis",
        "entrustment_number",
        "entrustment_file",
        "entrusted_from",
        "entrusted_until",
        "state",
        "confirmed_at",
        "confirmed_by",
        "withdrawn_at",
    )


class OfficerInline(ReadOnlyInline):
    model = DecisionOfficer
    fields = ("person", "certificate", "certificate_number")
    related = ("person", "certificate")


class RedactionInline(ReadOnlyInline):
    model = Redaction
    fields = ("field", "reason", "explanation", "public_text", "at", "actor")
    related = ("actor",)


class RecordInline(ReadOnlyInline):
    model = CaseRecord
    fields = ("stage", "title", "made_at", "file_name", "sha256", "uploaded_at", "uploaded_by")
    related = ("uploaded_by",)


class StepTimeInline(ReadOnlyInline):
    model = FlowStepTime
    fields = ("order", "step", "post", "limit_days", "started_on", "finished_on", "kept")


class StepInline(ReadOnlyInline):
    model = Step
    fields = ("kind", "department", "role", "started_at", "due_at", "finished_at")
    related = ("department",)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "department", "state", "decided_on", "published_at")
    list_select_related = ("department",)
    list_filter = ("state", "source", "major", "redacted", "officer_uncertified")
    search_fields = ("number", "title", "party_name", "party_credit_code", "external_id")
    date_hierarchy = "decided_on"
    fields = (
        "department",
        "jurisdiction",
        "body",
        "item",
        "item_version",
        "category",
        "number",
        "title",
        "party_kind",
        "party_name",
        "party_credit_code",
        "legal_representative",
        "party_id_number",
        "party_contact",
        "content",
        "basis",
        "penalty_kinds",
        "fine_amount",
        "confiscated_amount",
        "licence_name",
        "licence_number",
        "valid_from",
        "valid_until",
        "filed_on",
        "decided_on",
        "served_on",
        "state",
        "source",
        "external_id",
        "major",
        "legal_review_on",
        "legal_reviewer",
        "legal_review_opinion",
        "collective_on",
        "collective_note",
        "item_not_in_force",
        "body_mismatch",
        "body_unpublished",
        "officer_uncertified",
        "published_late",
        "public_title",
        "public_party_name",
        "public_content",
        "public_basis",
        "redacted",
        "published_at",
        "version",
        "created_at",
        "created_by",
        "updated_at",
    )
    inlines = (OfficerInline, RedactionInline, RecordInline, StepTimeInline, StepInline)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Append-only (models.Event and the database's triggers): read here, never changed."""

    list_display = ("at", "transition", "actor", "decision")
    list_select_related = ("actor", "decision")
    list_filter = ("transition",)
    date_hierarchy = "at"
    fields = ("at", "actor", "transition", "decision", "step", "from_state", "to_state", "opinion")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Only the key's first characters are shown: its digest is a secret's stand-in."""

    list_display = ("name", "department", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("department",)
    search_fields = ("name", "department__name", "prefix")
    fields = (
        "department",
        "name",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "department", "state", "rows_total", "imported", "created_at")
    list_select_related = ("department",)
    list_filter = ("state",)
    fields = (
        "department",
        "created_by",
        "file_name",
        "state",
        "rows_total",
        "rows_done",
        "imported",
        "problems",
        "created_at",
        "finished_at",
    )


class ReviewedFileInline(ReadOnlyInline):
    model = ReviewedFile
    fields = ("decision", "total", "findings", "scored_at", "scored_by")
    related = ("decision", "scored_by")


@admin.register(CaseReview)
class CaseReviewAdmin(ReadOnlyAdmin):
    list_display = ("title", "jurisdiction", "period_start", "period_end", "state")
    list_select_related = ("jurisdiction",)
    list_filter = ("state",)
    search_fields = ("title",)
    fields = (
        "jurisdiction",
        "title",
        "period_start",
        "period_end",
        "sample_size",
        "checklist",
        "state",
        "commitment",
        "committed_at",
        "drawn_at",
        "created_by",
        "created_at",
    )
    inlines = (ReviewedFileInline,)
