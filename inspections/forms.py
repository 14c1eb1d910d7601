"""Forms of the plan and inspection pages (issue 13 §1–§3, §8): the new plan, the plan list's
filters, and the action panels of a plan and of an inspection. Each action form's
`arguments()` are the keyword arguments of the service the view names for it, besides the
actor and the record. The forms check what a person can correct before sending; the services
check everything again and have the last word. (The ledger's and notices' forms are in
inspections/ledger_forms.py.)"""

import datetime

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
    KeyMultipleChoiceField,
    UploadsLostMixin,
    date_field,
    textarea_field,
)
from core.models import Department, User
from core.permissions import can

from . import selectors, services
from .choices import (
    ContentSource,
    Frequency,
    Material,
    Occasion,
    PlanMode,
    PlanState,
    RecordKind,
    Severity,
)
from .models import Inspection, InspectionContent, Plan, TeamMember
from .permissions import MANAGE

# The basis a new plan starts from, per mode: the seed's own wording (seed 002 联合督查办法
# 第五条 for the three ways of the joint inspection; 监督检查办法 第十五条, 第十六条 for the
# departments' self-inspection). The supervisor edits it to the plan's own.
BASIS = {
    PlanMode.SPECIAL: (
        "《“五单一网”制度改革联合督查办法》第五条（一）专项检查：围绕群众反映强烈和投诉热点、"
        "上级关注的重点领域或者事项、新闻媒体曝光的事项，以及节假日前后等问题易发多发的重点时段，"
        "采取听取汇报、现场检查、调阅有关文件资料、会议记录、工作台账等方式，对有关部门权责运行"
        "情况进行专项督查。"
    ),
    PlanMode.RANDOM: (
        "《“五单一网”制度改革联合督查办法》第五条（二）随机抽查：采取随机抽检的方式，定期对"
        "“五单一网”制度改革运行情况进行检查。"
    ),
    PlanMode.QUARTERLY: (
        "《“五单一网”制度改革联合督查办法》第五条（三）季度考评：督查办按照专项监督检查办法，"
        "建立专项工作台账，按照各自工作任务，每季度对各部门“五个清单”运行情况进行全面督查。"
    ),
    PlanMode.SELF: (
        "《行政权力清单运行监督检查办法》第十五条：监督检查可采取自查和督查相结合的方式；"
        "第十六条：各部门定期对行政权力清单运行情况进行自查。"
    ),
}


def today() -> datetime.date:
    return timezone.localdate(timezone.now(), calendar.SHANGHAI)


# --- the plan list and a new plan -------------------------------------------------------------


class PlanFilterForm(CheckedForm):
    mode = forms.ChoiceField(
        label=_("Mode"), required=False, choices=[("", _("Any")), *PlanMode.choices]
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *PlanState.choices]
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any")), *[(year, year) for year in years]]


class PlanForm(CheckedForm):
    """A new plan (拟定方案, seed 004 二(三)1), for services.plan_create."""

    title = forms.CharField(label=_("Title"), max_length=200)
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=PlanMode.choices,
        widget=forms.RadioSelect,
        help_text=_("Seed 002 联合督查办法 第五条 and 监督检查办法 第十五条."),
    )
    occasion = forms.ChoiceField(
        label=_("Occasion (special inspection)"),
        required=False,
        choices=[("", "—"), *Occasion.choices],
    )
    basis = textarea_field(
        _("Basis"),
        required=True,
        rows=4,
        help_text=_("Starts from the seed's wording for the mode; make it the plan's own."),
    )
    period_start = date_field(_("Period from"))
    period_end = date_field(_("Period to"))
    frequency = forms.ChoiceField(
        label=_("Frequency (random check)"),
        required=False,
        choices=[("", "—"), *Frequency.choices],
    )
    ratio = forms.IntegerField(
        label=_("Ratio drawn, %"), min_value=1, max_value=100, initial=30, required=False
    )
    raised_ratio = forms.IntegerField(
        label=_("Raised ratio, %"),
        min_value=1,
        max_value=100,
        initial=60,
        required=False,
        help_text=_(
            "For departments with many complaints or open problems in the period "
            "(国办发〔2015〕58号: 加大随机抽查力度)."
        ),
    )
    per_target = forms.IntegerField(
        label=_("Inspectors per unit"), min_value=2, max_value=10, initial=2, required=False
    )
    scope = KeyMultipleChoiceField(
        label=_("Departments in scope"),
        queryset=Department.objects.none(),
        error_messages={"required": _("Tick the departments in scope.")},
    )
    contents = KeyMultipleChoiceField(
        label=_("Checklist"),
        queryset=InspectionContent.objects.none(),
        error_messages={"required": _("Tick what the inspection checks.")},
    )
    team = KeyMultipleChoiceField(
        label=_("Joint inspection team"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Members from several departments (seed 002 联合督查办法 第二条); a random check "
            "draws its inspectors from them."
        ),
    )

    def __init__(self, *args, jurisdiction, **kwargs):
        self.jurisdiction = jurisdiction
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            mode = self.initial.get("mode") or PlanMode.RANDOM
            self.initial.setdefault("mode", mode)
            self.initial.setdefault("basis", BASIS[PlanMode(mode)])
        scope = self.fields["scope"]
        scope.queryset = selectors.scope_candidates(jurisdiction=jurisdiction)
        scope.grouped(lambda d: d.jurisdiction, lambda d: d.name)
        contents = self.fields["contents"]
        contents.queryset = selectors.contents_for_plan()
        contents.grouped(lambda c: ContentSource(c.source).label, lambda c: f"{c.code} {c.name}")
        team = self.fields["team"]
        team.queryset = selectors.team_candidates(jurisdiction=jurisdiction)
        team.grouped(
            lambda u: u.department,
            lambda u: (
                gettext("%(name)s (%(role)s)")
                % {"name": u.get_full_name().strip() or u.username, "role": u.get_role_display()}
            ),
        )

    @property
    def basis_by_mode(self) -> dict[str, str]:
        return {str(mode.value): text for mode, text in BASIS.items()}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        for name, default in (("ratio", 30), ("raised_ratio", 60), ("per_target", 2)):
            if data.get(name) is None:
                data[name] = default
        return {"jurisdiction": self.jurisdiction, **data}


# --- the plan's action panel ---------------------------------------------------------------------


class PlanActionForm(ActionPanelForm):
    def __init__(self, *args, user, plan: Plan, **kwargs):
        self.user = user
        self.plan = plan
        super().__init__(*args, **kwargs)

    def confirm_values(self) -> dict:
        return {"plan": self.plan.title}


class MemberChoiceField(KeyChoiceField):
    def label_from_instance(self, member) -> str:
        return f"{member.user} ({member.department})"


class DepartmentChoiceField(KeyChoiceField):
    def label_from_instance(self, department) -> str:
        return department.name


class ConflictForm(PlanActionForm):
    intro_text = _(
        "回避: the draw never gives a member a department they declared an interest in. "
        "Declared before the commitment is published (or before a re-draw)."
    )
    member = MemberChoiceField(label=_("Member"), queryset=TeamMember.objects.none())
    department = DepartmentChoiceField(label=_("Department"), queryset=Department.objects.none())
    reason = textarea_field(_("Interest"), required=True, rows=2)

    def prepare(self) -> None:
        members = TeamMember.objects.filter(plan=self.plan).select_related("user", "department")
        if not can(self.user, MANAGE, self.plan):
            members = members.filter(user=self.user)
        self.fields["member"].queryset = members.order_by("department__name", "user__username")
        self.fields["department"].queryset = self.plan.scope.order_by("name")

    def arguments(self) -> dict:
        return {
            "user": self.cleaned_data["member"].user,
            "department": self.cleaned_data["department"],
            "reason": self.cleaned_data["reason"],
        }


class CommitForm(PlanActionForm):
    intro_text = _(
        "Publishes the pools of departments and inspectors as they stand, the rules and the "
        "commitment (the hash of a secret seed) on the public draw page, before anyone can "
        "know the result."
    )


class DrawForm(PlanActionForm):
    intro_text = _(
        "Reveals the seed and draws the units and their inspectors; anyone can re-run it on "
        "the public page."
    )
    confirm_text = _("the draw of “%(plan)s” is made and published; it cannot be undone.")


class RedrawForm(PlanActionForm):
    intro_text = _(
        "Only before an inspection of this draw has started. The reason and a new commitment "
        "are published; the earlier draw stays on the public page."
    )
    confirm_text = _("a re-draw of “%(plan)s” is published with your reason.")
    reason = textarea_field(_("Reason for the re-draw"), required=True, rows=2)


class InspectionCreateForm(PlanActionForm):
    intro_text = _(
        "A special inspection, quarterly evaluation or self-inspection names its unit and "
        "inspectors: at least two, none from the unit itself (except a self-inspection)."
    )
    department = DepartmentChoiceField(
        label=_("Unit to inspect"), queryset=Department.objects.none()
    )
    inspectors = KeyMultipleChoiceField(
        label=_("Inspectors"),
        queryset=User.objects.none(),
        error_messages={"required": _("Tick the inspectors.")},
    )

    def prepare(self) -> None:
        self.fields["department"].queryset = self.plan.scope.order_by("name")
        team = User.objects.filter(pk__in=self.plan.team.values("user_id"))
        if not team.exists():
            team = selectors.team_candidates(jurisdiction=self.plan.jurisdiction)
        field = self.fields["inspectors"]
        field.queryset = team.select_related("department").order_by("department__name", "username")
        field.grouped(lambda u: u.department, lambda u: str(u))


class CancelForm(PlanActionForm):
    destructive = True
    intro_text = _("Only before an inspection of the plan has started.")
    confirm_text = _("“%(plan)s” is cancelled; this cannot be undone.")
    reason = textarea_field(_("Reason for cancelling"), required=True, rows=2)


# --- the inspection's action panel ---------------------------------------------------------------


class InspectionActionForm(ActionPanelForm):
    def __init__(self, *args, user, inspection: Inspection, **kwargs):
        self.user = user
        self.inspection = inspection
        super().__init__(*args, **kwargs)

    def confirm_values(self) -> dict:
        return {"unit": self.inspection.department}


class NotifyForm(InspectionActionForm):
    intro_text = _(
        "Seed 004 二(三)2: the written notice tells the unit the basis, scope, content and "
        "procedure. It is generated from the plan as an official document, numbered, kept as "
        "issued and delivered to the unit's clerks."
    )
    confirm_text = _("the written notice to %(unit)s is numbered and sent.")
    meet_on = date_field(_("The inspection begins on"))

    def clean_meet_on(self):
        day = self.cleaned_data["meet_on"]
        if day < today():
            raise forms.ValidationError(_("The inspection cannot begin before today."))
        return day


def _file_help() -> str:
    return gettext("At most %(count)s files of up to %(size)s MB each (%(types)s).") % {
        "count": services.MAX_FILES,
        "size": services.MAX_BYTES // (1024 * 1024),
        "types": ", ".join(sorted(services.SUFFIXES)),
    }


class RecordForm(UploadsLostMixin, InspectionActionForm):
    intro_text = _(
        "Seed 004 二(三)3–5: the unit's report, a meeting, an interview (with people served) "
        "or the materials reviewed, with its date and files."
    )
    kind = forms.ChoiceField(
        label=_("Step"),
        widget=forms.RadioSelect,
        choices=[
            (kind.value, kind.label)
            for kind in (
                RecordKind.REPORT,
                RecordKind.MEETING,
                RecordKind.INTERVIEW,
                RecordKind.MATERIALS,
            )
        ],
    )
    held_on = date_field(_("Date"))
    text = textarea_field(_("Record"), required=True, rows=4)
    materials = forms.MultipleChoiceField(
        label=_("Materials reviewed"),
        required=False,
        choices=Material.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    people_served = forms.IntegerField(
        label=_("People served interviewed"), min_value=0, max_value=999, required=False
    )
    files = CheckedFilesFormField(label=_("Files"), problems=services.files_problems)

    def prepare(self) -> None:
        self.fields["files"].help_text = _file_help()
        if not self.is_bound:
            self.initial.setdefault("held_on", today())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == RecordKind.MATERIALS and not cleaned.get("materials"):
            self.add_error("materials", _("Tick the materials reviewed."))
        return cleaned

    def arguments(self) -> dict:
        data = super().arguments()
        data["people_served"] = data.get("people_served") or 0
        return data


class FindingForm(InspectionActionForm):
    intro_text = _(
        "A problem found goes into the one ledger (台账, seed 002 联合督查办法 第六条), about "
        "the unit inspected."
    )
    title = forms.CharField(label=_("Problem"), max_length=200)
    description = textarea_field(_("Description"), required=True, rows=4)
    content = KeyChoiceField(
        label=_("Inspection content breached"),
        queryset=InspectionContent.objects.none(),
        required=False,
        empty_label="—",
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.ORDINARY
    )
    found_on = date_field(_("Found on"))
    hot = forms.BooleanField(label=_("Hot (热点)"), required=False)
    hard = forms.BooleanField(label=_("Hard (难点)"), required=False)
    sensitive = forms.BooleanField(label=_("Sensitive (敏感点)"), required=False)

    def prepare(self) -> None:
        self.fields["content"].queryset = self.inspection.plan.contents.order_by("order", "code")
        if not self.is_bound:
            self.initial.setdefault("found_on", today())


class FinishForm(InspectionActionForm):
    intro_text = _(
        "Seed 004 二(三)6: tell the unit the problems found and the preliminary "
        "rectification requirements. The result is then due for publication within "
        "%(days)s working days."
    )
    confirm_text = _("the inspection of %(unit)s ends with this feedback.")
    feedback = textarea_field(_("Preliminary rectification requirements"), required=True, rows=4)

    def intro_values(self) -> dict:
        return {"days": services.policy_for(self.inspection.plan.jurisdiction).publish_days}


class PublishForm(InspectionActionForm):
    intro_text = _(
        "双随机、一公开: the result goes on the public draw page. Write it for the public: no "
        "personal data."
    )
    confirm_text = _("the result of the inspection of %(unit)s is published.")
    result = textarea_field(_("Result"), required=True, rows=4)
