"""Forms of the staff pages of the register (issue 3 §5). The draft form is built from the
fields the draft's list declares (models.FIELDS_BY_KIND) with the model's labels; the flow,
discretion standard and responsibility items are formsets. Forms check shapes only: the rules
of SPEC §3 are services.entry_build's, whose messages the view puts back on the fields."""

from dataclasses import dataclass, field

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.checkers import CheckedForm, upload_problem

from .choices import ResponsibilityStage, RiskLevel
from .models import FIELDS_BY_KIND, MAX_STEP_LIMIT_DAYS, REQUIRED_BY_KIND, Entry

# JSON lists of rows, edited as formsets (prefix = field name).
STRUCTURED = ("flow", "discretion", "responsibilities")
# The most rows one structure may have: a guard against a forged TOTAL_FORMS.
MAX_ROWS = 100


class RowForm(CheckedForm):
    """One row of a structure. `row()` is what the payload keeps: the filled-in parts only,
    as the published entries store them."""

    def has_changed(self) -> bool:
        # A row counts when something is typed in it, so a row the clerk empties is dropped
        # like an untouched one instead of failing as incomplete.
        return any(self[name].value() not in ("", None) for name in self.fields if name != "DELETE")

    def row(self) -> dict:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if key != "DELETE" and value not in ("", None)
        }


class FlowRowForm(RowForm):
    step = forms.CharField(label=_("Step"), max_length=100)
    post = forms.CharField(label=_("Post responsible"), max_length=100, required=False)
    # Seed 004 一(二)3: 各环节的办理时限和人员 — the step's time limit beside its post.
    limit_days = forms.IntegerField(
        label=_("Time limit of the step (working days)"),
        min_value=1,
        max_value=MAX_STEP_LIMIT_DAYS,
        required=False,
    )
    description = forms.CharField(
        label=_("What happens"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    risk_point = forms.CharField(label=_("Integrity risk point"), max_length=200, required=False)
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=[("", "—"), *RiskLevel.choices], required=False
    )
    control_measure = forms.CharField(label=_("Control measure"), max_length=500, required=False)


class DiscretionRowForm(RowForm):
    circumstance = forms.CharField(label=_("Circumstance"), max_length=500)
    range = forms.CharField(label=_("Range of discretion"), max_length=500)


class ResponsibilityRowForm(RowForm):
    # A blank first choice: an untouched extra row must stay unchanged, so it is skipped.
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", "—"), *ResponsibilityStage.choices])
    duty = forms.CharField(label=_("Duty"), max_length=500)
    circumstances = forms.CharField(
        label=_("Circumstances for accountability"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    basis = forms.CharField(label=_("Basis"), max_length=500, required=False)


class RowFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {"empty_permitted": True}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def rows(self) -> list[dict]:
        """The kept rows of a valid formset: filled in and not marked for removal."""
        return [
            form.row()
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]

    def raw_rows(self) -> list[dict]:
        """The rows as typed (unvalidated), without those marked for removal: to show them
        again when the page comes back with one more row."""
        return [
            {name: form[name].value() for name in form.fields if name != "DELETE"}
            for form in self.forms
            if not form["DELETE"].value()
        ]


ROW_FORMS = {
    "flow": FlowRowForm,
    "discretion": DiscretionRowForm,
    "responsibilities": ResponsibilityRowForm,
}


def row_formset(name: str, *, extra: int):
    return forms.formset_factory(
        ROW_FORMS[name],
        formset=RowFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )


@dataclass
class DraftChoices:
    """The options of a draft's related fields, each read once by the view (selectors)."""

    categories: list[tuple[int, str]] = field(default_factory=list)
    parents: list[tuple[int, str]] = field(default_factory=list)
    merge_targets: list[tuple[int, str]] = field(default_factory=list)
    # [(law name, [(provision id, article), ...]), ...]: the optgroups of the basis select.
    provisions: list[tuple[str, list[tuple[int, str]]]] = field(default_factory=list)


def _label(name: str) -> str:
    return capfirst(Entry._meta.get_field(name).verbose_name)


class MaterialsField(forms.CharField):
    """Application materials as a textarea, one per line; a list of lines in the payload."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


class DraftForm(CheckedForm):
    """The scalar fields of a draft of list `list_kind`, in the order the list declares."""

    def __init__(self, *args, list_kind: str, choices: DraftChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_kind = list_kind
        for name in FIELDS_BY_KIND[list_kind]:
            if name not in STRUCTURED:
                self.fields[name] = self._field(name, choices)
        for name in REQUIRED_BY_KIND[list_kind]:
            if name in self.fields:
                self.fields[name].required = True

    def _field(self, name: str, choices: DraftChoices) -> forms.Field:
        label = _label(name)
        help_text = Entry._meta.get_field(name).help_text
        if name == "category":
            return forms.TypedChoiceField(
                label=label, coerce=int, choices=[("", "—"), *choices.categories]
            )
        if name in ("parent", "merged_into"):
            options = choices.parents if name == "parent" else choices.merge_targets
            return forms.TypedChoiceField(
                label=label,
                coerce=int,
                empty_value=None,
                required=False,
                choices=[("", "—"), *options],
                help_text=_("Only for a sub-item: its main item in your department's list.")
                if name == "parent"
                else _("Only when the status is “merged into another item”."),
            )
        if name == "basis":
            return forms.TypedMultipleChoiceField(
                label=label,
                coerce=int,
                required=False,
                choices=choices.provisions,
                # Issue 10 §8: ticks, not a multiple select that needs Ctrl-click; the page's
                # filter box (static/js/filter.js) narrows a long list as one types.
                widget=forms.CheckboxSelectMultiple(attrs={"class": "basis-choice"}),
                help_text=_(
                    "Provisions of the law register, grouped by law: tick every provision the "
                    "entry rests on."
                ),
            )
        if name == "materials":
            return MaterialsField(label=label, required=False, help_text=_("One per line."))
        formfield = Entry._meta.get_field(name).formfield()
        formfield.help_text = help_text
        if isinstance(formfield.widget, forms.Textarea):
            formfield.widget.attrs.update(rows=3)
        return formfield

    def payload(self, formsets: dict[str, RowFormSet]) -> dict:
        """The draft's values as services.draft_create/draft_save take them, after
        validation. A field (or structure) with errors is left out, so that the rules can
        still be checked on the rest."""
        payload = {}
        for name in FIELDS_BY_KIND[self.list_kind]:
            if name in STRUCTURED:
                if formsets[name].is_valid():
                    payload[name] = formsets[name].rows()
            elif name in self.cleaned_data:
                payload[name] = self.cleaned_data[name]
        return payload

    def raw_values(self) -> dict:
        """The values as typed, unvalidated: to show them again on another round trip."""
        return {name: self[name].value() for name in self.fields}


def form_initial(payload: dict) -> dict:
    """A stored payload as the draft form's initial values."""
    return {name: value for name, value in payload.items() if name not in STRUCTURED}


class ImportForm(CheckedForm):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("Upload an Excel workbook (.xlsx) made from the template.")
            )
        # By content, as every upload (core.checkers): an .xlsx is a zip with the workbook.
        problem = upload_problem(upload, suffixes={"xlsx"})
        if problem:
            raise forms.ValidationError(problem)
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; split it into several files.")
                % {"size": self.max_bytes // (1024 * 1024)}
            )
        return upload


class ImportConfirmForm(CheckedForm):
    """Issue 10 §2: the import is confirmed explicitly (an administrator's publishes, which
    cannot be undone)."""

    confirm = forms.BooleanField(
        label=_("I have read the check's report and want to import these rows now"),
        error_messages={"required": _("Tick the box to confirm the import.")},
    )
