"""Public pages of decisions and enforcement disclosure (执法公示, issue 14 §1, §3): the
published decisions, searchable (/decisions/), each on its page, as an Atom feed, and the
confirmed enforcement bodies and certified officers of every department. No login.

Every read goes through decisions.selectors' public selectors, which load the public columns
only: the public (redacted) title, party, content and basis, never the full text, a natural
person's identity number, the party's address or phone, the redactions' explanations, or an
officer's phone or e-mail. Where a part is withheld the page says so and why (the reason kinds
of the Redaction rows, seed 002 监督检查办法 第十三条: 除涉及国家秘密、商业秘密和个人隐私外).

These pages are not kept by core.page_cache: its key follows the register's publication state,
which a decision's publication does not move (the inspections' public pages are not cached
either)."""

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core.calendar import SHANGHAI
from core.checkers import ControlFreeAtom1Feed
from core.forms import is_key
from core.pagination import page_number
from registry.views import SelectField as Select
from registry.views import _depth, _grouped

from . import selectors
from .choices import LICENCE_CATEGORY, PENALTY_CATEGORY, DecisionState, PenaltyKind
from .choices import RedactionReason as Reason
from .public_query import DecisionQuery, decision_query

PER_PAGE = 25
DIRECTORY_PER_PAGE = 50
FEED_SIZE = 50


def filter_selects(user, query: DecisionQuery) -> list[Select]:
    """The choices of the search form: three small queries whatever the number of decisions.
    Jurisdictions a level at a time (registry.selectors), the departments of the chosen one
    (else of the top one) that have a confirmed body; a value given stays selectable."""
    data = query.filterset.form.data
    chosen = {
        name: str(data.get(name, "")) for name in ("jurisdiction", "department", "kind", "penalty")
    }
    jurisdictions = list(selectors.public_jurisdictions(user=user, code=chosen["jurisdiction"]))
    top = min((_depth(j) for j in jurisdictions), default=0)
    department = int(chosen["department"]) if is_key(chosen["department"]) else None
    departments = selectors.public_departments(
        user=user,
        jurisdiction_code=chosen["jurisdiction"] if jurisdictions else "",
        department_id=department,
    )
    selects = [
        Select(
            "jurisdiction",
            _("Jurisdiction"),
            _("All jurisdictions"),
            _grouped(
                [("", j.code, "\u3000" * (_depth(j) - top) + j.name) for j in jurisdictions],
                chosen["jurisdiction"],
            ),
        ),
        Select(
            "department",
            _("Department"),
            _("All departments"),
            _grouped(
                [(d.jurisdiction.name, d.pk, d.name) for d in departments], chosen["department"]
            ),
        ),
        Select(
            "kind",
            _("Kind of decision"),
            _("All kinds"),
            _grouped(
                [("", c.code, c.name) for c in selectors.decision_kinds(user=user)],
                chosen["kind"],
            ),
        ),
        Select(
            "penalty",
            _("Kind of penalty"),
            _("Any penalty"),
            _grouped([("", k, str(label)) for k, label in PenaltyKind.choices], chosen["penalty"]),
        ),
    ]
    for select in selects:
        select.errors = query.filterset.form.errors.get(select.name, [])
    return selects


def penalty_labels(decision) -> list[str]:
    return [str(PenaltyKind(k).label) for k in decision.penalty_kinds if k in PenaltyKind.values]


def withheld_reasons(redactions: list[tuple[str, str]]) -> list[str]:
    """The reasons parts are withheld, each once, as the public reads them."""
    reasons = dict.fromkeys(reason for _field, reason in redactions)
    return [str(Reason(reason).label) for reason in reasons if reason in Reason.values]


class SearchView(TemplateView):
    """/decisions/: the published decisions, searched and filtered in the URL, newest first
    (issue 14 §3); linked from each item's page with ?item=<its code>."""

    template_name = "decisions/public_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = decision_query(self.request.GET, user)
        page = query.page(page_number(self.request.GET.get("page")), PER_PAGE)
        context.update(
            current="decisions",
            query=query,
            form=query.filterset.form,
            selects=filter_selects(user, query),
            item=query.item,
            rows=[(decision, penalty_labels(decision)) for decision in page.object_list],
            page_obj=page,
            paginator=page,
            is_paginated=page.has_other_pages(),
            page_range=list(page.get_elided_page_range(page.number)),
            revoked=DecisionState.REVOKED,
        )
        return context


class DecisionView(TemplateView):
    """/decisions/<pk>/: one published decision as published: its public text, and which
    parts are withheld and why. Not found while unpublished."""

    template_name = "decisions/public_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        pk = kwargs["pk"]
        decision = selectors.public_decision(user=user, pk=pk) if is_key(pk) else None
        if decision is None:
            raise Http404(_("No published decision has this number."))
        redactions = (
            selectors.public_redactions(user=user, ids=[pk]).get(pk, [])
            if decision.redacted
            else []
        )
        context.update(
            current="decisions",
            decision=decision,
            reasons=withheld_reasons(redactions),
            # Whose name is withheld is not named by its code or representative either.
            party_withheld=any(name == "party_name" for name, _reason in redactions),
            penalties=penalty_labels(decision),
            is_penalty=decision.category.code == PENALTY_CATEGORY,
            is_licence=decision.category.code == LICENCE_CATEGORY,
            is_revoked=decision.state == DecisionState.REVOKED,
        )
        return context


def _department_filter(request) -> int | None:
    value = request.GET.get("department", "")
    return int(value) if is_key(value) else None


def _directory_page(request, rows) -> dict:
    page = Paginator(rows, DIRECTORY_PER_PAGE).get_page(request.GET.get("page"))
    return {"page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages()}


class BodyListView(TemplateView):
    """/decisions/bodies/: every department's confirmed enforcement bodies (执法主体公示, seed
    004 一(二)6): its own, and the organisations it entrusts with the entrustment's number and
    validity (the papers themselves stay with the staff)."""

    template_name = "decisions/public_bodies.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        department = _department_filter(self.request)
        rows = selectors.public_body_list(user=self.request.user, department_id=department)
        context.update(current="bodies", filtered=department is not None)
        context.update(_directory_page(self.request, rows))
        return context


class OfficerListView(TemplateView):
    """/decisions/officers/: the certified enforcement officers of every department (持证上岗,
    seed 002 监督检查办法 第十一条), by name, certificate number, field and validity; an expired
    certificate is marked so."""

    template_name = "decisions/public_officers.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        department = _department_filter(self.request)
        rows = selectors.public_officers(user=self.request.user, department_id=department)
        context.update(
            current="officers",
            filtered=department is not None,
            today=timezone.localdate(timezone.now(), SHANGHAI),
        )
        context.update(_directory_page(self.request, rows))
        return context


class DecisionFeed(Feed):
    """/decisions/feed/: the newest published decisions as an Atom feed, with the filters of
    /decisions/ in its query string. Every string passes core.checkers.writer_text
    (ControlFreeAtom1Feed), so a control character stored in a title cannot break the XML."""

    feed_type = ControlFreeAtom1Feed
    title = gettext_lazy("Administrative decisions")
    subtitle = gettext_lazy(
        "Licences, penalties and other decisions made under the listed items, as published "
        "(seed 002: within 10 days of service), newest first."
    )

    def get_object(self, request, *args, **kwargs):
        return decision_query(request.GET, request.user)

    def link(self, query: DecisionQuery):
        found = query.filterset.form.data.urlencode() if query.valid else ""
        return reverse("decisions:public-index") + (f"?{found}" if found else "")

    def feed_url(self, query: DecisionQuery):
        return reverse("decisions:public-feed")

    def items(self, query: DecisionQuery):
        rows = query.filtered
        tiers = query.tiers()
        if tiers:
            rows = rows.filter(tiers[-1](True))
        return list(rows.order_by(*selectors.PUBLIC_ORDER)[:FEED_SIZE])

    def item_title(self, item):
        return item.public_title

    def item_description(self, item):
        parts = [
            f"{_('Party')}: {item.public_party_name}",
            f"{_('Decision number')}: {item.number}",
            f"{_('Decided by')}: {item.department.name}",
            f"{_('Decided on')}: {item.decided_on.isoformat() if item.decided_on else ''}",
            f"{_('Kind of decision')}: {item.category.name}",
        ]
        if penalties := penalty_labels(item):
            parts.append(f"{_('Kind of penalty')}: {'、'.join(penalties)}")
        if item.state == DecisionState.REVOKED:
            parts.append(_("This decision has been revoked."))
        return "\n".join(parts)

    def item_link(self, item):
        return reverse("decisions:public-detail", args=[item.pk])

    def item_pubdate(self, item):
        # Beijing time, as the pages show it.
        return timezone.localtime(item.published_at, SHANGHAI)

    def item_updateddate(self, item):
        return timezone.localtime(max(item.published_at, item.updated_at), SHANGHAI)

    def item_author_name(self, item):
        return item.department.name
