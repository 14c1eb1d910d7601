"""Administrators keep the jurisdictions' adjustment policies here too (SPEC §4: the deadlines
and paths are policy per jurisdiction); every save goes through services.policy_save, which
validates, checks the scope and writes the audit trail. Requests, steps and events are changed
only through the procedure's own pages."""

from django.contrib import admin

from core.admin import RestrictedAdmin

from . import services
from .models import AdjustmentPolicy


@admin.register(AdjustmentPolicy)
class AdjustmentPolicyAdmin(RestrictedAdmin):
    list_display = (
        "jurisdiction",
        "basis",
        "apply_days",
        "apply_unit",
        "law_changed_path",
        "institutional_path",
        "internal_path",
        "updated_at",
    )
    list_select_related = ("jurisdiction",)
    list_filter = ("apply_unit", "law_changed_path", "institutional_path", "internal_path")
    search_fields = ("jurisdiction__name", "jurisdiction__code", "basis")
    fields = ("jurisdiction", *services.POLICY_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        # A policy belongs to its jurisdiction for good; another jurisdiction gets its own.
        return ("jurisdiction",) if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        values = {name: form.cleaned_data[name] for name in services.POLICY_FIELDS}
        saved = services.policy_save(
            actor=request.user, jurisdiction=obj.jurisdiction, values=values
        )
        obj.pk = saved.pk
