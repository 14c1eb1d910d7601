"""Public pages of inspections (issue 13 §1, §2, §7): what is inspected, the double-random
draws, and the periodic reports (通报) with their PDF and Atom feed. No login.

The draw page is the one people cite: the plan, the pools as they stood when the commitment was
published, the commitment and the pool's hash, the exact pool text; once drawn, the revealed
seed, the result and each inspection's published result, with the browser re-running the draw
(static/inspections/draw.js) and saying whether it gets the same result. Nothing personal: the
inspectors' names are published with the pool (国办发〔2015〕58号: 双随机、一公开), never their
contacts; declared conflicts (回避) show who and which department, never the interest; no
reporter, complainant, notice or finding appears beyond what a published result or report says.

These pages are not kept by core.page_cache: its key follows the register's publication state,
which a draw, a published result or a report does not move (the complaints' public pages are
not cached either)."""

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core.calendar import SHANGHAI
from core.checkers import ControlFreeAtom1Feed
from core.views import file_download

from . import selectors
from .choices import ContentSource, DrawState, InspectionState, NoticeState, PlanMode, ProblemState
from .services.plans import RAISED_WINDOW

DRAWS_PER_PAGE = 20
REPORTS_PER_PAGE = 20
FEED_SIZE = 50
# A report's PDF is rendered by a task right after publication: the page looks again this
# often until it is there.
PDF_REFRESH_SECONDS = 5


def _page(request, queryset, per_page: int) -> dict:
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
    }


class IndexView(TemplateView):
    """/inspections/: what the joint inspections and the double-random checks are, and where
    their contents, draws and reports are published."""

    template_name = "inspections/public_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(current="index", **kwargs)


class ContentListView(TemplateView):
    """/inspections/items/: the published list of inspection contents (抽查事项清单: basis,
    inspecting body, content, method), grouped by where each is written down."""

    template_name = "inspections/public_contents.html"

    def get_context_data(self, **kwargs):
        rows = list(selectors.contents_public(user=self.request.user))
        groups = []
        for value, label in ContentSource.choices:
            found = [row for row in rows if row.source == value]
            if found:
                groups.append({"source": value, "label": label, "contents": found})
        return super().get_context_data(current="contents", groups=groups, **kwargs)


class DrawListView(TemplateView):
    """/inspections/draws/: every draw from its commitment on, newest first; one query a
    page."""

    template_name = "inspections/public_draws.html"

    def get_context_data(self, **kwargs):
        context = _page(
            self.request, selectors.draws_public(user=self.request.user), DRAWS_PER_PAGE
        )
        return super().get_context_data(current="draws", **context, **kwargs)


def _names(ids, names: dict) -> list[str]:
    return [names.get(pk, str(pk)) for pk in ids]


def draw_verification_data(found: selectors.PublicDraw) -> dict | None:
    """What the browser re-runs (static/inspections/draw.js reads it from #draw-data): nothing
    before the draw, as the seed is secret until then."""
    draw = found.draw
    if draw.state == DrawState.COMMITTED or not draw.result:
        return None
    return {
        "seed": draw.revealed_seed,
        "commitment": draw.commitment,
        "pool_hash": draw.pool_hash,
        "snapshot_text": draw.pool,
        "result": draw.result,
    }


def draw_tables(found: selectors.PublicDraw) -> dict:
    """The pools and the result as rows of names (the ids of the pool text resolved)."""
    snapshot = found.snapshot
    departments = {t["id"]: t["name"] for t in snapshot["targets"]}
    departments = {**found.department_names, **departments}
    inspectors = found.inspector_names
    by_unit = {inspection.department_id: inspection for inspection in found.inspections}
    result = []
    for position, target in enumerate((found.draw.result or {}).get("targets", []), start=1):
        inspection = by_unit.get(target["department"])
        steps = getattr(inspection, "publish_steps", []) if inspection else []
        result.append(
            {
                "position": position,
                "unit": departments.get(target["department"], str(target["department"])),
                "inspectors": _names(target["inspectors"], inspectors),
                "inspection": inspection,
                "published": inspection is not None
                and inspection.state == InspectionState.PUBLISHED,
                "publish_step": steps[0] if steps else None,
            }
        )
    return {
        "targets": [
            {
                "name": t["name"],
                "raised": t["raised"],
                "complaints": found.complaints.get(t["id"], 0),
            }
            for t in snapshot["targets"]
        ],
        "inspectors": [
            {"name": i["name"], "department": departments.get(i["department"], "")}
            for i in snapshot["inspectors"]
        ],
        "conflicts": [
            (inspectors.get(user, str(user)), departments.get(unit, str(unit)))
            for user, unit in snapshot["conflicts"]
        ],
        "previous": [
            (inspectors.get(user, str(user)), departments.get(unit, str(unit)))
            for user, unit in snapshot["previous"]
        ],
        "rules": snapshot["rules"],
        "result": result,
    }


class DrawView(TemplateView):
    """/inspections/draws/<pk>/: one draw, checkable by anyone (issue 13 §2; module
    docstring). A fixed number of queries whatever the size of the pools."""

    template_name = "inspections/public_draw.html"

    def get_context_data(self, **kwargs):
        found = selectors.draw_public(user=self.request.user, pk=kwargs["pk"])
        if found is None:
            raise Http404(_("No published draw has this number."))
        return super().get_context_data(
            current="draws",
            found=found,
            draw=found.draw,
            plan=found.plan,
            tables=draw_tables(found),
            drawn=found.draw.state != DrawState.COMMITTED,
            superseded=found.draw.state == DrawState.SUPERSEDED,
            later=[r for r in found.rounds if r.round > found.draw.round],
            verification=draw_verification_data(found),
            window_days=RAISED_WINDOW.days,
            random_mode=found.plan.mode == PlanMode.RANDOM,
            **kwargs,
        )


class ReportListView(TemplateView):
    """/inspections/reports/: the published reports (通报), newest first."""

    template_name = "inspections/public_reports.html"

    def get_context_data(self, **kwargs):
        context = _page(self.request, selectors.reports_public(), REPORTS_PER_PAGE)
        return super().get_context_data(current="reports", **context, **kwargs)


def report_sections(report) -> dict:
    """Report.content with the labels of its choice values, for the page."""
    content = report.content or {}
    return {
        "inspections": [
            {**row, "mode_label": PlanMode(row["mode"]).label}
            for row in content.get("inspections", [])
        ],
        "problems_total": content.get("problems_total", 0),
        "by_content": content.get("problems_by_content", []),
        "by_department": content.get("problems_by_department", []),
        "rectification": [
            {**row, "label": NoticeState(row["state"]).label}
            for row in content.get("rectification", [])
        ],
        "closed": [
            {**row, "label": ProblemState(row["state"]).label} for row in content.get("closed", [])
        ],
        "accountability": content.get("accountability", []),
    }


class ReportView(TemplateView):
    """/inspections/reports/<pk>/: one report as published; its PDF once rendered (the page
    looks again every few seconds until then)."""

    template_name = "inspections/public_report.html"

    def get_context_data(self, **kwargs):
        report = selectors.report_by_id(kwargs["pk"])
        if report is None:
            raise Http404(_("No published report has this number."))
        return super().get_context_data(
            current="reports",
            report=report,
            sections=report_sections(report),
            refresh_seconds=PDF_REFRESH_SECONDS,
            **kwargs,
        )


class ReportPdfView(View):
    """The report's official document (core.documents), as stored: not found until the task
    has rendered it."""

    def get(self, request, pk: int):
        report = selectors.report_by_id(pk)
        if report is None or not report.pdf:
            raise Http404(_("The PDF of this report is not ready."))
        return file_download(
            report.pdf,
            f"report-{report.pk}.pdf",
            missing=_("The PDF of this report is not ready."),
        )


class ReportFeed(Feed):
    """/inspections/reports/feed/: the newest reports as an Atom feed, for readers that follow
    the inspections. Every string passes core.checkers.writer_text (ControlFreeAtom1Feed), so a
    control character stored in a title cannot break the XML."""

    feed_type = ControlFreeAtom1Feed
    title = gettext_lazy("Inspection reports")
    subtitle = gettext_lazy(
        "Reports (通报) of the joint inspections and random checks: what was inspected, the "
        "problems found and how their rectification went, newest first."
    )
    link = reverse_lazy("inspections:public-reports")
    feed_url = reverse_lazy("inspections:public-reports-feed")

    def items(self):
        return selectors.reports_public()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        period = _("Period: %(start)s to %(end)s.") % {
            "start": item.period_start.isoformat(),
            "end": item.period_end.isoformat(),
        }
        return f"{item.jurisdiction.name} · {period}\n{item.summary}"

    def item_link(self, item):
        return reverse("inspections:public-report", args=[item.pk])

    def item_pubdate(self, item):
        # Beijing time, as the pages show it.
        return timezone.localtime(item.published_at, SHANGHAI)

    def item_updateddate(self, item):
        return timezone.localtime(item.published_at, SHANGHAI)

    def item_author_name(self, item):
        return item.jurisdiction.name
