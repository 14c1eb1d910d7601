"""Forms of case-file reviews (卷宗评查), the statistics page and the flow-step dates of a
decision (issue 14 §7–§9). Forms check shapes; the rules are the services'."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import calendar
from core.checkers import CheckedForm
from core.forms import ActionPanelForm, KeyChoiceField, date_field, textarea_field

from .models import CaseReview, FlowStepTime
from .services.reviews import MAX_POINT_SCORE, MAX_POINTS, MAX_SAMPLE, default_checklist
from .services.steps import step_limit

# A checklist line: what is checked, a bar, the highest score ("事实清楚 | 15").
_CHECKLIST_LINE = re.compile(r"^(?P<label>.+?)\s*[|｜]\s*(?P<max>\d+)\s*$")


def today() -> datetime.date:
    return timezone.localdate(timezone.now(), calendar.SHANGHAI)


class JurisdictionChoiceField(KeyChoiceField):
    def label_from_instance(self, jurisdiction) -> str:
        return jurisdiction.name


# --- case-file reviews ---------------------------------------------------------------------------


def checklist_text(checklist: list[dict]) -> str:
    return "\n".join(f"{row['label']} | {row['max']}" for row in checklist)


class ReviewCreateForm(CheckedForm):
    """A new case-file review, for services.case_review_create."""

    title = forms.CharField(label=_("Title of the review"), max_length=200)
    jurisdiction = JurisdictionChoiceField(
        label=_("Jurisdiction reviewed"),
        queryset=None,
        help_text=_("Its decisions and those of the jurisdictions below it."),
    )
    period_start = date_field(_("Decided from"))
    period_end = date_field(_("Decided until (inclusive)"))
    sample_size = forms.IntegerField(
        label=_("Files to draw"), min_value=1, max_value=MAX_SAMPLE, initial=10
    )
    checklist = textarea_field(
        _("Checklist"),
        required=True,
        rows=10,
        help_text=_(
            "One point per line: what is checked, a bar, the highest score, e.g. "
            "“事实清楚 | 15”. Filled with this product's default (100 points after the usual "
            "行政处罚案卷评查标准); change it as the review needs."
        ),
    )

    def __init__(self, *args, jurisdictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        first = jurisdictions.first()
        year = today().year
        self.initial.setdefault("jurisdiction", first.pk if first else None)
        self.initial.setdefault("period_start", datetime.date(year - 1, 1, 1))
        self.initial.setdefault("period_end", datetime.date(year - 1, 12, 31))
        self.initial.setdefault("checklist", checklist_text(default_checklist()))

    def clean_checklist(self) -> list[dict]:
        lines = [line.strip() for line in self.cleaned_data["checklist"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_POINTS:
            raise forms.ValidationError(
                _("A checklist has at most %(max)s points.") % {"max": MAX_POINTS}
            )
        points = []
        for number, line in enumerate(lines, start=1):
            match = _CHECKLIST_LINE.match(line)
            if not match or not 1 <= int(match["max"]) <= MAX_POINT_SCORE:
                raise forms.ValidationError(
                    _(
                        "Line %(n)s: write what is checked, a bar and the highest score from 1 "
                        "to %(max)s, e.g. “事实清楚 | 15”."
                    )
                    % {"n": number, "max": MAX_POINT_SCORE}
                )
            points.append({"label": match["label"], "max": int(match["max"])})
        if not points:
            raise forms.ValidationError(_("Give at least one point to check."))
        return points

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned


class ReviewActForm(ActionPanelForm):
    """Committing, drawing and finishing a review: each cannot be undone, so each asks."""

    def __init__(self, *args, review: CaseReview, **kwargs):
        self.review = review
        super().__init__(*args, **kwargs)

    def confirm_values(self) -> dict:
        return {"review": self.review.title}


class CommitForm(ReviewActForm):
    intro_text = _(
        "Freezes the pool (every decision decided in the period in the jurisdiction and below) "
        "and publishes the commitment, the hash of a secret seed, before anyone can know which "
        "files will be drawn."
    )
    confirm_text = _("the pool of “%(review)s” is frozen and its commitment published.")


class DrawForm(ReviewActForm):
    intro_text = _(
        "Reveals the seed and draws the files from the frozen pool; anyone can re-run the draw "
        "from the seed and the pool."
    )
    confirm_text = _("the seed of “%(review)s” is revealed and the files are drawn.")


class FinishForm(ReviewActForm):
    intro_text = _("Closes the review once every drawn file is scored; the scores are final.")
    confirm_text = _("“%(review)s” is finished and its scores can no longer change.")


class ScoreForm(CheckedForm):
    """A file's score: one number per checklist point, and the findings."""

    findings = textarea_field(
        _("Findings"),
        rows=4,
        help_text=_(
            "What is wrong with the file. The findings go to the problem ledger once, as one "
            "problem about the department; they are then followed up there."
        ),
    )

    def __init__(self, *args, checklist: list[dict], locked_findings: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for row in checklist:
            self.fields[self.point_field(row["point"])] = forms.IntegerField(
                label=_("%(point)s (0 to %(max)s)") % {"point": row["label"], "max": row["max"]},
                min_value=0,
                max_value=row["max"],
            )
        # The findings field comes last, after the points.
        self.fields["findings"] = self.fields.pop("findings")
        if locked_findings:
            self.fields["findings"].disabled = True

    @staticmethod
    def point_field(point: str) -> str:
        return f"point_{point}"

    def arguments(self) -> dict:
        return {
            "scores": {
                row["point"]: self.cleaned_data[self.point_field(row["point"])]
                for row in self.checklist
            },
            "findings": self.cleaned_data["findings"],
        }


# --- statistics ---------------------------------------------------------------------------------


class StatisticsForm(CheckedForm):
    jurisdiction = JurisdictionChoiceField(
        label=_("Jurisdiction"),
        queryset=None,
        required=False,
        empty_label=None,
        help_text=_("Its departments and those of the jurisdictions below it."),
    )
    start = date_field(_("Decided from"), required=False)
    end = date_field(_("Decided until (inclusive)"), required=False)

    def __init__(self, *args, jurisdictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return cleaned


# --- the flow-step dates of a decision ----------------------------------------------------------


class FlowStepTimesForm(CheckedForm):
    """The days each flow step of the decision's item started and ended, one pair per step in
    the flow's order; a step left empty did not take place."""

    def __init__(self, *args, flow: list[dict], recorded: list[FlowStepTime], **kwargs):
        super().__init__(*args, **kwargs)
        self.flow = flow
        earlier = {row.order: row for row in recorded}
        for order, row in enumerate(flow, start=1):
            before = earlier.get(order)
            step = {"order": order, "step": row.get("step") or ""}
            self.fields[f"started_{order}"] = date_field(
                _("Step %(order)s %(step)s: started on") % step, required=False
            )
            self.fields[f"finished_{order}"] = date_field(
                _("Step %(order)s %(step)s: ended on") % step, required=False
            )
            if before is not None:
                self.initial.setdefault(f"started_{order}", before.started_on)
                self.initial.setdefault(f"finished_{order}", before.finished_on)

    def steps(self) -> list[dict]:
        """Each step with its two fields, for the template."""
        return [
            {
                "order": order,
                "step": row.get("step") or "",
                "post": row.get("post") or "",
                "limit_days": step_limit(row),
                "started": self[f"started_{order}"],
                "finished": self[f"finished_{order}"],
            }
            for order, row in enumerate(self.flow, start=1)
        ]

    def clean(self):
        cleaned = super().clean()
        for order in range(1, len(self.flow) + 1):
            started = cleaned.get(f"started_{order}")
            finished = cleaned.get(f"finished_{order}")
            names = (f"started_{order}", f"finished_{order}")
            if any(name in self.errors for name in names):
                continue
            if (started is None) != (finished is None):
                name = f"finished_{order}" if finished is None else f"started_{order}"
                self.add_error(name, _("Give both days, or neither if the step did not happen."))
        return cleaned

    def dates(self) -> list[tuple[datetime.date | None, datetime.date | None]]:
        return [
            (self.cleaned_data.get(f"started_{order}"), self.cleaned_data.get(f"finished_{order}"))
            for order in range(1, len(self.flow) + 1)
        ]
