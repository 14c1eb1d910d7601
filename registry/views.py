"""The public network's list pages (issue 3 §4, SPEC §10): the published lists filtered in the
URL, browsing by jurisdiction → department → category, and exports of any filtered list. No
login: every read goes through registry.selectors, so the public sees published versions
only."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core import throttle
from core.pagination import capped_count, page_number

from . import exports, list_query, selectors
from .choices import EntryStatus, ListKind
from .list_query import EntryQuery

PAGE_SIZE = 25
# How often the "being prepared" page of a large Excel export checks again (this product's
# default).
PREPARING_REFRESH_SECONDS = 5


def entry_query(request) -> EntryQuery:
    return list_query.entry_query(request.GET, request.user)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass
class SelectField:
    """A filter rendered as a select: options grouped under optional headings."""

    name: str
    label: str
    all_label: str
    groups: list[tuple[str, list[Option]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _grouped(rows, chosen: str) -> list[tuple[str, list[Option]]]:
    """(group, value, label) rows, already in order → optgroups."""
    groups: dict[str, list[Option]] = {}
    for group, value, label in rows:
        groups.setdefault(group, []).append(Option(str(value), label, str(value) == chosen))
    return list(groups.items())


def _depth(jurisdiction) -> int:
    # The path holds one code per level from the city down: "/410100/410106/".
    return jurisdiction.path.count("/") - 2


def filter_selects(user, query: EntryQuery) -> list[SelectField]:
    """The choices of the filter form: one query each for jurisdictions, departments and
    categories, however many there are. A submitted value stays selectable even when it does
    not fit the other filters, so the form always shows what is being filtered on."""
    data = query.filterset.form.data
    chosen = {
        name: data.get(name, "")
        for name in ("list", "jurisdiction", "department", "category", "status")
    }

    # No counts and no scan of the entries: at province scale the form must cost as little
    # as the page it filters. Jurisdictions are offered a level at a time, departments once a
    # jurisdiction is chosen.
    offered = list(
        selectors.jurisdictions_for_filter(
            user=user, code=query.jurisdiction_code or chosen["jurisdiction"]
        )
    )
    top = min((_depth(j) for j in offered), default=0)
    jurisdictions = [("", j.code, "\u3000" * (_depth(j) - top) + j.name) for j in offered]
    department_rows = [
        (d.jurisdiction.name, d.pk, d.name)
        for d in selectors.departments_for_filter(
            user=user,
            jurisdiction_code=query.jurisdiction_code,
            department_id=int(chosen["department"]) if chosen["department"].isdecimal() else None,
        )
    ]

    categories = selectors.categories(user=user)
    if query.list_kind:
        keep = Q(list_kind=query.list_kind)
        if chosen["category"].isdecimal():
            keep |= Q(pk=int(chosen["category"]))
        categories = categories.filter(keep)
    # Power and approval lists share category names and codes: group them by list.
    rank = {kind: position for position, kind in enumerate(ListKind.values)}
    category_rows = [
        (str(ListKind(c.list_kind).label), c.pk, f"{c.code} {c.name}")
        for c in sorted(categories, key=lambda c: rank[c.list_kind])
    ]

    selects = [
        SelectField(
            "list",
            _("List"),
            _("All lists"),
            _grouped([("", k, str(label)) for k, label in ListKind.choices], chosen["list"]),
        ),
        SelectField(
            "jurisdiction",
            _("Jurisdiction"),
            _("All jurisdictions"),
            _grouped(jurisdictions, chosen["jurisdiction"]),
        ),
        SelectField(
            "department",
            _("Department"),
            _("All departments"),
            _grouped(department_rows, chosen["department"]),
        ),
        SelectField(
            "category",
            _("Category"),
            _("All categories"),
            _grouped(category_rows, chosen["category"]),
        ),
        SelectField(
            "status",
            _("Status"),
            _("Any status"),
            _grouped([("", s, str(label)) for s, label in EntryStatus.choices], chosen["status"]),
        ),
    ]
    for select in selects:
        select.errors = query.filterset.form.errors.get(select.name, [])
    return selects


class EntryListView(TemplateView):
    """/lists/: the five lists, filtered, searched and paged in the URL (issue 3 §4)."""

    template_name = "registry/entry_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = entry_query(self.request)
        page = query.page(page_number(self.request.GET.get("page")), PAGE_SIZE)
        context.update(
            query=query,
            form=query.filterset.form,
            selects=filter_selects(self.request.user, query),
            entries=page.object_list,
            page_obj=page,
            paginator=page,
            is_paginated=page.has_other_pages(),
            page_range=list(page.get_elided_page_range(page.number)),
            highlight=query.keywords,
            today=timezone.localdate(),
        )
        return context


# The names of the export formats on the "being prepared" page.
FORMAT_NAMES = {"xlsx": "Excel", "csv": "CSV"}


class EntryExportView(View):
    """The filtered list of /lists/ (every row, not one page) as .xlsx or .csv, within the
    export limit of each client (issue 10 §3; registry.exports for how a large file is built
    once and kept)."""

    fmt = ""

    def get(self, request, *args, **kwargs):
        query = entry_query(request)
        if not query.valid:
            # The list page shows what is wrong with the filters.
            return redirect(f"{reverse('registry:entries')}?{request.GET.urlencode()}")
        day = query.as_of or timezone.localdate()
        filename = exports.filename(day, self.fmt)
        fields = exports.export_fields(query.list_kind)
        export = exports.cached_export(query.params, self.fmt)
        if not export.ready() and (progress := export.progress()) is not None:
            # Checking on a build asked for already costs two file reads: not counted.
            return self._preparing(request, query, progress)
        if refused := self._refused(request):
            return refused
        inline = settings.EXPORT_INLINE_ROWS
        if not export.ready() and capped_count(query.entries, inline) > inline:
            exports.build_request(export)
            return self._preparing(request, query, export.progress() or {})
        try:
            if not export.ready():
                exports.file_inline(export, query.entries, fields)
            return exports.file_response(export.path.open("rb"), filename, self.fmt)
        except FileNotFoundError:
            # The sweep removed it just now: the register has moved on, so ask again.
            return redirect(request.get_full_path())

    def _refused(self, request):
        limit = throttle.Limit(
            scope="export",
            count=settings.EXPORT_THROTTLE_COUNT,
            seconds=settings.EXPORT_THROTTLE_SECONDS,
        )
        retry_after = throttle.limit_take(request, limit)
        if retry_after is None:
            return None
        return throttle.throttled_response(
            request, retry_after=retry_after, limit=limit, what=_("exports of the lists")
        )

    def _preparing(self, request, query, progress: dict):
        querystring = urlencode(query.params)
        response = render(
            request,
            "registry/export_preparing.html",
            {
                "progress": progress,
                "refresh_seconds": PREPARING_REFRESH_SECONDS,
                "list_url": f"{reverse('registry:entries')}?{querystring}",
                "format_name": FORMAT_NAMES[self.fmt],
            },
            status=202,
        )
        response["Retry-After"] = str(PREPARING_REFRESH_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str


# The most jurisdictions the top of /browse/ lists (this product's default): a city with its
# districts and towns fits; a province shows its cities, each city page its counties and each
# county page its towns.
BROWSE_TOP_ROWS = 60


class BrowseView(TemplateView):
    """/browse/: jurisdiction → department → category, each level with its number of entries
    in force; the last level opens /lists/ with those filters. Jurisdictions nest by their
    path, and a jurisdiction's breadcrumb names every jurisdiction above it."""

    template_name = "registry/browse.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        code = self.request.GET.get("jurisdiction", "")
        department_id = self.request.GET.get("department", "")
        browse_url = reverse("registry:browse")
        lists_url = reverse("registry:entries")
        crumbs = [Crumb(_("All jurisdictions"), browse_url)]
        context["crumbs"] = crumbs
        if not code:
            tree = selectors.jurisdictions_top(user=user, rows=BROWSE_TOP_ROWS)
            context["jurisdictions"] = [(j, j.depth) for j in tree]
            return context
        jurisdiction = selectors.jurisdictions_with_counts(user=user).filter(code=code).first()
        if jurisdiction is None:
            raise Http404(_("No such jurisdiction."))
        for above in selectors.jurisdictions_above(user=user, jurisdiction=jurisdiction):
            crumbs.append(
                Crumb(above.name, f"{browse_url}?{urlencode({'jurisdiction': above.code})}")
            )
        here = urlencode({"jurisdiction": jurisdiction.code})
        crumbs.append(Crumb(jurisdiction.name, f"{browse_url}?{here}"))
        context["jurisdiction"] = jurisdiction
        departments = selectors.departments_with_counts(user=user, jurisdiction=jurisdiction)
        if not department_id:
            context["departments"] = [
                (d, f"{browse_url}?{here}&{urlencode({'department': d.pk})}") for d in departments
            ]
            context["below"] = selectors.jurisdictions_below(user=user, jurisdiction=jurisdiction)
            context["all_url"] = f"{lists_url}?{here}"
            return context
        department = (
            departments.filter(pk=department_id).first() if department_id.isdecimal() else None
        )
        if department is None:
            raise Http404(_("No such department."))
        here = urlencode({"jurisdiction": jurisdiction.code, "department": department.pk})
        crumbs.append(Crumb(department.name, f"{browse_url}?{here}"))
        context["department"] = department
        context["all_url"] = f"{lists_url}?{here}"
        by_list: dict[str, list] = {kind: [] for kind in ListKind.values}
        for category in selectors.categories_with_counts(user=user, department=department):
            filters = urlencode({"list": category.list_kind, "category": category.pk})
            by_list[category.list_kind].append((category, f"{lists_url}?{here}&{filters}"))
        context["category_groups"] = [
            (ListKind(kind).label, members) for kind, members in by_list.items() if members
        ]
        return context
