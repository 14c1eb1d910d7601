"""Forms of the staff's pages of decisions (issue 14 §1–§3, §5, §6): recording a decision made,
opening a penalty case, correcting a decision, the action panel of a decision's page, the
queue's filters (decisions.filtersets), enforcement bodies, officers and their certificates.

Each form's `arguments()` are the keyword arguments of the service the view calls, besides the
actor and the record. The forms check what a person can correct before sending (types, dates,
the credit code's check character); the services check everything again and have the last
word: their problems by field (services.RowProblems) are shown at the field they concern."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import calendar
from core.checkers import CheckedForm, credit_code_normalise, credit_code_problem, upload_problem
from core.forms import (
    ActionPanelForm,
    KeyChoiceField,
    KeyMultipleChoiceField,
    UploadsLostMixin,
    date_field,
    textarea_field,
)

from . import services
from .choices import BodyKind, DecisionState, PartyKind, PenaltyKind, RedactionReason
from .models import Decision, EnforcementBody
from .services.decisions import VALUE_FIELDS
from .services.files import MAX_BYTES, RECORD_SUFFIXES

# What the public reads instead of each redactable part (services.REDACTABLE).
REDACTABLE_LABELS = {
    "title": _("Case or matter"),
    "party_name": _("Party"),
    "content": _("Facts and content"),
    "basis": _("Legal basis of the decision"),
}
REDACTABLE_CHOICES = list(REDACTABLE_LABELS.items())


def amount_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("In yuan, e.g. 5000 or 5000.50."),
    )


def today() -> datetime.date:
    return timezone.localdate(timezone.now(), calendar.SHANGHAI)


def _files_help() -> str:
    return gettext("A scan or photo of up to %(size)s MB (%(types)s).") % {
        "size": MAX_BYTES // (1024 * 1024),
        "types": ", ".join(RECORD_SUFFIXES),
    }


class CheckedUploadField(forms.FileField):
    """One file, checked by its content as the services check it (core.checkers)."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "read"):
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}
                )
            problem = upload_problem(upload, suffixes=RECORD_SUFFIXES)
            if problem:
                raise forms.ValidationError(problem)
        return upload


def certificate_standing(person, day: datetime.date) -> str:
    """An officer's certificate as the choice of officers shows it: its number and validity
    on `day` (the latest certificate; certificates prefetched newest first)."""
    certificates = list(person.certificates.all())
    if not certificates:
        return gettext("%(name)s — no enforcement certificate") % {"name": person.name}
    latest = certificates[0]
    facts = {
        "name": person.name,
        "number": latest.number,
        "from": date_format(latest.valid_from, "Y-m-d"),
        "until": date_format(latest.valid_until, "Y-m-d"),
    }
    if latest.valid_until < day:
        return gettext("%(name)s · %(number)s, expired on %(until)s") % facts
    if latest.valid_from > day:
        return gettext("%(name)s · %(number)s, valid from %(from)s") % facts
    return gettext("%(name)s · %(number)s, valid until %(until)s") % facts


class OfficerChoiceField(KeyMultipleChoiceField):
    def label_from_instance(self, person) -> str:
        return certificate_standing(person, today())


class ItemChoiceField(KeyChoiceField):
    def label_from_instance(self, entry) -> str:
        return f"{entry.name}（{entry.code}）"


class BodyChoiceField(KeyChoiceField):
    def label_from_instance(self, body) -> str:
        return f"{body.name}（{body.get_state_display()}）"


# --- recording a decision, a case, a correction ------------------------------------------------


class DecisionForm(CheckedForm):
    """A decision already made, recorded by its department's clerk (services.decision_record;
    seed 002 管理办法 第十二条): the item and body, the officers, the party, the decision and its
    dates; a penalty's kinds and amounts or a licence's facts; for a major penalty its legal
    review and collective discussion (seed 002 监督检查办法 第十六条)."""

    SECTIONS = (
        (_("Item, body and officers"), ("item", "body", "officers")),
        (
            _("Party"),
            (
                "party_kind",
                "party_name",
                "party_credit_code",
                "legal_representative",
                "party_id_number",
                "party_contact",
            ),
        ),
        (_("The decision"), ("number", "title", "content", "basis")),
        (_("Penalty: kinds and amounts"), ("penalty_kinds", "fine_amount", "confiscated_amount")),
        (
            _("Licence: certificate and validity"),
            ("licence_name", "licence_number", "valid_from", "valid_until"),
        ),
        (_("Dates"), ("filed_on", "decided_on", "served_on")),
        (
            _("Major penalty: legal review and collective discussion"),
            (
                "major",
                "legal_review_on",
                "legal_reviewer",
                "legal_review_opinion",
                "collective_on",
                "collective_note",
            ),
        ),
    )

    item = ItemChoiceField(
        label=_("Item the decision is made under"),
        queryset=None,
        empty_label=_("(choose the item)"),
        help_text=_("Your department's power and approval items in force."),
    )
    body = BodyChoiceField(
        label=_("Enforcement body"), queryset=None, empty_label=_("(choose the body)")
    )
    officers = OfficerChoiceField(
        label=_("Enforcement officers"),
        queryset=None,
        help_text=_(
            "Only certified officers enforce (seed 002 监督检查办法 第十一条 持证上岗); a penalty "
            "is handled by at least two."
        ),
        error_messages={"required": _("Tick the officers who handled it.")},
    )
    party_kind = forms.ChoiceField(
        label=_("Kind of party"), choices=PartyKind.choices, widget=forms.RadioSelect
    )
    party_name = forms.CharField(label=_("Party's name"), max_length=200)
    party_credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("18 characters (GB 32100-2015); required for an organisation."),
    )
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=50, required=False
    )
    party_id_number = forms.CharField(
        label=_("Identity number (natural persons)"),
        max_length=18,
        required=False,
        help_text=_("Kept for staff; never published (personal privacy)."),
    )
    party_contact = forms.CharField(
        label=_("Party's address and phone"),
        max_length=200,
        required=False,
        help_text=_("Kept for staff; never published."),
    )
    number = forms.CharField(label=_("Decision number"), max_length=100)
    title = forms.CharField(label=_("Case or matter"), max_length=200)
    content = textarea_field(_("Facts and content"), required=True, rows=5)
    basis = textarea_field(_("Legal basis of the decision"), required=True, rows=3)
    penalty_kinds = forms.MultipleChoiceField(
        label=_("Kinds of penalty"),
        choices=PenaltyKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a penalty item."),
    )
    fine_amount = amount_field(_("Fine (yuan)"))
    confiscated_amount = amount_field(_("Confiscated (yuan)"))
    licence_name = forms.CharField(
        label=_("Licence certificate"),
        max_length=100,
        required=False,
        help_text=_("For a licence item: the name of the certificate issued."),
    )
    licence_number = forms.CharField(label=_("Licence number"), max_length=100, required=False)
    valid_from = date_field(_("Licence valid from"), required=False)
    valid_until = date_field(_("Licence valid until"), required=False)
    filed_on = date_field(_("Filed or accepted on"), required=True)
    decided_on = date_field(_("Decided on"), required=True)
    served_on = date_field(
        _("Served on"),
        help_text=_(
            "Once served, the decision is published within 10 days (seed 002 监督检查办法 "
            "第十三条); leave empty while it is not served."
        ),
        required=False,
    )
    major = forms.BooleanField(
        label=_("Major penalty"),
        required=False,
        help_text=_(
            "A fine from the jurisdiction's threshold, or a revocation, closure, suspension or "
            "restriction of practice, is major whether ticked or not."
        ),
    )
    legal_review_on = date_field(_("Legal review on"), required=False)
    legal_reviewer = forms.CharField(label=_("Legal review by"), max_length=100, required=False)
    legal_review_opinion = textarea_field(_("Legal review opinion"))
    collective_on = date_field(_("Collective discussion on"), required=False)
    collective_note = textarea_field(_("Collective discussion record"))

    def __init__(self, *args, items, bodies, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["body"].queryset = bodies
        self.fields["officers"].queryset = officers

    def sections(self) -> list[tuple[str, list]]:
        """The fields in their groups (each a fieldset on the page)."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.SECTIONS
            if any(name in self.fields for name in names)
        ]

    def clean_party_credit_code(self) -> str:
        code = credit_code_normalise(self.cleaned_data.get("party_credit_code") or "")
        if code and (problem := credit_code_problem(code)):
            raise forms.ValidationError(problem)
        return code

    def clean_party_id_number(self) -> str:
        return (self.cleaned_data.get("party_id_number") or "").strip().upper()

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in VALUE_FIELDS if name in data}

    def given(self) -> services.DecisionValues:
        data = self.cleaned_data
        return services.DecisionValues(
            body=data["body"],
            item=data["item"],
            officers=list(data["officers"]),
            values=self.values(),
        )

    def show_problems(self, problems: dict[str, list[str]]) -> None:
        """A service's problems by field (services.RowProblems), each at its field."""
        for name, messages in problems.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class CaseForm(DecisionForm):
    """A penalty case opened here (立案, services.case_file; seed 003 三(二)2): the decision's
    facts come at its decision stage."""

    CASE_FIELDS = (
        "item",
        "body",
        "officers",
        "party_kind",
        "party_name",
        "party_credit_code",
        "legal_representative",
        "party_id_number",
        "party_contact",
        "title",
        "content",
        "basis",
        "filed_on",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.CASE_FIELDS:
                del self.fields[name]
        self.fields["item"].help_text = _("Your department's penalty items in force.")
        self.fields["filed_on"].label = _("Filed on (立案)")
        for name in ("content", "basis"):
            self.fields[name].required = False
        self.fields["content"].label = _("Facts found so far")


class DecisionCorrectForm(DecisionForm):
    """A correction (services.decision_correct): the same facts and the reason, kept in the
    decision's timeline."""

    reason = textarea_field(_("Reason for the correction"), required=True)

    SECTIONS = (*DecisionForm.SECTIONS, (_("The correction"), ("reason",)))

    def __init__(self, *args, decision: Decision, **kwargs):
        super().__init__(*args, **kwargs)
        if decision.state in (
            DecisionState.FILED,
            DecisionState.INVESTIGATING,
            DecisionState.NOTIFIED,
        ):
            for name in ("number", "content", "basis", "decided_on"):
                self.fields[name].required = False
        if decision.served_on is None:
            # Service is its own action ("Served"), never a correction.
            del self.fields["served_on"]


def initial_of(decision: Decision, officers: list) -> dict:
    """The form's initial values from a decision (its correction)."""
    initial = {name: getattr(decision, name) for name in VALUE_FIELDS}
    initial.update(item=decision.item_id, body=decision.body_id, officers=officers)
    return initial


# --- the action panel of a decision's page -----------------------------------------------------


class DecisionActionForm(ActionPanelForm):
    """Base of the decision page's action forms: it knows the decision and the user."""

    def __init__(self, *args, user, decision: Decision, **kwargs):
        self.user = user
        self.decision = decision
        super().__init__(*args, **kwargs)

    def confirm_values(self) -> dict:
        return {"decision": self.decision.number or self.decision.title}

    def show_problems(self, problems: dict[str, list[str]]) -> None:
        for name, messages in problems.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class StageForm(DecisionActionForm):
    """A stage of a case that takes no facts (services.case_advance to `target`)."""

    target: str

    def arguments(self) -> dict:
        return {"to": self.target}


class InvestigateForm(StageForm):
    target = DecisionState.INVESTIGATING
    intro_text = _("The case moves from filing to investigation (调查).")


class NotifyForm(StageForm):
    target = DecisionState.NOTIFIED
    intro_text = _(
        "The party has been told of the facts, grounds and intended penalty and of their rights "
        "(告知)."
    )


class ExecuteForm(StageForm):
    target = DecisionState.EXECUTED
    intro_text = _("The decision is executed and the case is closed (执行).")


class ServeForm(DecisionActionForm):
    intro_text = _(
        "The day the decision was served (送达): its publication is due within 10 days of it "
        "(seed 002 监督检查办法 第十三条)."
    )
    served_on = date_field(_("Served on"), required=True)

    def prepare(self) -> None:
        self.fields["served_on"].initial = today()


class DecideForm(DecisionActionForm):
    """决定: the decision's facts; a major penalty needs its legal review and collective
    discussion first (seed 002 监督检查办法 第十六条)."""

    intro_text = _(
        "The decision's facts. A major penalty cannot be decided without its legal review and "
        "collective discussion."
    )
    number = forms.CharField(label=_("Decision number"), max_length=100)
    content = textarea_field(_("Facts and content"), required=True, rows=4)
    basis = textarea_field(_("Legal basis of the decision"), required=True)
    penalty_kinds = forms.MultipleChoiceField(
        label=_("Kinds of penalty"),
        choices=PenaltyKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the kinds of penalty.")},
    )
    fine_amount = amount_field(_("Fine (yuan)"))
    confiscated_amount = amount_field(_("Confiscated (yuan)"))
    decided_on = date_field(_("Decided on"), required=True)
    major = forms.BooleanField(label=_("Major penalty"), required=False)
    legal_review_on = date_field(_("Legal review on"), required=False)
    legal_reviewer = forms.CharField(label=_("Legal review by"), max_length=100, required=False)
    legal_review_opinion = textarea_field(_("Legal review opinion"))
    collective_on = date_field(_("Collective discussion on"), required=False)
    collective_note = textarea_field(_("Collective discussion record"))

    def prepare(self) -> None:
        if not self.is_bound:
            for name in self.fields:
                value = getattr(self.decision, name, None)
                if value not in (None, "", []):
                    self.fields[name].initial = value
            self.fields["decided_on"].initial = self.decision.decided_on or today()

    def arguments(self) -> dict:
        values = {name: value for name, value in self.cleaned_data.items() if name != "confirm"}
        return {"to": DecisionState.DECIDED, "values": values}


# What a part withheld needs once any of it is given (a row left empty withholds nothing).
REDACTION_NEEDS = {
    "field": _("Choose the part withheld."),
    "reason": _("Choose why the part is not published."),
    "explanation": _("Say why this part is a secret or private."),
}


class RedactionForm(CheckedForm):
    """One part of the decision withheld from the public, with the reason (seed 002 监督检查办法
    第十三条: 国家秘密、商业秘密和个人隐私). A row left empty withholds nothing."""

    field = forms.ChoiceField(
        label=_("Part withheld"),
        required=False,
        choices=[("", _("(choose the part)")), *REDACTABLE_CHOICES],
    )
    reason = forms.ChoiceField(
        label=_("Reason for withholding"),
        required=False,
        choices=[("", _("(choose the reason)")), *RedactionReason.choices],
    )
    explanation = textarea_field(
        _("Explanation of the redaction"),
        rows=2,
        help_text=_("Why this part is a secret or private; kept with the decision for staff."),
    )
    public_text = textarea_field(
        _("Public text instead"),
        rows=3,
        help_text=_(
            "What the public reads in its place, e.g. the text with the secret part cut out; "
            "left empty, the public reads “(withheld)”."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(name) for name in self.fields):
            for name, message in REDACTION_NEEDS.items():
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def redaction(self) -> services.RedactionInput:
        data = self.cleaned_data
        return services.RedactionInput(
            field=data["field"],
            reason=data["reason"],
            explanation=data["explanation"],
            public_text=data.get("public_text") or "",
        )


RedactionFormSet = forms.formset_factory(
    RedactionForm, extra=2, max_num=len(REDACTABLE_LABELS), validate_max=True
)


class PublishForm(DecisionActionForm):
    """公开 with the redactions it needs: each part withheld, why, and what the public reads."""

    intro_text = _(
        "The decision goes on the public site and to the credit exchange (双公示). Withhold a "
        "part only for a state secret, a trade secret or personal privacy, and say why; a "
        "natural person's name is published as surname and 某 whatever you do here."
    )
    confirm_text = _(
        "Decision %(decision)s is published on the site: publication cannot be undone (only "
        "further redaction or revocation)."
    )

    def prepare(self) -> None:
        self.redactions = RedactionFormSet(
            self.data if self.is_bound else None, prefix=f"{self.prefix}-redactions"
        )

    def clean(self):
        cleaned = super().clean()
        if not self.redactions.is_valid():
            raise forms.ValidationError(
                _("Nothing was published. Correct the redactions marked below.")
            )
        return cleaned

    def arguments(self) -> dict:
        return {
            "redactions": [
                form.redaction() for form in self.redactions.forms if form.cleaned_data.get("field")
            ]
        }


class RedactForm(DecisionActionForm):
    """A redaction after publication (a secret noticed late): the public text changes at once."""

    intro_text = _(
        "Withhold a part of the published decision (a secret or private fact noticed late): "
        "the public text changes at once."
    )
    confirm_text = _(
        "The public text of decision %(decision)s changes at once; the redaction stays on record."
    )
    field = RedactionForm.base_fields["field"]
    reason = RedactionForm.base_fields["reason"]
    explanation = RedactionForm.base_fields["explanation"]
    public_text = RedactionForm.base_fields["public_text"]

    def prepare(self) -> None:
        for name in REDACTION_NEEDS:
            self.fields[name].required = True

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "redactions": [
                services.RedactionInput(
                    field=data["field"],
                    reason=data["reason"],
                    explanation=data["explanation"],
                    public_text=data.get("public_text") or "",
                )
            ]
        }


class RevokeForm(DecisionActionForm):
    intro_text = _(
        "A revoked decision stays on record and, if published, on the site marked revoked; the "
        "credit exchange sends its new state."
    )
    confirm_text = _("Decision %(decision)s is revoked; this cannot be undone.")
    destructive = True
    reason = textarea_field(_("Reason for the revocation"), required=True)


class RecordUploadForm(UploadsLostMixin, DecisionActionForm):
    """A record of the case (询问笔录, 现场检查笔录, …), uploaded within 24 hours of being made
    on paper (seed 003 三(二)2)."""

    intro_text = _(
        "Upload each record of the case within %(hours)s hours of making it on paper "
        "(拍照上传). Records are never public."
    )
    title = forms.CharField(label=_("Name of the record"), max_length=200)
    made_at = forms.DateTimeField(
        label=_("Made on paper at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a moment such as 2026-05-01 09:30.")},
    )
    upload = CheckedUploadField(label=_("File"))

    def prepare(self) -> None:
        self.fields["upload"].help_text = _files_help()

    def intro_values(self) -> dict:
        return {"hours": services.policy_for(self.decision.jurisdiction).upload_hours}

    def clean_made_at(self):
        moment = self.cleaned_data["made_at"]
        if moment > timezone.now():
            raise forms.ValidationError(_("A record cannot be made in the future."))
        return moment


# --- enforcement bodies -------------------------------------------------------------------------


class BodyForm(UploadsLostMixin, CheckedForm):
    """A department's enforcement body (执法主体, seed 004 一(二)6): its own, or an organisation
    it entrusts with the entrustment's number, validity and papers (services.body_save)."""

    name = forms.CharField(label=_("Name of the body"), max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind of body"), choices=BodyKind.choices, widget=forms.RadioSelect
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=30, required=False
    )
    basis = textarea_field(_("Legal basis of its power"), required=True)
    entrustment_number = forms.CharField(
        label=_("Entrustment document number"),
        max_length=100,
        required=False,
        help_text=_("For an entrusted organisation."),
    )
    entrusted_from = date_field(_("Entrusted from"), required=False)
    entrusted_until = date_field(_("Entrusted until"), required=False)
    entrustment_file = CheckedUploadField(label=_("Entrustment papers"), required=False)

    def __init__(self, *args, body: EnforcementBody | None = None, **kwargs):
        self.body = body
        super().__init__(*args, **kwargs)
        self.fields["entrustment_file"].help_text = _files_help()
        if body is not None and body.entrustment_file:
            self.fields["entrustment_file"].help_text = gettext(
                "Papers are on file; choose a file only to replace them. %(types)s"
            ) % {"types": _files_help()}

    def clean_credit_code(self) -> str:
        code = credit_code_normalise(self.cleaned_data.get("credit_code") or "")
        if code and (problem := credit_code_problem(code)):
            raise forms.ValidationError(problem)
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != BodyKind.ENTRUSTED:
            return cleaned
        if not cleaned.get("entrustment_number"):
            self.add_error("entrustment_number", _("Give the entrustment document's number."))
        for name in ("entrusted_from", "entrusted_until"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Give the entrustment's validity (from and until)."))
        start, end = cleaned.get("entrusted_from"), cleaned.get("entrusted_until")
        if start and end and end < start:
            self.add_error("entrusted_until", _("An entrustment cannot end before it starts."))
        has_papers = self.body is not None and bool(self.body.entrustment_file)
        missing = not cleaned.get("entrustment_file") and not has_papers
        if missing and "entrustment_file" not in self.errors:
            self.add_error("entrustment_file", _("Attach the entrustment papers."))
        return cleaned

    def arguments(self) -> dict:
        data = dict(self.cleaned_data)
        upload = data.pop("entrustment_file", None)
        return {"values": data, "entrustment_file": upload or None}


class BodyActionForm(ActionPanelForm):
    def __init__(self, *args, user, body: EnforcementBody, **kwargs):
        self.user = user
        self.body = body
        super().__init__(*args, **kwargs)

    def confirm_values(self) -> dict:
        return {"body": self.body.name, "department": self.body.department.name}


class BodyConfirmForm(BodyActionForm):
    intro_text = _(
        "审核、确认、公布 (seed 002 监督检查办法 第十一条): once confirmed, the body is published "
        "on the site and may act."
    )
    confirm_text = _("%(body)s of %(department)s is confirmed and published on the site.")


class BodyWithdrawForm(BodyActionForm):
    intro_text = _(
        "A withdrawn body is no longer published and may no longer act; its past decisions keep it."
    )
    confirm_text = _("%(body)s is withdrawn: it may no longer act.")
    destructive = True
    reason = textarea_field(_("Reason for the withdrawal"), required=True)


# --- officers and certificates ------------------------------------------------------------------


class OfficerForm(CheckedForm):
    """An enforcement officer of the department (services.officer_save)."""

    name = forms.CharField(label=_("Officer's name"), max_length=50)
    phone = forms.CharField(
        label=_("Work phone"),
        max_length=40,
        required=False,
        help_text=_("Not published: the public sees the name and certificate number."),
    )


class CertificateForm(CheckedForm):
    """An officer's enforcement certificate (执法证, services.certificate_save)."""

    number = forms.CharField(label=_("Certificate number"), max_length=40)
    issuing_authority = forms.CharField(label=_("Issuing authority"), max_length=100)
    enforcement_field = forms.CharField(
        label=_("Field of enforcement"), max_length=100, required=False
    )
    valid_from = date_field(_("Certificate valid from"), required=True)
    valid_until = date_field(_("Certificate valid until"), required=True)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("A certificate cannot expire before it starts."))
        return cleaned
