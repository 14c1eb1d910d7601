"""The read API of the register (issue 3 §6): public, read-only, paginated.

Every view reads through registry.selectors (or a core model's `.restrict(user, "view")`);
the class-level `queryset` only names the model core.api.permissions.RolePermission asks
core.permissions about. `as_of` chooses the base queryset (the register now, or the history
rows in force at the end of that day), so it is validated before any filter runs."""

import datetime

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api.exceptions import ErrorSerializer
from core.api.pagination import ListPagePagination
from core.checkers import CheckedForm
from core.models import Department, Jurisdiction
from core.permissions import Action
from registry import list_query, search, selectors
from registry.choices import LawLevel, LawStatus, ListKind
from registry.display import version_diff
from registry.filtersets import EntryFilter
from registry.models import Category, Entry, Law

from .serializers import (
    AsOfQuerySerializer,
    CategorySerializer,
    DepartmentSerializer,
    DiffQuerySerializer,
    DiffSerializer,
    EntrySerializer,
    JurisdictionSerializer,
    LawDetailSerializer,
    LawSerializer,
    VersionSerializer,
)

HistoricalEntry = Entry.history.model

TAG = "register"
INVALID = OpenApiResponse(ErrorSerializer, description=gettext_lazy("Invalid parameters."))
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=gettext_lazy("Not found."))
AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description=gettext_lazy(
        "The register as it stood at the end of this day (Asia/Shanghai), at the latest "
        "today. Without it: the register in force now."
    ),
)


class ReadOnlyDetail:
    """A detail view whose "not found" says what was looked for, in the reader's language."""

    not_found_message = gettext_lazy("Not found.")

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as missing:
            raise NotFound(self.not_found_message) from missing


# --- the organisation and the categories -----------------------------------------------------


class JurisdictionRead:
    queryset = Jurisdiction.objects.none()
    serializer_class = JurisdictionSerializer

    def get_queryset(self):
        return (
            selectors.jurisdictions_with_counts(user=self.request.user)
            .select_related("parent")
            .order_by("path")
        )


@extend_schema(
    tags=[TAG],
    summary=gettext_lazy("Jurisdictions"),
    description=gettext_lazy(
        "Jurisdictions (city, districts, towns) with the number of their entries in force. Public."
    ),
)
class JurisdictionListView(JurisdictionRead, generics.ListAPIView):
    """Jurisdictions (city, districts, towns) with the number of their entries in force."""


@extend_schema(
    tags=[TAG],
    responses={200: JurisdictionSerializer, 404: NOT_FOUND},
    summary=gettext_lazy("One jurisdiction"),
    description=gettext_lazy(
        "A jurisdiction by its administrative division code, with the number of its entries in "
        "force. Public."
    ),
)
class JurisdictionDetailView(ReadOnlyDetail, JurisdictionRead, generics.RetrieveAPIView):
    lookup_field = "code"
    not_found_message = gettext_lazy("There is no jurisdiction with this code.")


class DepartmentFilter(django_filters.FilterSet):
    jurisdiction = django_filters.CharFilter(
        label=gettext_lazy("Jurisdiction code"), field_name="jurisdiction__code", max_length=12
    )

    class Meta:
        model = Department
        form = CheckedForm
        fields = ["jurisdiction"]


class DepartmentRead:
    queryset = Department.objects.none()
    serializer_class = DepartmentSerializer

    def get_queryset(self):
        return (
            Department.objects.restrict(self.request.user, Action.VIEW)
            .select_related("jurisdiction")
            .order_by("jurisdiction__path", "name", "pk")
        )


@extend_schema(
    tags=[TAG],
    responses={200: DepartmentSerializer(many=True), 400: INVALID},
    summary=gettext_lazy("Departments"),
    description=gettext_lazy(
        "Departments, the implementing bodies of the entries; filter by jurisdiction code. Public."
    ),
)
class DepartmentListView(DepartmentRead, generics.ListAPIView):
    """Departments, the implementing bodies of the entries."""

    filterset_class = DepartmentFilter


@extend_schema(
    tags=[TAG],
    responses={200: DepartmentSerializer, 404: NOT_FOUND},
    summary=gettext_lazy("One department"),
    description=gettext_lazy("A department by its id. Public."),
)
class DepartmentDetailView(ReadOnlyDetail, DepartmentRead, generics.RetrieveAPIView):
    not_found_message = gettext_lazy("There is no department with this id.")


class CategoryFilter(django_filters.FilterSet):
    list = django_filters.ChoiceFilter(
        label=gettext_lazy("List"), field_name="list_kind", choices=ListKind.choices
    )

    class Meta:
        model = Category
        form = CheckedForm
        fields = ["list"]


@extend_schema(
    tags=[TAG],
    responses={200: CategorySerializer(many=True), 400: INVALID},
    summary=gettext_lazy("Categories of the five lists"),
    description=gettext_lazy(
        "The categories of the five lists; an entry's basic code starts with its category's. "
        "Public."
    ),
)
class CategoryListView(generics.ListAPIView):
    """The categories of the five lists; an entry's basic code starts with its category's."""

    queryset = Category.objects.none()
    serializer_class = CategorySerializer
    filterset_class = CategoryFilter

    def get_queryset(self):
        return selectors.categories(user=self.request.user).order_by("list_kind", "order", "pk")


# --- the law register ------------------------------------------------------------------------


class LawFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=LawStatus.choices)
    level = django_filters.ChoiceFilter(label=gettext_lazy("Level"), choices=LawLevel.choices)
    q = django_filters.CharFilter(
        label=gettext_lazy("Words in the name"),
        field_name="name",
        lookup_expr="icontains",
        max_length=50,
    )

    class Meta:
        model = Law
        form = CheckedForm
        fields = ["status", "level", "q"]


class LawRead:
    queryset = Law.objects.none()
    serializer_class = LawSerializer

    def get_queryset(self):
        return selectors.laws(user=self.request.user).order_by("name", "pk")


@extend_schema(
    tags=[TAG],
    responses={200: LawSerializer(many=True), 400: INVALID},
    summary=gettext_lazy("The law register"),
    description=gettext_lazy(
        "Laws, regulations and rules the entries cite; filter by status, level or words in the "
        "name. Public."
    ),
)
class LawListView(LawRead, generics.ListAPIView):
    """The law register: laws, regulations and rules the entries cite."""

    filterset_class = LawFilter


@extend_schema(
    tags=[TAG],
    responses={200: LawDetailSerializer, 404: NOT_FOUND},
    summary=gettext_lazy("One law with its provisions"),
    description=gettext_lazy("A law of the register with the text of its provisions. Public."),
)
class LawDetailView(ReadOnlyDetail, LawRead, generics.RetrieveAPIView):
    """A law with the text of its provisions."""

    serializer_class = LawDetailSerializer
    not_found_message = gettext_lazy("There is no law with this id.")

    def retrieve(self, request, *args, **kwargs):
        law = self.get_object()
        context = {
            **self.get_serializer_context(),
            "provisions": selectors.law_provisions(user=request.user, law=law),
        }
        return Response(LawDetailSerializer(law, context=context).data)


# --- entries -----------------------------------------------------------------------------------


def parse_as_of(query_params) -> datetime.date | None:
    """The as_of parameter (a day after today has no register yet); empty means now."""
    if not query_params.get("as_of"):
        return None
    query = AsOfQuerySerializer(data={"as_of": query_params["as_of"]})
    query.is_valid(raise_exception=True)
    return query.validated_data["as_of"]


def entries_data(entries, *, user, as_of: datetime.date | None) -> list[dict]:
    """Serialises a page of entries (or history rows) with two queries whatever its size: the
    provisions of every basis, and the codes of every sub-item as they stood then."""
    entries = list(entries)
    if not entries:
        return []
    sub_items: dict[int, list[str]] = {}
    rows = (
        selectors.published_entries(user=user, as_of=as_of)
        .filter(parent_id__in=[entry.id for entry in entries])
        .order_by("basic_code", "code")
        .values_list("parent_id", "code")
    )
    for parent_id, code in rows:
        sub_items.setdefault(parent_id, []).append(code)
    context = {"provisions": selectors.provisions_of(entries), "sub_items": sub_items}
    return EntrySerializer(entries, many=True, context=context).data


class EntryFilterBackend(DjangoFilterBackend):
    """EntryFilter filters entries and history rows alike (their field names are the same);
    django-filter's own backend refuses a queryset whose model is not the filter set's."""

    def get_filterset_class(self, view, queryset=None):
        return view.filterset_class


class EntryReadView(generics.GenericAPIView):
    queryset = Entry.objects.none()
    serializer_class = EntrySerializer
    lookup_field = "code"

    def as_of(self) -> datetime.date | None:
        if not hasattr(self, "_as_of"):
            self._as_of = parse_as_of(self.request.query_params)
        return self._as_of

    def get_queryset(self):
        entries = selectors.published_entries(user=self.request.user, as_of=self.as_of())
        return selectors.order_by_path(entries.select_related("parent", "merged_into"))


@extend_schema(
    summary=gettext_lazy("Entries of the five lists"),
    description=gettext_lazy(
        "Published entries, filtered, each with every field of its list. With as_of: the versions "
        "in force at the end of that day. Public."
    ),
    tags=[TAG],
    parameters=[AS_OF],
    responses={200: EntrySerializer(many=True), 400: INVALID},
)
class EntryListView(EntryReadView, generics.ListAPIView):
    """Entries of the five lists, filtered; each with every field of its list. With as_of, the
    versions in force at the end of that day. With q, the closest matches first (the list
    pages' search, registry.search)."""

    filter_backends = [EntryFilterBackend]
    filterset_class = EntryFilter
    pagination_class = ListPagePagination

    def list(self, request, *args, **kwargs):
        as_of = self.as_of()
        query = list_query.entry_query(request.query_params, request.user)
        if not query.valid:
            raise translate_validation(query.filterset.form.errors)
        rows = self.paginator.paginate_list(
            query.filtered.select_related("parent", "merged_into"),
            request,
            order=selectors.REGISTER_ORDER,
            tiers=search.search_tiers(query.filtered, query.keywords),
        )
        return self.get_paginated_response(entries_data(rows, user=request.user, as_of=as_of))


@extend_schema(
    summary=gettext_lazy("One entry"),
    description=gettext_lazy(
        "One published entry by its implementation code, with every field of its list; with "
        "as_of, the version in force at the end of that day. Public."
    ),
    tags=[TAG],
    parameters=[AS_OF],
    responses={200: EntrySerializer, 400: INVALID, 404: NOT_FOUND},
)
class EntryDetailView(EntryReadView):
    """One entry by its implementation code, with every field of its list; with as_of, the
    version in force at the end of that day."""

    def get(self, request, code: str):
        entry = self.get_queryset().filter(code=code).first()
        if entry is None:
            raise NotFound(
                _("There was no published item with this code on that date.")
                if self.as_of()
                else _("There is no published item with this code.")
            )
        (data,) = entries_data([entry], user=request.user, as_of=self.as_of())
        return Response(data)


def _current_entry(user, code: str):
    entry = selectors.entry_by_code(user=user, code=code)
    if entry is None:
        raise NotFound(_("There is no published item with this code."))
    return entry


@extend_schema(
    tags=[TAG],
    responses={200: VersionSerializer(many=True), 404: NOT_FOUND},
    summary=gettext_lazy("The versions of an entry"),
    description=gettext_lazy("The published versions of an entry, newest first. Public."),
)
class EntryHistoryView(generics.ListAPIView):
    """The published versions of an entry, newest first (SPEC §3.3)."""

    queryset = HistoricalEntry.objects.none()
    serializer_class = VersionSerializer

    def get_queryset(self):
        entry = _current_entry(self.request.user, self.kwargs["code"])
        return selectors.entry_versions(user=self.request.user, entry_id=entry.id)


@extend_schema(
    summary=gettext_lazy("Two versions of an entry compared"),
    description=gettext_lazy(
        "Two published versions of an entry side by side, field by field; without parameters the "
        "latest against the one before. Public."
    ),
    tags=[TAG],
    parameters=[DiffQuerySerializer],
    responses={200: DiffSerializer, 400: INVALID, 404: NOT_FOUND},
)
class EntryDiffView(generics.GenericAPIView):
    """Two published versions of an entry side by side, field by field (SPEC §3.3). Without
    parameters: the latest version against the one before."""

    queryset = HistoricalEntry.objects.none()
    serializer_class = DiffSerializer

    def get(self, request, code: str):
        query = DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        entry = _current_entry(request.user, code)
        b = query.validated_data.get("b", entry.version)
        a = query.validated_data.get("a", b - 1)
        a, b = min(a, b), max(a, b)  # the older version on the left, as the pages show it
        versions = {
            row.version: row
            for row in selectors.entry_versions(user=request.user, entry_id=entry.id)
            .filter(version__in={a, b})
            .select_related("category", "parent", "merged_into")
        }
        missing = sorted(v for v in {a, b} - set(versions) if v != 0)
        if missing:
            raise NotFound(
                _("This item has no version %(versions)s.")
                % {"versions": ", ".join(str(v) for v in missing)}
            )
        old, new = versions.get(a), versions[b]
        diff = version_diff(old, new, selectors.provisions_of([row for row in (old, new) if row]))
        return Response(
            DiffSerializer({"code": entry.code, "a": old, "b": new, "fields": diff}).data
        )
