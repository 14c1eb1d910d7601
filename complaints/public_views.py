"""Public pages of complaints (issue 12 §1, §3, §10, §12): the complaint form with its item
picker and captcha, the tracking page, and the statistics with their Excel export.

No page here shows personal data: the form's success page shows the code and secret to whoever
just sent the form; the tracking page shows what selectors.complaint_track returns (stages,
dates, due moments, answers), never a name, contact, document, evidence, staff name or staff
opinion; the statistics are aggregates. Pages that hold a secret or what a person typed are
never stored by a browser or proxy (Cache-Control: no-store).

Flood protection (issue 12 §10) needs no outside service: per-client limits (core.throttle)
on sending the form and on the tracking page, a stricter one on wrong code and secret pairs, a
captcha drawn by the site (core.captcha) once a client has sent a few complaints, and a
honeypot field. A complaint is committed before the next request's limits are counted, so a
flood never loses one already received."""

import io
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from openpyxl import Workbook

from core import captcha, throttle
from core.checkers import writer_text
from core.services import DomainError

from . import forms, selectors, services
from .choices import ComplaintState, Ground, RefusalGround, StepKind, Transition

# --- limits (config/settings/base.py says why each is what it is) ------------------------------


def file_limit() -> throttle.Limit:
    return throttle.Limit(
        scope="complaint-file",
        count=settings.COMPLAINT_FILE_THROTTLE_COUNT,
        seconds=settings.COMPLAINT_FILE_THROTTLE_SECONDS,
    )


def captcha_gate() -> captcha.Gate:
    return captcha.Gate(
        scope="complaint-file",
        after=settings.COMPLAINT_CAPTCHA_AFTER,
        seconds=settings.COMPLAINT_CAPTCHA_SECONDS,
    )


def track_limit() -> throttle.Limit:
    return throttle.Limit(
        scope="complaint-track",
        count=settings.COMPLAINT_TRACK_THROTTLE_COUNT,
        seconds=settings.COMPLAINT_TRACK_THROTTLE_SECONDS,
    )


def track_failure_limit() -> throttle.Limit:
    return throttle.Limit(
        scope="complaint-track-failure",
        count=settings.COMPLAINT_TRACK_FAILURE_COUNT,
        seconds=settings.COMPLAINT_TRACK_FAILURE_SECONDS,
    )


def _blocked_key(request) -> str:
    return f"complaint-track-blocked:{throttle.client_key(request)}"


def track_refused(request):
    """The 429 of the tracking page (the page and the API share it), or None: first the limit
    on requests, then the block that follows too many wrong code and secret pairs."""
    limit = track_limit()
    retry_after = throttle.limit_take(request, limit)
    if retry_after is not None:
        return throttle.throttled_response(
            request, retry_after=retry_after, limit=limit, what=_("the tracking page")
        )
    until = cache.get(_blocked_key(request))
    if until is not None and until > time.time():
        return throttle.throttled_response(
            request,
            retry_after=max(1, math.ceil(until - time.time())),
            limit=track_failure_limit(),
            what=_("tracking with a wrong code or secret"),
        )
    return None


def track_failed(request):
    """Counts a wrong code and secret pair: past the limit, the client is refused everything
    on the tracking page until the window ends (a right pair too, so that guessing learns
    nothing), and this 429 is the answer."""
    limit = track_failure_limit()
    retry_after = throttle.limit_take(request, limit)
    if retry_after is None:
        return None
    cache.set(_blocked_key(request), time.time() + retry_after, timeout=retry_after + 1)
    return throttle.throttled_response(
        request,
        retry_after=retry_after,
        limit=limit,
        what=_("tracking with a wrong code or secret"),
    )


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- the complaint form (issue 12 §1) -------------------------------------------------------------


def _grounds_hint(entries) -> list[str]:
    suggested = []
    for entry in entries:
        suggested.extend(ground for ground in selectors.suggested_grounds(entry))
    return list(dict.fromkeys(suggested))


class ComplaintFileView(TemplateView):
    """Anyone files a complaint (issue 12 §1; seed 004 五(二)). `?item=<code>` (the item page's
    link) names the item and preselects the ground its standing suggests."""

    template_name = "complaints/public_form.html"

    def get(self, request, *args, **kwargs):
        initial = {}
        entry = None
        code = request.GET.get("item", "").strip()
        if code and len(code) <= 64:
            entry = selectors.public_entry(code=code)
        if entry is not None:
            initial = {"items": entry.code, "department": entry.department_id}
            suggested = selectors.suggested_grounds(entry)
            if suggested:
                initial["ground"] = suggested[0]
        form = forms.ComplaintForm(initial=initial, captcha=captcha_gate().required(request))
        named = [entry] if entry is not None else []
        return _no_store(self.render_to_response(self.form_context(form, named=named)))

    def form_context(self, form, *, named=None, invalid: bool = False) -> dict:
        if named is None:
            named = [
                entry
                for entry in (selectors.public_entry(code=code) for code in form.item_codes()[:10])
                if entry is not None
            ]
        return self.get_context_data(
            form=form,
            invalid=invalid,
            named=named,
            suggested=[Ground(value).label for value in _grounds_hint(named)],
            suggested_values=_grounds_hint(named),
        )

    def post(self, request, *args, **kwargs):
        limit = file_limit()
        retry_after = throttle.limit_take(request, limit)
        if retry_after is not None:
            return throttle.throttled_response(
                request, retry_after=retry_after, limit=limit, what=_("sending the complaint form")
            )
        gate = captcha_gate()
        form = forms.ComplaintForm(request.POST, request.FILES, captcha=gate.required(request))
        if form.trapped:
            # Issue 12 §10: the honeypot. Nothing is saved and nothing says why.
            return _no_store(render(request, "complaints/public_refused.html", status=400))
        if request.POST.get("captcha_new"):
            # "Another picture": the form again with everything typed, nothing sent.
            form.captcha_renew()
            return _no_store(self.render_to_response(self.form_context(form)))
        once = form.once_key
        if once and not cache.add(f"complaint-form:{once}", "", timeout=86400):
            return _no_store(
                render(
                    request,
                    "complaints/public_filed.html",
                    {"again": True, "code": cache.get(f"complaint-form:{once}")},
                )
            )
        if form.is_valid():
            try:
                filed = services.complaint_file(
                    actor=request.user if request.user.is_authenticated else None,
                    **form.arguments(),
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                gate.count(request)
                if once:
                    cache.set(f"complaint-form:{once}", filed.complaint.code, timeout=86400)
                return _no_store(
                    render(
                        request,
                        "complaints/public_filed.html",
                        {
                            "filed": filed,
                            "tracked": selectors.complaint_track(
                                code=filed.complaint.code, secret=filed.secret
                            ),
                            "emailed": bool(filed.complaint.email),
                            "anonymous": filed.complaint.anonymous,
                        },
                    )
                )
        if once:
            # Refused: the same form may be sent again once corrected.
            cache.delete(f"complaint-form:{once}")
        if form.captcha:
            form.captcha_renew()
        return _no_store(self.render_to_response(self.form_context(form, invalid=True)))


class ItemPickerView(View):
    """The search-as-you-type picker (issue 12 §1): published items matching `q`, as JSON
    (code, name, implementing body, standing and the grounds it suggests)."""

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "")[:100]
        entries = selectors.entries_for_picker(query=query)
        return JsonResponse(
            {
                "items": [
                    {
                        "code": entry.code,
                        "name": entry.name,
                        "department": str(entry.department),
                        "list": entry.get_list_kind_display(),
                        "status": entry.get_status_display(),
                        "grounds": [str(ground) for ground in selectors.suggested_grounds(entry)],
                        "url": reverse("registry:entry", args=[entry.code]),
                    }
                    for entry in entries
                ]
            },
            json_dumps_params={"ensure_ascii": False},
        )


class CaptchaView(View):
    """The captcha's picture (core.captcha): drawn anew on every request, never cached."""

    def get(self, request, *args, **kwargs):
        picture = captcha.svg(kwargs["token"])
        if picture is None:
            raise Http404(_("This picture has expired: ask for another."))
        response = HttpResponse(picture, content_type="image/svg+xml")
        response["X-Content-Type-Options"] = "nosniff"
        return _no_store(response)


# --- the tracking page (issue 12 §3) ----------------------------------------------------------

# How the complainant reads each stage and each open step (never who acted).
STAGE_LABELS = {
    Transition.FILE: gettext_lazy("Received"),
    Transition.ACCEPT: gettext_lazy("Accepted"),
    Transition.REFUSE: gettext_lazy("Not accepted"),
    Transition.TRANSFER: gettext_lazy("Transferred to another jurisdiction"),
    Transition.MERGE: gettext_lazy("Merged with an earlier complaint"),
    Transition.REASSIGN: gettext_lazy("Passed to the responsible body"),
    Transition.EXTEND: gettext_lazy("Handling period extended"),
    Transition.CLOSE: gettext_lazy("Answered and closed"),
    Transition.RATE: gettext_lazy("Rated by the complainant"),
    Transition.REVIEW_REQUEST: gettext_lazy("Review asked for"),
    Transition.REVIEW: gettext_lazy("Review answered"),
}
WAITING_LABELS = {
    StepKind.ACCEPT: gettext_lazy("Decision on acceptance"),
    StepKind.HANDLE: gettext_lazy("Investigation and answer by the responsible body"),
    StepKind.REASSIGN: gettext_lazy("Passing to the responsible body"),
    StepKind.CHECK: gettext_lazy("The reform office's check of the answer"),
    StepKind.REVIEW: gettext_lazy("Review (复查 or 复核)"),
}
REVIEW_LABELS = {1: gettext_lazy("Review (复查)"), 2: gettext_lazy("Second review (复核)")}


@dataclass(frozen=True)
class StageRow:
    label: str
    at: object
    note: str
    extra: str


def _stage_rows(tracked: selectors.Tracked) -> list[StageRow]:
    complaint = tracked.complaint
    rows = []
    for stage in tracked.stages:
        extra = ""
        if stage.transition == Transition.REFUSE and complaint.refusal_ground:
            extra = str(RefusalGround(complaint.refusal_ground).label)
        elif stage.transition == Transition.EXTEND and complaint.extension_days:
            extra = _("Extended by %(days)s days.") % {"days": complaint.extension_days}
        rows.append(
            StageRow(
                label=str(STAGE_LABELS.get(stage.transition, stage.label)),
                at=stage.at,
                note=stage.note,
                extra=extra,
            )
        )
    return rows


def waiting_label(step) -> str:
    """What the complainant reads for an open step (a review says which round it is)."""
    if step.kind == StepKind.REVIEW and step.round in REVIEW_LABELS:
        return str(REVIEW_LABELS[step.round])
    return str(WAITING_LABELS.get(step.kind, step.kind))


def _waiting(tracked: selectors.Tracked) -> list[tuple[str, object]]:
    return [(waiting_label(step), step) for step in tracked.open_steps]


class TrackView(TemplateView):
    """Issue 12 §3: with its code and secret (POST), a complaint's state, public stages, due
    moments, items and answer; once closed, the complainant rates it and may ask for a review
    (信访工作条例 art. 21, 35–36). Wrong pairs are throttled per client."""

    template_name = "complaints/public_track.html"

    def get(self, request, *args, **kwargs):
        return _no_store(self.render_to_response(self.get_context_data(form=forms.TrackForm())))

    def post(self, request, *args, **kwargs):
        refused = track_refused(request)
        if refused is not None:
            return _no_store(refused)
        form = forms.TrackForm(request.POST)
        if not form.is_valid():
            return _no_store(self.render_to_response(self.get_context_data(form=form)))
        code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
        tracked = selectors.complaint_track(code=code, secret=secret)
        if tracked is None:
            throttled = track_failed(request)
            if throttled is not None:
                return _no_store(throttled)
            form.add_error(
                None,
                _(
                    "No complaint matches this tracking code and secret. Check both as they "
                    "were shown when the complaint was received."
                ),
            )
            return _no_store(self.render_to_response(self.get_context_data(form=form)))
        action = request.POST.get("action", "")
        rate_form = forms.RateForm(request.POST if action == "rate" else None)
        review_form = forms.ReviewRequestForm(request.POST if action == "review" else None)
        notice = ""
        acted = {"rate": rate_form, "review": review_form}.get(action)
        if acted is not None and acted.is_valid():
            try:
                if action == "rate":
                    services.complaint_rate(
                        actor=None,
                        complaint=tracked.complaint,
                        secret=secret,
                        rating=rate_form.cleaned_data["rating"],
                    )
                    notice = _("Thank you: your rating is recorded.")
                else:
                    services.complaint_review_request(
                        actor=None,
                        complaint=tracked.complaint,
                        secret=secret,
                        reasons=review_form.cleaned_data["reasons"],
                    )
                    notice = _(
                        "Your request for a review is received; its answer is due by the date "
                        "shown below."
                    )
            except DomainError as refusal:
                acted.add_error(None, str(refusal))
            else:
                tracked = selectors.complaint_track(code=code, secret=secret)
                rate_form, review_form = forms.RateForm(), forms.ReviewRequestForm()
        return _no_store(
            self.render_to_response(
                self.tracked_context(
                    tracked,
                    code=code,
                    secret=secret,
                    notice=notice,
                    rate_form=rate_form,
                    review_form=review_form,
                )
            )
        )

    def tracked_context(self, tracked, **kwargs) -> dict:
        complaint = tracked.complaint
        now = timezone.now()
        closed = complaint.state == ComplaintState.CLOSED
        if closed and complaint.rating and not kwargs["rate_form"].is_bound:
            kwargs["rate_form"] = forms.RateForm(initial={"rating": complaint.rating})
        merged = tracked.merged_into
        return self.get_context_data(
            tracked=tracked,
            complaint=complaint,
            stages=_stage_rows(tracked),
            waiting=_waiting(tracked),
            received_on=timezone.localdate(complaint.received_at),
            merged=merged,
            merged_stages=_stage_rows(merged) if merged else [],
            merged_waiting=_waiting(merged) if merged else [],
            may_rate=closed,
            may_review=closed and tracked.review_due is not None and now <= tracked.review_due,
            review_round=complaint.review_round + 1,
            **kwargs,
        )


# --- statistics (issue 12 §12) ------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One table of the statistics, for the page and for a sheet of the workbook: its rows'
    labels (one or more columns) and counts, with each count's share of the largest."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[tuple[str, ...], int, int]]


def _table(key: str, title, columns, pairs) -> Table:
    largest = max((count for _labels, count in pairs), default=0)
    return Table(
        key=key,
        title=str(title),
        columns=tuple(str(column) for column in columns),
        rows=[
            (tuple(labels), count, round(100 * count / largest) if largest else 0)
            for labels, count in pairs
        ],
    )


def statistics_tables(stats: selectors.Statistics) -> list[Table]:
    return [
        _table(
            "ground",
            _("Complaints by ground"),
            [_("Ground")],
            [((g,), n) for g, n in stats.by_ground],
        ),
        _table(
            "departments",
            _("Departments with the most complaints"),
            [_("Jurisdiction"), _("Department")],
            [((place, department), n) for place, department, n in stats.top_departments],
        ),
        _table(
            "channel",
            _("Complaints by channel"),
            [_("Channel")],
            [((c,), n) for c, n in stats.by_channel],
        ),
        _table(
            "outcome",
            _("Complaints closed, by outcome"),
            [_("Outcome")],
            [((o,), n) for o, n in stats.by_outcome],
        ),
        _table(
            "state", _("Complaints by state"), [_("State")], [((s,), n) for s, n in stats.by_state]
        ),
        _table(
            "month",
            _("Complaints received by month"),
            [_("Month")],
            [((f"{month:%Y-%m}",), n) for month, n in stats.by_month],
        ),
        _table(
            "rating",
            _("Ratings by the complainants"),
            [_("Rating")],
            [((r,), n) for r, n in stats.ratings],
        ),
    ]


@dataclass(frozen=True)
class Rate:
    label: str
    on_time: int
    done: int
    percent: float | None


def statistics_rates(stats: selectors.Statistics) -> list[Rate]:
    return [
        Rate(
            _("Acceptance decided on time (信访工作条例 art. 23)"),
            *stats.acceptance_on_time,
            stats.rate(stats.acceptance_on_time),
        ),
        Rate(
            _("Answers given on time (信访工作条例 art. 34)"),
            *stats.answer_on_time,
            stats.rate(stats.answer_on_time),
        ),
    ]


def _period_label(since, until) -> str:
    if since and until:
        if since.month == 1 and since.day == 1 and until == since.replace(month=12, day=31):
            return _("Received in %(year)s") % {"year": since.year}
        return _("Received from %(since)s to %(until)s") % {"since": since, "until": until}
    if since:
        return _("Received since %(since)s") % {"since": since}
    if until:
        return _("Received until %(until)s") % {"until": until}
    return _("All complaints received")


class StatisticsView(TemplateView):
    """Issue 12 §12 (信访工作条例 art. 41's annual report): counts by ground, department,
    channel, outcome, state and month, on-time rates and ratings, for a year or a period; no
    personal data. Every figure is one aggregate query (selectors.statistics)."""

    template_name = "complaints/public_stats.html"

    def get_context_data(self, **kwargs):
        form = forms.StatisticsFilterForm(self.request.GET or None)
        since, until = form.period()
        stats = selectors.statistics(since=since, until=until)
        query = self.request.GET.urlencode() if form.is_bound and form.is_valid() else ""
        return super().get_context_data(
            form=form,
            stats=stats,
            tables=statistics_tables(stats),
            rates=statistics_rates(stats),
            period=_period_label(since, until),
            export_url=reverse("complaints:stats-xlsx") + (f"?{query}" if query else ""),
            **kwargs,
        )


class StatisticsExportView(View):
    """The statistics as an Excel workbook, one sheet per table (issue 12 §12). Small and built
    in the request; counted against the export limit of the lists (EXPORT_THROTTLE_*)."""

    def get(self, request, *args, **kwargs):
        limit = throttle.Limit(
            scope="complaint-stats-export",
            count=settings.EXPORT_THROTTLE_COUNT,
            seconds=settings.EXPORT_THROTTLE_SECONDS,
        )
        retry_after = throttle.limit_take(request, limit)
        if retry_after is not None:
            return throttle.throttled_response(
                request, retry_after=retry_after, limit=limit, what=_("exports of the statistics")
            )
        form = forms.StatisticsFilterForm(request.GET or None)
        since, until = form.period()
        stats = selectors.statistics(since=since, until=until)
        book = Workbook()
        summary = book.active
        summary.title = _("Summary")[:31]
        summary.append([_("Complaint statistics")])
        summary.append([_period_label(since, until)])
        summary.append([_("Complaints received"), stats.total])
        summary.append([])
        summary.append([_("Deadline"), _("On time"), _("Decided"), _("Rate (%)")])
        for rate in statistics_rates(stats):
            summary.append([rate.label, rate.on_time, rate.done, rate.percent])
        for table in statistics_tables(stats):
            sheet = book.create_sheet(_sheet_title(table.title))
            sheet.append([*table.columns, _("Number of complaints")])
            for labels, count, _share in table.rows:
                sheet.append([*(writer_text(label) for label in labels), count])
        buffer = io.BytesIO()
        book.save(buffer)
        day = timezone.localdate().isoformat()
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="complaint-statistics-{day}.xlsx"'
        return response


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\.
    return "".join(c for c in title if c not in "[]:*?/\\")[:31]
