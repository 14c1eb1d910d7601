"""Forms of the complaint pages. The intake forms come first; the staff's action forms
(issue 12 §4–7, §13) follow below their marker: each one's cleaned data are the keyword
arguments of the service services.PERFORM names for its action, so the view hands them over as
they are. The forms check what a person can correct before sending; the services check
everything again and have the last word."""

import datetime
import re
import secrets

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import captcha as core_captcha
from core.checkers import CheckedForm
from core.choices import Role
from core.forms import (
    ActionPanelForm,
    CheckedFilesFormField,
    KeyChoiceField,
    UploadsLostMixin,
    day_field,
    is_key,
    textarea_field,
)
from core.models import Department, Jurisdiction, User
from core.permissions import role_of
from registry.models import Entry

from . import selectors, services
from .choices import (
    FOUND_OUTCOMES,
    STAFF_CHANNELS,
    ComplainantKind,
    Ground,
    IdType,
    Outcome,
    Rating,
    RefusalGround,
    ReviewDecision,
    Transition,
)
from .models import Complaint

# --- intake ---------------------------------------------------------------------------------


def _evidence_help() -> str:
    return gettext(
        "At most %(count)s files of up to %(size)s MB each and %(total)s MB together "
        "(%(types)s). They are seen only by the staff who handle the complaint."
    ) % {
        "count": services.MAX_EVIDENCE_FILES,
        "size": services.MAX_EVIDENCE_BYTES // (1024 * 1024),
        "total": services.MAX_EVIDENCE_TOTAL // (1024 * 1024),
        "types": ", ".join(sorted(services.EVIDENCE_SUFFIXES)),
    }


def _representatives_too_many() -> str:
    # The service's own words (services.complaint_record); formsets format the message with
    # "num", which it does not use.
    return gettext("A group sends at most %(count)s representatives (seed 004 五(二)4).") % {
        "count": services.MAX_REPRESENTATIVES
    }


class EvidenceField(CheckedFilesFormField):
    """Evidence, checked with the service's own rules (services.evidence_problems: the content
    decides the type, a program renamed .pdf is refused)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Evidence"))
        kwargs.setdefault("help_text", lazy(_evidence_help, str)())
        super().__init__(*args, problems=services.evidence_problems, **kwargs)


class GroupedDepartmentField(forms.ModelChoiceField):
    """A department, its options grouped by jurisdiction (selectors.departments_for_form, in
    one query)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=selectors.departments_for_form(), **kwargs)

    def group(self) -> None:
        groups: dict[int, tuple[str, list]] = {}
        for department in self.queryset:
            place = groups.setdefault(department.jurisdiction_id, (department.jurisdiction, []))
            place[1].append((department.pk, department.name))
        self.choices = [
            ("", self.empty_label),
            *[(str(name), rows) for name, rows in groups.values()],
        ]


ITEM_SEPARATORS = re.compile(r"[\s,，、;；]+")


class ItemCodesField(forms.CharField):
    """The implementation codes of the items complained about, as typed or picked (the picker
    fills this box, so the form works without JavaScript); cleans to the published entries."""

    def to_codes(self, value: str) -> list[str]:
        return list(dict.fromkeys(code for code in ITEM_SEPARATORS.split(value or "") if code))

    def clean(self, value):
        value = super().clean(value)
        codes = self.to_codes(value)
        if len(codes) > services.MAX_ITEMS:
            raise forms.ValidationError(
                _("Name at most %(count)s items.") % {"count": services.MAX_ITEMS}
            )
        found = {code: selectors.public_entry(code=code) for code in codes}
        unknown = [code for code, entry in found.items() if entry is None]
        if unknown:
            raise forms.ValidationError(
                _("No published item has the code %(codes)s.") % {"codes": "、".join(unknown)}
            )
        return list(found.values())


class IntakeForm(UploadsLostMixin, CheckedForm):
    """What every complaint states (seed 004 五(二)5): the target (a department and/or list
    items), the ground, the facts and reasons, evidence, and who complains and how to reach
    them, unless anonymous."""

    department = GroupedDepartmentField(
        label=_("Department complained about"),
        required=False,
        empty_label=_("(choose the department)"),
        help_text=_(
            "Or name the items of the lists below: the complaint then goes to the body that "
            "implements them."
        ),
    )
    items = ItemCodesField(
        label=_("Items of the lists"),
        required=False,
        help_text=_(
            "The implementation codes of the items concerned, separated by spaces or commas "
            "(at most 10). Each item's page has a link that fills this in."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    ground = forms.ChoiceField(
        label=_("Ground of the complaint"),
        choices=Ground.choices,
        widget=forms.RadioSelect,
        help_text=_("What seed 004 五(二)1 accepts; choose “Other” if none fits."),
        error_messages={"required": _("Choose the ground of the complaint.")},
    )
    facts = forms.CharField(
        label=_("Facts"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, when and where, and who was involved."),
        error_messages={"required": _("Describe the facts of the complaint.")},
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why it is unlawful or improper, and what you ask for."),
    )
    files = EvidenceField()
    complainant_kind = forms.ChoiceField(
        label=_("You complain as"),
        choices=ComplainantKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Say whether you complain as a citizen, a legal person or another organisation."
            )
        },
    )
    anonymous = forms.BooleanField(label=_("Complain anonymously"), required=False)
    name = forms.CharField(
        label=_("Name (of the person or organisation)"), max_length=100, required=False
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(label=_("Postal address"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].group()
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"

    def item_codes(self) -> list[str]:
        """The codes in the box as typed or picked (for the chosen list shown beside it)."""
        value = self.data.get(self.add_prefix("items")) if self.is_bound else self["items"].initial
        return self.fields["items"].to_codes(value or "")

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("department")
            and not cleaned.get("items")
            and "items" not in self.errors
        ):
            self.add_error(
                "department",
                _("Choose the department the complaint is about, or name an item of the lists."),
            )
        if not cleaned.get("anonymous"):
            if not cleaned.get("name", "").strip():
                self.add_error("name", _("Give your name, or complain anonymously."))
            contact = [cleaned.get(name, "") for name in ("phone", "email", "address")]
            if not any(value.strip() for value in contact) and "email" not in self.errors:
                self.add_error(
                    "phone",
                    _("Give a contact (phone, e-mail or address), or complain anonymously."),
                )
        return cleaned

    def arguments(self) -> dict:
        """The keyword arguments of services.complaint_file and complaint_record."""
        cleaned = self.cleaned_data
        return {
            "department": cleaned["department"],
            "entries": cleaned["items"] or [],
            **{
                name: cleaned[name]
                for name in (
                    "ground",
                    "facts",
                    "reasons",
                    "complainant_kind",
                    "anonymous",
                    "name",
                    "phone",
                    "email",
                    "address",
                    "files",
                )
            },
        }


class ComplaintForm(IntakeForm):
    """The public's form (issue 12 §1, §10): the statement that it is true, a honeypot field
    that people never see, and, once an address has sent a few complaints, a captcha drawn by
    the site (core.captcha)."""

    TRAP = "website"

    truthful = forms.BooleanField(
        label=_(
            "I confirm that what I state is true and objective. Malicious and false complaints "
            "are not allowed (seed 004 五(二)5)."
        ),
        error_messages={
            "required": _(
                "Confirm that what you state is true: malicious and false complaints are not "
                "allowed (seed 004 五(二)5)."
            )
        },
    )
    # Hidden from people by the page's style and from assistive technology; a robot that fills
    # every box fills this one too.
    website = forms.CharField(
        label=_("Leave this box empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    # Sent back with the form: a second arrival of the same form (a reload, a double click)
    # files nothing twice.
    once = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, captcha: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["once"].initial = secrets.token_hex(16)
        self.captcha = captcha
        if captcha:
            self.fields["captcha_token"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=core_captcha.challenge()
            )
            self.fields["captcha"] = forms.CharField(
                label=_("The five digits in the picture"),
                max_length=20,
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
                ),
                help_text=_(
                    "Several complaints came from your address: to tell people from robots, "
                    "type the digits shown. Cannot read them? Ask for another picture."
                ),
                error_messages={"required": _("Type the five digits shown in the picture.")},
            )

    @property
    def trapped(self) -> bool:
        return self.is_bound and bool(self.data.get(self.TRAP, "").strip())

    @property
    def once_key(self) -> str:
        value = self.data.get("once", "") if self.is_bound else ""
        return value if re.fullmatch(r"[0-9a-f]{32}", value) else ""

    @property
    def captcha_challenge(self) -> str:
        """The token of the picture the form shows (its hidden field's value)."""
        if not self.captcha:
            return ""
        if self.is_bound:
            return self.data.get("captcha_token", "")
        return self.fields["captcha_token"].initial

    def clean_captcha(self):
        typed = self.cleaned_data["captcha"]
        if not core_captcha.check(self.data.get("captcha_token", ""), typed):
            raise forms.ValidationError(
                _("The digits do not match the picture: type those of the new picture.")
            )
        return typed

    def captcha_renew(self) -> None:
        """A new picture for the form shown again: each is answered once."""
        self.data = self.data.copy()
        self.data["captcha_token"] = core_captcha.challenge()
        self.data["captcha"] = ""

    def arguments(self) -> dict:
        return {**super().arguments(), "truthful": self.cleaned_data["truthful"]}


class RecordForm(IntakeForm):
    """Staff intake (issue 12 §2): a complaint received by phone, fax, letter, e-mail or in
    person, with the channel, the moment received and, in person, the identity document shown
    (seed 004 五(二)4)."""

    field_order = ["channel", "received_at"]

    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(channel.value, channel.label) for channel in STAFF_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the complaint was received.")},
    )
    received_at = forms.DateTimeField(
        label=_("Received on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("The acceptance period counts from this moment (信访工作条例 art. 23)."),
    )
    id_type = forms.ChoiceField(
        label=_("Identity document shown"),
        choices=[("", _("(none)")), *IdType.choices],
        required=False,
        help_text=_("Required in person (seed 004 五(二)4); staff see the number masked."),
    )
    id_number = forms.CharField(label=_("Identity document number"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_received_at(self):
        moment = self.cleaned_data["received_at"]
        if moment > timezone.now():
            raise forms.ValidationError(_("The day of receipt cannot be in the future."))
        return moment

    def arguments(self) -> dict:
        cleaned = self.cleaned_data
        return {
            **super().arguments(),
            **{name: cleaned[name] for name in ("channel", "received_at", "id_type", "id_number")},
        }


class RepresentativeForm(CheckedForm):
    """One representative of a group complaining in person (seed 004 五(二)4). A row left
    empty is no representative; a row begun needs the name and the document."""

    name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    id_type = forms.ChoiceField(
        label=_("Type of identity document"),
        choices=[("", _("(choose)")), *IdType.choices],
        required=False,
    )
    id_number = forms.CharField(label=_("Identity document number"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(name) for name in ("name", "id_type", "id_number", "phone")):
            for name, message in (
                ("name", _("Give the representative's name.")),
                ("id_type", _("Choose the identity document shown.")),
                ("id_number", _("Give the number of the identity document shown.")),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return cleaned


class RepresentativeRows(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": lazy(_representatives_too_many, str)()}


RepresentativeFormSet = forms.formset_factory(
    RepresentativeForm,
    formset=RepresentativeRows,
    extra=services.MAX_REPRESENTATIVES,
    max_num=services.MAX_REPRESENTATIVES,
    # A sixth row is never built, even from a hand-made POST: the message says why.
    absolute_max=services.MAX_REPRESENTATIVES,
    validate_max=True,
)


def representatives_of(formset) -> list[dict]:
    """services.complaint_record's `representatives`: the rows filled in."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.has_changed() and form.cleaned_data.get("name")
    ]


# --- the tracking page and the statistics ------------------------------------------------------


class TrackForm(CheckedForm):
    """Issue 12 §3: the tracking code and its secret, sent by POST so that neither lands in a
    log or the browser's history."""

    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        help_text=_("As shown when the complaint was received, e.g. TS-7KQ2-M9XD-4HPA."),
        error_messages={"required": _("Give the tracking code.")},
    )
    secret = forms.CharField(
        label=_("Secret"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        help_text=_("The ten characters shown with the code, e.g. 3F8KD-QW27M."),
        error_messages={"required": _("Give the secret.")},
    )


class RateForm(CheckedForm):
    """信访工作条例 art. 21: the complainant rates the handling."""

    rating = forms.ChoiceField(
        label=_("How satisfied are you with the handling?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose satisfied, basically satisfied or not satisfied.")},
    )


class ReviewRequestForm(CheckedForm):
    """信访工作条例 art. 35–36: the complainant asks for a review, with reasons."""

    reasons = forms.CharField(
        label=_("Why the answer should be reviewed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give the reasons for the review.")},
    )


class StatisticsFilterForm(CheckedForm):
    """The period of the statistics: a year, or from and to dates (received on)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    since = day_field(_("Received from"))
    until = day_field(_("Received to"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [
            ("", _("(any year)")),
            *[(year, str(year)) for year in range(this_year, this_year - 10, -1)],
        ]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        return cleaned

    def period(self) -> tuple[datetime.date | None, datetime.date | None]:
        """The first and last days received, from the year or the dates (None: open)."""
        if not self.is_bound or not self.is_valid():
            return None, None
        year = self.cleaned_data.get("year")
        if year:
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        return self.cleaned_data.get("since"), self.cleaned_data.get("until")


# --- staff actions ---


class DepartmentChoiceField(KeyChoiceField):
    """A department, named with its jurisdiction when that is not the complaint's own."""

    home_jurisdiction_id: int | None = None

    def label_from_instance(self, department) -> str:
        if department.jurisdiction_id == self.home_jurisdiction_id:
            return department.name
        return f"{department.jurisdiction} · {department.name}"


class RepeatChoiceField(KeyChoiceField):
    """An earlier complaint of the same matter (selectors.repeats), with how alike it is."""

    similarity: dict[int, float] = {}

    def label_from_instance(self, complaint) -> str:
        share = round(100 * self.similarity.get(complaint.pk, 0))
        return gettext("%(code)s (%(share)s%% alike, %(state)s, received %(day)s)") % {
            "code": complaint.code,
            "state": complaint.get_state_display(),
            "share": share,
            "day": timezone.localdate(complaint.received_at).isoformat(),
        }


class ItemChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def clean(self, value):
        for chosen in value or ():
            if not is_key(chosen):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": chosen},
                )
        return super().clean(value)

    def label_from_instance(self, entry) -> str:
        return f"{entry.code} {entry.name}"


class ActionForm(ActionPanelForm):
    """Base of the complaint page's action forms (core.forms.ActionPanelForm): it knows the
    complaint, the user and the repeats found; `intro` says what the action does and by when
    (the jurisdiction's policy), and `confirm_text` may name the complaint's code."""

    def __init__(self, *args, user, complaint: Complaint, repeats=(), **kwargs):
        self.user = user
        self.complaint = complaint
        self.repeats = list(repeats)
        super().__init__(*args, **kwargs)

    @property
    def policy(self):
        if not hasattr(self, "_policy"):
            self._policy = services.policy_for(self.complaint.jurisdiction)
        return self._policy

    def confirm_values(self) -> dict:
        return {"code": self.complaint.code}

    # Choices shared by several actions.

    def departments_field(self, name: str, *, exclude_own: bool = False) -> None:
        """The departments of the complaint's jurisdiction and those below it."""
        found = Department.objects.filter(
            jurisdiction__path__startswith=self.complaint.jurisdiction.path
        ).select_related("jurisdiction")
        if exclude_own and self.user.department_id:
            found = found.exclude(pk=self.user.department_id)
        field = self.fields[name]
        field.queryset = found.order_by("jurisdiction__path", "name")
        field.home_jurisdiction_id = self.complaint.jurisdiction_id

    def items_field(self, name: str) -> None:
        field = self.fields[name]
        field.queryset = Entry.objects.filter(
            pk__in=self.complaint.items.values("entry_id")
        ).order_by("code")
        if not field.queryset.exists():
            del self.fields[name]

    def repeats_field(self, name: str, *, prefer_answered: bool) -> None:
        field = self.fields[name]
        field.queryset = Complaint.objects.filter(
            pk__in=[repeat.complaint.pk for repeat in self.repeats]
        ).order_by("-received_at")
        field.similarity = {repeat.complaint.pk: repeat.similarity for repeat in self.repeats}
        preferred = [repeat for repeat in self.repeats if repeat.answered == prefer_answered]
        if preferred:
            field.initial = preferred[0].complaint.pk
        if not self.repeats:
            field.help_text = _("No earlier complaint of the same matter was found.")


class AcceptForm(ActionForm):
    intro_text = _(
        "Accept the complaint (信访工作条例 art. 23): it goes to the department that must "
        "answer, which answers within %(days)s days of today (art. 34)."
    )
    responsible = DepartmentChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(the department complained about)"),
    )
    opinion = textarea_field(_("Opinion"))

    def prepare(self) -> None:
        self.departments_field("responsible")
        self.fields["responsible"].help_text = gettext(
            "Leave empty for the department complained about, %(department)s (the "
            "implementing body of the items named)."
        ) % {"department": self.complaint.department}

    def intro_values(self) -> dict:
        return {"days": self.policy.handle_days}


class RefuseForm(ActionForm):
    confirm_text = _(
        "Complaint %(code)s is not accepted and the complainant is told the ground and your "
        "reason; this cannot be undone."
    )
    destructive = True
    intro_text = _(
        "Seed 004 五(二)2: a complaint is refused only on one of these grounds, and the "
        "complainant is told why."
    )
    ground = forms.ChoiceField(
        label=_("Ground for not accepting"),
        choices=RefusalGround.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the ground for not accepting the complaint.")},
    )
    reason = textarea_field(_("Reason told to the complainant"), required=True)
    repeat_of = RepeatChoiceField(
        label=_("Earlier complaint it repeats"),
        queryset=Complaint.objects.none(),
        required=False,
        empty_label=_("(none)"),
        help_text=_(
            "For ground (4), and after two reviews: the earlier complaints of the same matter "
            "found (same department, similar text, same contact)."
        ),
    )

    def prepare(self) -> None:
        self.repeats_field("repeat_of", prefer_answered=True)

    def clean(self):
        cleaned = super().clean()
        repeating = (RefusalGround.REPEAT, RefusalGround.REVIEWS_EXHAUSTED)
        if cleaned.get("ground") in repeating and not cleaned.get("repeat_of"):
            self.add_error("repeat_of", _("Name the earlier complaint this one repeats."))
        return cleaned


class TransferForm(ActionForm):
    intro_text = _(
        "A complaint about another jurisdiction goes to its reform office, which decides on "
        "acceptance within its own period."
    )
    jurisdiction = KeyChoiceField(
        label=_("Jurisdiction it goes to"),
        queryset=Jurisdiction.objects.none(),
        empty_label=_("(choose the jurisdiction)"),
    )
    department = DepartmentChoiceField(
        label=_("Department complained about there"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(unchanged)"),
        help_text=_(
            "A department of the jurisdiction chosen, if the complaint names the wrong one."
        ),
    )
    reason = textarea_field(_("Reason for the transfer"), required=True)

    def prepare(self) -> None:
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.exclude(
            pk=self.complaint.jurisdiction_id
        ).order_by("path")
        field = self.fields["department"]
        field.queryset = (
            Department.objects.exclude(jurisdiction_id=self.complaint.jurisdiction_id)
            .select_related("jurisdiction")
            .order_by("jurisdiction__path", "name")
        )
        field.home_jurisdiction_id = None

    def clean(self):
        cleaned = super().clean()
        place, department = cleaned.get("jurisdiction"), cleaned.get("department")
        if place and department and department.jurisdiction_id != place.pk:
            self.add_error(
                "department", _("The department must belong to the jurisdiction it goes to.")
            )
        return cleaned


class MergeForm(ActionForm):
    confirm_text = _(
        "Complaint %(code)s ends and is handled together with the earlier one, whose answer "
        "its complainant follows; this cannot be undone."
    )
    destructive = True
    intro_text = _(
        "Repeats of one matter are merged rather than handled twice: choose the "
        "earlier complaint still being handled."
    )
    into = RepeatChoiceField(
        label=_("Earlier complaint"),
        queryset=Complaint.objects.none(),
        empty_label=_("(choose the earlier complaint)"),
        error_messages={"required": _("Choose the earlier complaint to merge with.")},
    )
    opinion = textarea_field(_("Opinion"))

    def prepare(self) -> None:
        self.repeats_field("into", prefer_answered=False)


class AnswerForm(ActionForm):
    intro_text = _(
        "Your answer goes to the reform office, which reviews it within %(days)s days (this "
        "product's default) before the complainant is told."
    )
    answer = textarea_field(_("Answer"), required=True, rows=6)

    def intro_values(self) -> dict:
        return {"days": self.policy.check_days}


class DeclineForm(ActionForm):
    confirm_text = _(
        "Complaint %(code)s leaves your department: the reform office passes it to the body "
        "you name."
    )
    intro_text = _(
        "Not ours: name the body that is responsible; the reform office passes "
        "the complaint on within %(days)s days."
    )
    responsible = DepartmentChoiceField(
        label=_("Responsible body"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(choose the responsible body)"),
    )
    reason = textarea_field(_("Reasons"), required=True)

    def prepare(self) -> None:
        self.departments_field("responsible", exclude_own=True)

    def intro_values(self) -> dict:
        return {"days": self.policy.reassign_days}


class ReassignForm(ActionForm):
    intro_text = _(
        "Pass the complaint to the body responsible; its answer is still due within the "
        "period counted from acceptance."
    )
    responsible = DepartmentChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.none(),
        empty_label=_("(choose the responsible department)"),
        error_messages={"required": _("Choose the department responsible.")},
    )
    reason = textarea_field(_("Reason for the transfer"), required=True)

    def prepare(self) -> None:
        self.departments_field("responsible")
        declined = (
            self.complaint.events.filter(transition=Transition.DECLINE)
            .order_by("-at", "-pk")
            .first()
        )
        if declined is not None and declined.detail.get("named"):
            self.fields["responsible"].initial = declined.detail["named"]
            self.fields["responsible"].help_text = _("The body the department named is chosen.")


class ExtendForm(ActionForm):
    intro_text = _(
        "The handling period may be extended once, by at most %(limit)s days (信访工作条例 "
        "art. 34); the complainant is told the reason."
    )
    days = forms.IntegerField(label=_("Days of extension"), min_value=1)
    reason = textarea_field(_("Reason told to the complainant"), required=True)

    def prepare(self) -> None:
        limit = int(self.policy.extension_days)
        self.fields["days"].max_value = limit
        self.fields["days"].validators.append(MaxValueValidator(limit))
        self.fields["days"].widget.attrs.update(min=1, max=limit)

    def intro_values(self) -> dict:
        return {"limit": self.policy.extension_days}


class ReturnForm(ActionForm):
    intro_text = _(
        "The answer goes back to the department with your reasons; its period still runs "
        "from acceptance."
    )
    reasons = textarea_field(_("Reasons for returning the answer"), required=True)


class FindingForm(ActionForm):
    """The outcome's finding, for a substantiated or partly substantiated complaint: which
    department failed, in which items, and how (issue 12 §11)."""

    finding = textarea_field(
        _("Finding: which failure"),
        help_text=_(
            "For a substantiated or partly substantiated complaint: which item, which failure. "
            "Inspections take it into their problem ledger."
        ),
    )
    finding_department = DepartmentChoiceField(
        label=_("Department at fault"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(the responsible department)"),
    )
    found_entries = ItemChoiceField(
        label=_("Items at fault"), queryset=Entry.objects.none(), required=False
    )

    def prepare(self) -> None:
        self.departments_field("finding_department")
        self.fields["finding_department"].help_text = gettext(
            "Leave empty for the responsible department, %(department)s."
        ) % {"department": self.complaint.responsible or self.complaint.department}
        self.items_field("found_entries")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") in FOUND_OUTCOMES and not cleaned.get("finding", "").strip():
            self.add_error("finding", _("A substantiated complaint says which failure was found."))
        return cleaned


class CloseForm(FindingForm):
    confirm_text = _(
        "Complaint %(code)s is closed with this outcome and the complainant is told the "
        "answer; this cannot be undone."
    )
    intro_text = _(
        "Accept the department's answer and close the complaint with its outcome; the "
        "complainant sees the answer and may ask for a review within %(days)s days."
    )
    field_order = ["outcome", "answer"]
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    answer = textarea_field(
        _("Answer told to the complainant"),
        rows=6,
        help_text=_("The department's answer; you may edit it before it is told."),
    )

    def prepare(self) -> None:
        super().prepare()
        self.fields["answer"].initial = self.complaint.answer

    def intro_values(self) -> dict:
        return {"days": self.policy.review_request_days}


class ReviewForm(FindingForm):
    intro_text = _(
        "The complainant asked for a review (信访工作条例 art. 35–36): uphold the answer, or "
        "change it with a new outcome, within %(days)s days."
    )
    field_order = ["decision", "answer", "outcome"]
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the answer is upheld or changed.")},
    )
    answer = textarea_field(_("Answer to the review"), required=True, rows=6)
    outcome = forms.ChoiceField(
        label=_("New outcome"),
        choices=[("", _("(unchanged)")), *Outcome.choices],
        required=False,
        help_text=_("When the answer is changed."),
    )

    def intro_values(self) -> dict:
        return {"days": self.policy.review_days}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == ReviewDecision.CHANGED and not cleaned.get("outcome"):
            self.add_error("outcome", _("A changed answer gives the new outcome."))
        return cleaned


class StandAsideForm(ActionForm):
    confirm_text = _(
        "From now the person stepping aside neither sees complaint %(code)s in their queue "
        "nor acts on it; this cannot be undone."
    )
    intro_text = _(
        "信访工作条例 art. 28 (回避): a member of staff with a direct interest in the complaint "
        "steps aside."
    )
    reason = textarea_field(_("Interest"), required=True)
    person = KeyChoiceField(
        label=_("Person stepping aside"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(myself)"),
        help_text=_("The reform office records it for a member of its jurisdiction's staff."),
    )

    def prepare(self) -> None:
        if role_of(self.user) != Role.OFFICE or not self.user.jurisdiction_id:
            del self.fields["person"]
            return
        aside = self.complaint.stand_asides.values("user_id")
        self.fields["person"].queryset = (
            User.objects.filter(jurisdiction_id=self.user.jurisdiction_id, is_active=True)
            .exclude(role="")
            .exclude(Q(pk=self.user.pk) | Q(pk__in=aside))
            .select_related("department")
            .order_by("department__name", "username")
        )
