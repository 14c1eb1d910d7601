"""Filters of the staff lists of inspections (the problem ledger, the notices, the assessment
ledger). Every value travels in the URL, so a filtered list can be bookmarked, shared and
exported as shown; the forms only validate, the selectors (problem_filter, notice_filter,
assessment_filter) narrow what the user may see already."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.checkers import CheckedForm
from core.filtersets import DateRangeFilterForm
from core.forms import KeyChoiceField, day_field

from .choices import NoticeState, ProblemSource, ProblemState, Severity


def _any(label, choices) -> list:
    return [("", label), *choices]


class _Filter:
    """What the list pages ask of a filter form: the rows to show (none while it is not
    valid) and whether the URL sets any filter."""

    def given(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


class ProblemFilterForm(_Filter, DateRangeFilterForm):
    """The ledger's filters (issue 13 §4); `departments`: those of the problems the user sees."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A word of the problem, or an item's code or name"),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=_any(_("Any state"), ProblemState.choices)
    )
    source = forms.ChoiceField(
        label=_("Source of the problem"),
        required=False,
        choices=_any(_("Any source"), ProblemSource.choices),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=_any(_("Any severity"), Severity.choices)
    )
    department = KeyChoiceField(
        label=_("Department"), required=False, queryset=None, empty_label=_("Any department")
    )
    flagged = forms.BooleanField(
        label=_("Hot, hard or sensitive only"),
        required=False,
        help_text=_("Marked for the quarterly review (seed 002 管理办法 第十六条)"),
    )
    since = day_field(_("Found from"))
    until = day_field(_("Found until (inclusive)"))

    def __init__(self, data=None, *, departments, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["department"].queryset = departments

    def arguments(self) -> dict:
        """The keyword arguments of selectors.problem_filter."""
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "state": data.get("state") or "",
            "source": data.get("source") or "",
            "severity": data.get("severity") or "",
            "department": data.get("department"),
            "flagged": bool(data.get("flagged")),
            "since": data.get("since"),
            "until": data.get("until"),
        }


class NoticeFilterForm(_Filter, CheckedForm):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=_any(_("Any state"), NoticeState.choices)
    )
    unit = KeyChoiceField(
        label=_("Unit rectifying"), required=False, queryset=None, empty_label=_("Any unit")
    )

    def __init__(self, data=None, *, units, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["unit"].queryset = units

    def arguments(self) -> dict:
        return {"state": self.cleaned_data.get("state") or "", "unit": self.cleaned_data["unit"]}


class AssessmentFilterForm(_Filter, CheckedForm):
    year = forms.TypedChoiceField(
        label=_("Year"), required=False, coerce=int, empty_value=None, choices=()
    )
    unit = KeyChoiceField(
        label=_("Unit assessed"), required=False, queryset=None, empty_label=_("Any unit")
    )

    def __init__(self, data=None, *, years, units, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [("", _("Any year")), *[(year, year) for year in years]]
        self.fields["unit"].queryset = units

    def arguments(self) -> dict:
        return {"year": self.cleaned_data.get("year"), "unit": self.cleaned_data["unit"]}
