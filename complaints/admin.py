"""Administrators keep the jurisdictions' complaint policies here too (issue 12 §4: the periods
are policy values, 信访工作条例 2022 by default); every save goes through
services.complaint_policy_save, which validates, checks the scope and writes the audit trail.
Complaints are read here, never changed: every change is an action of the procedure, on the
complaint's own page. The secret's hash is never shown and the identity documents are masked,
as on the page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import RestrictedAdmin
from core.checkers import CheckedModelForm
from core.permissions import Action

from . import services
from .models import Complaint, ComplaintEvent, ComplaintItem, ComplaintPolicy, ComplaintStep


@admin.register(ComplaintPolicy)
class ComplaintPolicyAdmin(RestrictedAdmin):
    list_display = (
        "jurisdiction",
        "acceptance_by",
        "accept_days",
        "handle_days",
        "extension_days",
        "review_days",
        "updated_at",
    )
    list_select_related = ("jurisdiction",)
    list_filter = ("acceptance_by",)
    search_fields = ("jurisdiction__name", "jurisdiction__code")
    fields = ("jurisdiction", *services.POLICY_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        # A policy belongs to its jurisdiction for good; another jurisdiction gets its own.
        return ("jurisdiction",) if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        values = {name: form.cleaned_data[name] for name in services.POLICY_FIELDS}
        saved = services.complaint_policy_save(
            actor=request.user, jurisdiction=obj.jurisdiction, values=values
        )
        obj.pk = saved.pk


class ReadOnlyInline(admin.TabularInline):
    form = CheckedModelForm
    extra = 0
    can_delete = False
    show_change_link = False
    related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ItemInline(ReadOnlyInline):
    model = ComplaintItem
    fields = ("code", "name", "version", "found")
    readonly_fields = fields


class StepInline(ReadOnlyInline):
    model = ComplaintStep
    fields = (
        "kind",
        "department",
        "round",
        "started_at",
        "deadline_days",
        "due_at",
        "finished_at",
        "finished_by",
        "outcome",
    )
    readonly_fields = fields
    related = ("department", "finished_by")


class EventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ("at", "transition", "actor", "from_state", "to_state", "opinion", "public_note")
    readonly_fields = fields
    related = ("actor",)


@admin.register(Complaint)
class ComplaintAdmin(RestrictedAdmin):
    """Read-only: the complaints of the administrator's jurisdiction and those below."""

    list_action = Action.VIEW
    list_display = (
        "code",
        "jurisdiction",
        "department",
        "ground",
        "channel",
        "received_at",
        "state",
        "outcome",
    )
    list_select_related = ("jurisdiction", "department")
    list_filter = ("state", "channel", "ground", "outcome")
    search_fields = ("code", "department__name")
    date_hierarchy = "received_at"
    fields = (
        "code",
        "jurisdiction",
        "department",
        "responsible",
        "ground",
        "facts",
        "reasons",
        "channel",
        "received_at",
        "recorded_by",
        "complainant_kind",
        "anonymous",
        "name",
        "phone",
        "email",
        "address",
        "id_type",
        "identity_document",
        "state",
        "refusal_ground",
        "refusal_reason",
        "repeat_of",
        "accepted_at",
        "extension_days",
        "extension_reason",
        "answer",
        "answered_at",
        "outcome",
        "finding_department",
        "finding",
        "closed_at",
        "rating",
        "rated_at",
        "review_round",
    )
    readonly_fields = fields
    inlines = (ItemInline, StepInline, EventInline)

    @admin.display(description=_("document number"))
    def identity_document(self, obj: Complaint) -> str:
        return obj.id_number_masked or "-"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
