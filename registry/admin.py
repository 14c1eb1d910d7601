"""Administrators keep the law register and the categories here; every save goes through
registry.services (validation, audit trail, history)."""

from django.contrib import admin

from core.admin import RestrictedAdmin
from core.checkers import CheckedModelForm
from core.permissions import Action, can

from . import selectors, services
from .models import Category, Law, Provision


class ProvisionInline(admin.TabularInline):
    model = Provision
    form = CheckedModelForm
    fields = ("article", "text")
    extra = 1
    # Provisions are cited by published versions, which must keep resolving.
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return can(request.user, Action.CHANGE, Law)

    def has_change_permission(self, request, obj=None) -> bool:
        return can(request.user, Action.CHANGE, Law)

    def has_view_permission(self, request, obj=None) -> bool:
        return can(request.user, Action.CHANGE, Law)


@admin.register(Law)
class LawAdmin(RestrictedAdmin):
    list_display = ("name", "level", "issuing_body", "effective_date", "status", "status_date")
    list_filter = ("level", "status")
    search_fields = ("name", "document_number")
    fields = (
        "name",
        "level",
        "issuing_body",
        "document_number",
        "effective_date",
        "status",
        "status_date",
    )
    inlines = [ProvisionInline]

    def save_model(self, request, obj, form, change) -> None:
        values = {name: form.cleaned_data[name] for name in services.LAW_FIELDS}
        law = services.law_save(actor=request.user, law=obj if change else None, **values)
        if {"status", "status_date"} & set(form.changed_data):
            law = services.law_status_set(
                actor=request.user,
                law=law,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["status_date"],
            )
        obj.pk = law.pk

    def save_formset(self, request, form, formset, change) -> None:
        existing = selectors.law_provisions(user=request.user, law=form.instance)
        rows = {p.article: p.text for p in existing}
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None)
            if data and data.get("article"):
                if row.instance.pk and row.instance.article != data["article"]:
                    rows.pop(row.instance.article, None)
                rows[data["article"]] = data["text"]
        services.provisions_save(actor=request.user, law=form.instance, provisions=rows.items())


@admin.register(Category)
class CategoryAdmin(RestrictedAdmin):
    list_display = ("name", "list_kind", "code", "order")
    list_filter = ("list_kind",)
    fields = ("list_kind", "code", "name", "order")

    def get_readonly_fields(self, request, obj=None):
        # Codes are part of every basic code issued under the category.
        return ("list_kind", "code") if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        saved = services.category_save(
            actor=request.user,
            category=obj if change else None,
            list_kind=obj.list_kind,
            code=obj.code,
            name=form.cleaned_data["name"],
            order=form.cleaned_data["order"],
        )
        obj.pk = saved.pk
