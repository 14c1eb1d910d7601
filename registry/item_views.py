"""The public pages of one item and of the law register (issue 3 §3, §4): an item with every
public field, its legal basis, flow chart and history; the item as it stood on a past date;
its published versions; the field-by-field difference of two versions; the laws and the
items that cite them.

Every read goes through registry.selectors, so these pages show published versions only and
never a draft. Each page runs a fixed number of queries however many versions, provisions,
responsibilities or sub-items an item has (asserted in tests/test_registry_item.py)."""

import datetime

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from core.checkers import CheckedForm
from core.forms import day_field

from . import selectors
from .choices import EntryStatus, LawLevel, LawStatus, ResponsibilityStage
from .display import display_lines, field_label, version_diff
from .flowchart import flow_chart, flow_steps
from .models import FIELDS_BY_KIND

# Fields the item page shows in sections of their own (or in its summary) rather than in the
# list of details.
SECTION_FIELDS = frozenset(
    {
        "category",
        "name",
        "basic_code",
        "status",
        "delegated_to_level",
        "merged_into",
        "parent",
        "basis",
        "basis_note",
        "flow",
        "discretion",
        "responsibilities",
        "star_level",
    }
)
# Shown one per line as a list rather than as a paragraph.
LIST_FIELDS = frozenset({"materials"})
STAGE_ORDER = {stage: position for position, stage in enumerate(ResponsibilityStage.values)}


class AsOfForm(CheckedForm):
    as_of = day_field(gettext_lazy("View the item as it stood on"))

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Choose today or a date in the past."))
        return day


def _as_of(request) -> tuple[AsOfForm, datetime.date | None]:
    """The date asked for, or None (today) when none or an invalid one was given: the form
    then carries the message the page shows."""
    form = AsOfForm(request.GET if "as_of" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["as_of"]
    return form, None


def _stars(level: int | None) -> dict | None:
    if not level:
        return None
    return {"level": level, "filled": "★" * level, "empty": "☆" * (5 - level), "out_of": 5}


def _responsibilities(rows) -> list[dict]:
    """Responsibility items in the order of the stages of a procedure."""
    items = [
        {
            "stage": row.get("stage", ""),
            "stage_label": ResponsibilityStage(row["stage"]).label
            if row.get("stage") in ResponsibilityStage.values
            else row.get("stage", ""),
            "duty": row.get("duty", ""),
            "circumstances": row.get("circumstances", ""),
            "basis": row.get("basis", ""),
        }
        for row in rows or []
        if isinstance(row, dict)
    ]
    return sorted(items, key=lambda item: STAGE_ORDER.get(item["stage"], len(STAGE_ORDER)))


class EntryDetailView(TemplateView):
    """Issue 3 §4: the item page. `?as_of=` shows the version that was public at the end of
    that day (SPEC §3.3)."""

    template_name = "registry/entry_detail.html"
    history_limit = 10

    def get(self, request, *args, **kwargs):
        user = request.user
        code = kwargs["code"]
        form, as_of = _as_of(request)
        entry = selectors.entry_by_code(user=user, code=code, as_of=as_of)
        if entry is None:
            # The item may exist today but not yet on the date asked for.
            current = selectors.entry_by_code(user=user, code=code) if as_of else None
            context = self.get_context_data(
                missing=True, code=code, current=current, as_of=as_of, as_of_form=form
            )
            return self.render_to_response(context, status=404)
        context = self.get_context_data(
            entry=entry, as_of=as_of, as_of_form=form, **self.entry_context(entry, as_of)
        )
        return self.render_to_response(context)

    def entry_context(self, entry, as_of: datetime.date | None) -> dict:
        user = self.request.user
        fields = FIELDS_BY_KIND[entry.list_kind]
        provisions = selectors.provisions_of([entry])
        steps = flow_steps(entry.flow)
        versions = list(
            selectors.entry_versions(user=user, entry_id=entry.id)[: self.history_limit]
        )
        return {
            "uses": frozenset(fields),
            "details": [
                {
                    "name": name,
                    "label": field_label(name),
                    "lines": display_lines(entry, name, provisions),
                    "as_list": name in LIST_FIELDS,
                }
                for name in fields
                if name not in SECTION_FIELDS
            ],
            "basis": [provisions[p] for p in dict.fromkeys(entry.basis or []) if p in provisions],
            "steps": steps,
            "risk_steps": [step for step in steps if step.risk_point],
            "flow_chart": flow_chart(
                steps,
                title=_("Flow chart of %(name)s") % {"name": entry.name},
                chart_id="flow-chart",
            ),
            "discretion": [row for row in entry.discretion or [] if isinstance(row, dict)],
            "responsibilities": _responsibilities(entry.responsibilities),
            "stars": _stars(entry.star_level),
            "sub_items": list(
                selectors.sub_items(user=user, entry=entry, as_of=as_of).order_by(
                    "basic_code", "code"
                )
            ),
            "versions": versions,
            "latest_version": versions[0].version if versions else entry.version,
            "merged": entry.status == EntryStatus.MERGED,
            "in_force": EntryStatus.IN_FORCE,
            # Staff see the warning (issue 9 §9); the public sees the law's status beside each
            # provision, a fact of the public law register, and no internal judgement.
            "repealed_basis": selectors.repealed_basis_of(entry, provisions, on=as_of)
            if user.is_authenticated and entry.status == EntryStatus.IN_FORCE
            else None,
        }


class _EntryMixin:
    """The current published entry named by the URL, or 404."""

    def get_entry(self):
        entry = selectors.entry_by_code(user=self.request.user, code=self.kwargs["code"])
        if entry is None:
            raise Http404(_("No published item has this code."))
        return entry


class EntryHistoryView(_EntryMixin, ListView):
    """Issue 3 §3 (b): every published version of an item, newest first."""

    template_name = "registry/entry_history.html"
    context_object_name = "versions"
    paginate_by = 20

    def get_queryset(self):
        self.entry = self.get_entry()
        return selectors.entry_versions(user=self.request.user, entry_id=self.entry.id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(entry=self.entry, **kwargs)


class DiffForm(CheckedForm):
    a = forms.TypedChoiceField(
        label=gettext_lazy("Earlier version"),
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("%(value)s is not a version of this item.")},
    )
    b = forms.TypedChoiceField(
        label=gettext_lazy("Later version"),
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("%(value)s is not a version of this item.")},
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (
                row["version"],
                _("Version %(version)s · %(date)s")
                % {
                    "version": row["version"],
                    "date": timezone.localtime(row["history_date"]).strftime("%Y-%m-%d"),
                },
            )
            for row in versions
        ]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


class EntryDiffView(_EntryMixin, TemplateView):
    """Issue 3 §3 (c): two versions of an item side by side, field by field. Without `a`
    and `b` it compares the latest version with the one before; `all=1` shows the unchanged
    fields too."""

    template_name = "registry/entry_diff.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        entry = self.get_entry()
        history = selectors.entry_versions(user=user, entry_id=entry.id)
        versions = list(history.values("version", "history_date"))
        numbers = [row["version"] for row in versions]
        latest = numbers[0]
        default = {"a": numbers[1] if len(numbers) > 1 else latest, "b": latest}
        asked = {key: self.request.GET[key] for key in ("a", "b") if self.request.GET.get(key)}
        form = DiffForm({**default, **asked}, versions=versions)
        if form.is_valid():
            a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        else:
            a, b = default["a"], default["b"]
        a, b = min(a, b), max(a, b)
        rows = {
            row.version: row
            for row in history.filter(version__in={a, b}).select_related(
                "category", "parent", "merged_into"
            )
        }
        new = rows[b]
        # An item with a single version is compared with nothing: all of it is new.
        old = rows[a] if len(numbers) > 1 else None
        diff = version_diff(old, new, selectors.provisions_of(rows.values()))
        show_all = self.request.GET.get("all") == "1"
        context.update(
            entry=entry,
            form=form,
            old=old,
            new=new,
            same=a == b,
            show_all=show_all,
            diff=diff if show_all else [row for row in diff if row.changed],
            changed_count=sum(row.changed for row in diff),
            field_count=len(diff),
        )
        return context


class LawFilterForm(CheckedForm):
    q = forms.CharField(label=gettext_lazy("Name contains"), required=False, max_length=50)
    level = forms.ChoiceField(
        label=gettext_lazy("Level"),
        required=False,
        choices=[("", gettext_lazy("All levels")), *LawLevel.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *LawStatus.choices],
    )


class LawListView(ListView):
    """Issue 3 §2: the law register, with how many published items cite each law."""

    template_name = "registry/law_list.html"
    context_object_name = "laws"
    paginate_by = 25

    def get_queryset(self):
        self.form = LawFilterForm(self.request.GET)
        laws = selectors.laws(user=self.request.user).order_by("name", "pk")
        if not self.form.is_valid():
            return laws.none()
        data = self.form.cleaned_data
        if data["q"].strip():
            laws = laws.filter(name__icontains=data["q"].strip())
        if data["level"]:
            laws = laws.filter(level=data["level"])
        if data["status"]:
            laws = laws.filter(status=data["status"])
        return laws

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.form, **kwargs)


class LawDetailView(TemplateView):
    """Issue 3 §2: a law, its provisions and every published item citing it."""

    template_name = "registry/law_detail.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        law = get_object_or_404(selectors.laws(user=user), pk=kwargs["pk"])
        citing = selectors.order_by_path(selectors.entries_citing(user=user, law=law))
        page = Paginator(citing, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            law=law,
            provisions=list(selectors.law_provisions(user=user, law=law)),
            page_obj=page,
            citing=page.object_list,
            is_paginated=page.has_other_pages(),
            paginator=page.paginator,
        )
        return context
