"""Forms of the staff pages of the ledger, the rectification notices and the reports (issue 13
§4–§7). Each form's `arguments()` are the keyword arguments of the service the view calls; the
forms check what a person can correct before sending, the services check everything again and
have the last word."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import calendar
from core.checkers import CheckedForm
from core.forms import (
    ActionPanelForm,
    CheckedFilesFormField,
    KeyChoiceField,
    UploadsLostMixin,
    textarea_field,
)
from registry.choices import EntryStatus

from . import selectors
from .choices import ProblemSource, Reporter, Severity
from .models import InspectionContent, Milestone, RectificationNotice
from .services import MAX_BYTES, MAX_FILES, SUFFIXES, files_problems, policy_for

ITEM_SEPARATORS = re.compile(r"[\s,，、;；]+")
# This product's default: a ledger line names a handful of items, a notice a few milestones.
MAX_ITEMS = 20
MILESTONE_ROWS = 5
# The sources recorded on this page; an inspection's findings are recorded on the inspection,
# a complaint is taken from the complaints (ProblemFromComplaintView).
FORM_SOURCES = (ProblemSource.SOCIAL, ProblemSource.MEDIA, ProblemSource.SELF)


def _today() -> datetime.date:
    return timezone.localdate(timezone.now(), timezone=calendar.SHANGHAI)


def _date_input(label, *, required: bool = True, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date such as 2024-05-01.")},
        **kwargs,
    )


def _files_help() -> str:
    return gettext("At most %(count)s files of up to %(size)s MB each (%(types)s).") % {
        "count": MAX_FILES,
        "size": MAX_BYTES // (1024 * 1024),
        "types": ", ".join(sorted(SUFFIXES)),
    }


class EvidenceFilesField(CheckedFilesFormField):
    """Evidence files, checked with the service's own rules (services.files_problems)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Evidence files"))
        super().__init__(problems=files_problems, **kwargs)


class DepartmentChoiceField(KeyChoiceField):
    def label_from_instance(self, department) -> str:
        return f"{department.name}（{department.jurisdiction.name}）"


# --- the ledger ----------------------------------------------------------------------------


class ProblemForm(CheckedForm):
    """A problem recorded by the ledger's keepers (seed 002 联合督查办法 第六条): social
    supervision names which of the six reported it and how (管理办法 第十七条, 六位一体), the
    media the outlet."""

    department = DepartmentChoiceField(
        label=_("Department"), queryset=None, empty_label=_("(choose the department)")
    )
    title = forms.CharField(label=_("Problem"), max_length=200)
    description = textarea_field(_("Description"), required=True, rows=4)
    content = KeyChoiceField(
        label=_("Inspection content breached"),
        queryset=InspectionContent.objects.filter(active=True).order_by("order", "code"),
        required=False,
        empty_label=_("(not classified)"),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.ORDINARY,
        widget=forms.RadioSelect,
    )
    source = forms.ChoiceField(
        label=_("Source of the problem"),
        choices=[(value, label) for value, label in ProblemSource.choices if value in FORM_SOURCES],
        widget=forms.RadioSelect,
        help_text=_(
            "An inspection's findings are recorded on the inspection; a substantiated "
            "complaint is taken from the complaints."
        ),
    )
    reporter = forms.ChoiceField(
        label=_("Reported by (social supervision)"),
        choices=[("", _("(not social supervision)")), *Reporter.choices],
        required=False,
        help_text=_("Seed 002 管理办法 第十七条: the six-party social supervision (六位一体)."),
    )
    reporter_name = forms.CharField(
        label=_("Reporter's name"),
        max_length=100,
        required=False,
        help_text=_("For staff only: never on a public page or in the Excel copy."),
    )
    reported_how = forms.CharField(
        label=_("How it was reported, or the media outlet"),
        max_length=200,
        required=False,
        help_text=_("E.g. a deputies' forum, a hotline call, 《郑州日报》 of 2 November."),
    )
    found_on = _date_input(_("Found on"))
    items = forms.CharField(
        label=_("Items concerned"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Implementation codes of the department's items in force, separated by commas or lines."
        ),
    )
    hot = forms.BooleanField(label=_("Hot (热点)"), required=False)
    hard = forms.BooleanField(label=_("Hard (难点)"), required=False)
    sensitive = forms.BooleanField(label=_("Sensitive (敏感点)"), required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["found_on"].initial = _today()

    def clean_found_on(self):
        day = self.cleaned_data["found_on"]
        if day > _today():
            raise forms.ValidationError(_("A problem cannot be found in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if source == ProblemSource.SOCIAL:
            if not cleaned.get("reporter"):
                self.add_error("reporter", _("Choose who of the six reported it."))
            if not cleaned.get("reported_how"):
                self.add_error("reported_how", _("Say how it was reported."))
        elif source == ProblemSource.MEDIA:
            cleaned["reporter"] = Reporter.PRESS
        elif source:
            for name in ("reporter", "reporter_name", "reported_how"):
                if cleaned.get(name):
                    self.add_error(
                        name,
                        _(
                            "Who reported a problem is recorded for social supervision and "
                            "the media."
                        ),
                    )
        department = cleaned.get("department")
        codes = list(dict.fromkeys(c for c in ITEM_SEPARATORS.split(cleaned.get("items", "")) if c))
        cleaned["entries"] = []
        if len(codes) > MAX_ITEMS:
            self.add_error("items", _("Name at most %(count)s items.") % {"count": MAX_ITEMS})
        elif codes and department is not None:
            found = selectors.entries_by_codes(department=department, codes=codes)
            unknown = [code for code in codes if code not in found]
            if unknown:
                self.add_error(
                    "items",
                    _("%(department)s has no item with the code %(codes)s.")
                    % {"department": department.name, "codes": "、".join(unknown)},
                )
            repealed = [
                code
                for code in codes
                if code in found and found[code].status != EntryStatus.IN_FORCE
            ]
            if repealed:
                self.add_error(
                    "items", _("Not in force: %(codes)s.") % {"codes": "、".join(repealed)}
                )
            cleaned["entries"] = [found[code] for code in codes if code in found]
        return cleaned

    def arguments(self) -> dict:
        """The keyword arguments of services.ledger.problem_record besides the actor and the
        jurisdiction."""
        data = self.cleaned_data
        return {
            "department": data["department"],
            "title": data["title"],
            "description": data["description"],
            "content": data.get("content"),
            "severity": data["severity"],
            "source": data["source"],
            "found_on": data["found_on"],
            "entries": data["entries"],
            "reporter": data.get("reporter") or "",
            "reporter_name": data.get("reporter_name") or "",
            "reported_how": data.get("reported_how") or "",
            "hot": data.get("hot", False),
            "hard": data.get("hard", False),
            "sensitive": data.get("sensitive", False),
        }


class ProblemActionForm(ActionPanelForm):
    """Base of the problem page's action forms: it knows the problem and the user."""

    def __init__(self, *args, user, problem, **kwargs):
        self.user = user
        self.problem = problem
        super().__init__(*args, **kwargs)

    def confirm_values(self) -> dict:
        return {"title": self.problem.title}


class ProblemConfirmForm(ProblemActionForm):
    intro_text = _(
        "The register's check proposed this problem: confirmed, it is open in the ledger and a "
        "rectification notice can be issued for it."
    )


class ProblemDismissForm(ProblemActionForm):
    intro_text = _("A problem found to be none is dismissed; the reason stays in its history.")
    confirm_text = _("“%(title)s” is dismissed from the ledger; this cannot be undone.")
    destructive = True
    reason = textarea_field(_("Reason for dismissing it"), required=True)


class ProblemFlagForm(ProblemActionForm):
    intro_text = _(
        "Hot, hard and sensitive problems (热点、难点、敏感点, seed 002 联合督查办法 第六条) go to "
        "the quarterly review of outstanding problems (管理办法 第十六条)."
    )
    hot = forms.BooleanField(label=_("Hot (热点)"), required=False)
    hard = forms.BooleanField(label=_("Hard (难点)"), required=False)
    sensitive = forms.BooleanField(label=_("Sensitive (敏感点)"), required=False)

    def prepare(self) -> None:
        for name in ("hot", "hard", "sensitive"):
            self.fields[name].initial = getattr(self.problem, name)


# --- rectification notices -----------------------------------------------------------------


class ProblemsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, problem) -> str:
        return f"{problem.title}（{problem.found_on:%Y-%m-%d}）"


class NoticeForm(CheckedForm):
    """A draft notice (seed 002 管理办法 第十九条) for open problems of one unit: the
    requirements, the deadline in working days and, for a long rectification, milestones."""

    problems = ProblemsField(
        label=_("Problems"),
        queryset=None,
        error_messages={"required": _("Choose the problems the notice is about.")},
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    requirements = textarea_field(_("Rectification requirements"), required=True, rows=5)
    deadline_days = forms.IntegerField(
        label=_("Deadline, working days"),
        min_value=1,
        max_value=250,
        help_text=_("Counted in working days from the day after the notice is issued."),
    )

    def __init__(self, *args, problems, jurisdiction, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problems"].queryset = problems
        self.fields["deadline_days"].initial = policy_for(jurisdiction).rectify_days
        self.fields["title"].initial = gettext(
            "Rectification notice on the problems of %(unit)s"
        ) % {"unit": unit.name}
        for row in range(1, MILESTONE_ROWS + 1):
            self.fields[f"milestone_{row}"] = forms.CharField(
                label=_("Milestone %(row)s") % {"row": row}, max_length=200, required=False
            )
            self.fields[f"milestone_{row}_due"] = _date_input(
                _("Milestone %(row)s due on") % {"row": row}, required=False
            )

    def milestone_rows(self) -> list[tuple]:
        return [
            (self[f"milestone_{row}"], self[f"milestone_{row}_due"])
            for row in range(1, MILESTONE_ROWS + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        milestones = []
        for row in range(1, MILESTONE_ROWS + 1):
            title, due = cleaned.get(f"milestone_{row}"), cleaned.get(f"milestone_{row}_due")
            if title and not due:
                self.add_error(f"milestone_{row}_due", _("Give the day this milestone is due."))
            elif due and not title:
                self.add_error(f"milestone_{row}", _("Say what is due on that day."))
            elif title and due:
                if due < _today():
                    self.add_error(f"milestone_{row}_due", _("A milestone is due in the future."))
                milestones.append((title, due))
        cleaned["milestones"] = milestones
        return cleaned

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "problems": list(data["problems"]),
            "title": data["title"],
            "requirements": data["requirements"],
            "deadline_days": data["deadline_days"],
            "milestones": data["milestones"],
        }


class NoticeActionForm(ActionPanelForm):
    """Base of the notice page's action forms: it knows the notice and the user."""

    def __init__(self, *args, user, notice: RectificationNotice, **kwargs):
        self.user = user
        self.notice = notice
        super().__init__(*args, **kwargs)

    def confirm_values(self) -> dict:
        return {
            "number": self.notice.number or self.notice.title,
            "issuer": self.notice.issuer.name,
            "unit": self.notice.addressee.name,
        }


class NoticeIssueForm(NoticeActionForm):
    intro_text = _(
        "The notice gets %(issuer)s's next document number of the year, its PDF is made and "
        "kept as issued, and %(unit)s is told in the site and by e-mail; its %(days)s working "
        "days start tomorrow."
    )
    confirm_text = _(
        "The notice to %(unit)s is issued: its number is taken for good (never reused, even if "
        "the notice is withdrawn) and its PDF never changes; a correction is a new notice."
    )

    def intro_values(self) -> dict:
        return {
            "issuer": self.notice.issuer.name,
            "unit": self.notice.addressee.name,
            "days": self.notice.deadline_days,
        }


class NoticeWithdrawForm(NoticeActionForm):
    intro_text = _(
        "A withdrawn notice keeps its number; its problems are open again unless another notice "
        "in force covers them."
    )
    confirm_text = _("Notice %(number)s is withdrawn; this cannot be undone.")
    destructive = True
    reason = textarea_field(_("Reason for withdrawing it"), required=True)


class RectificationReportForm(UploadsLostMixin, NoticeActionForm):
    intro_text = _(
        "Report what your unit has rectified, with evidence; the issuing body verifies it within "
        "%(days)s working days."
    )
    text = textarea_field(_("Rectification done"), required=True, rows=5)
    files = EvidenceFilesField()

    def prepare(self) -> None:
        self.fields["files"].help_text = _files_help()

    def intro_values(self) -> dict:
        return {"days": policy_for(self.notice.jurisdiction).verify_days}


class MilestoneAddForm(NoticeActionForm):
    intro_text = _("Plan a long rectification in milestones, each within the notice's deadline.")
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = _date_input(_("Due on"))


class MilestoneProgressForm(UploadsLostMixin, NoticeActionForm):
    intro_text = _("Report progress on a milestone, with its evidence.")
    milestone = KeyChoiceField(
        label=_("Milestone"), queryset=Milestone.objects.none(), empty_label=None
    )
    progress = forms.IntegerField(label=_("Progress, %"), min_value=0, max_value=100)
    note = textarea_field(_("Progress note"), required=True)
    files = EvidenceFilesField()

    def prepare(self) -> None:
        self.fields["milestone"].queryset = Milestone.objects.filter(notice=self.notice).order_by(
            "due_on", "pk"
        )
        self.fields["files"].help_text = _files_help()


class NoticeAcceptForm(NoticeActionForm):
    intro_text = _("Verified: the rectification is accepted and the problems are rectified.")
    confirm_text = _(
        "The rectification of %(unit)s under notice %(number)s is accepted and the notice "
        "closed; this cannot be undone."
    )
    opinion = textarea_field(_("Verification opinion"), required=True)


class NoticeReturnForm(NoticeActionForm):
    intro_text = _(
        "Returned with reasons, the unit rectifies again by the notice's original deadline (a "
        "return does not extend it)."
    )
    reasons = textarea_field(_("Reasons"), required=True)


class NoticeNotFixedForm(NoticeActionForm):
    intro_text = _(
        "整改不到位 (seed 002 管理办法 第十九条): reported to the reform office, recorded in the "
        "unit's assessment ledger and told to the departments concerned; a one-vote veto on the "
        "unit's year where the jurisdiction's policy says so (seed 001 第十六条)."
    )
    confirm_text = _(
        "Notice %(number)s is closed as not fixed and %(unit)s's assessment ledger records it; "
        "this cannot be undone."
    )
    destructive = True
    reasons = textarea_field(_("Reasons"), required=True)


# --- reports -------------------------------------------------------------------------------


class ReportForm(CheckedForm):
    """A periodic report (通报, seed 002 联合督查办法 第七条, 监督检查办法 第十八条)."""

    jurisdiction = KeyChoiceField(label=_("Jurisdiction"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = _date_input(_("Period from"))
    period_end = _date_input(_("Period to (inclusive)"))
    summary = textarea_field(_("Report summary"), required=True, rows=6)
    confirm = forms.BooleanField(
        label=_(
            "I confirm: the report is published on the public site as it is now and cannot be "
            "changed afterwards."
        ),
        error_messages={
            "required": _("Nothing was done: tick “I confirm” to do this, it cannot be undone.")
        },
    )

    def __init__(self, *args, jurisdictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period ends before it starts."))
        if end and end > _today():
            self.add_error("period_end", _("A report covers a period that has ended."))
        return cleaned

    def arguments(self) -> dict:
        """The keyword arguments of services.reports.report_publish besides the actor."""
        return {name: value for name, value in self.cleaned_data.items() if name != "confirm"}
