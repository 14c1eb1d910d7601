"""Staff pages of the intake and the credit exchange (issue 14 §4, §5).

- Case systems' keys: a department's clerks (and the administrators of its jurisdiction) list
  their keys, make one (its secret is shown on that page only, never again) and revoke one
  (irreversible: the page asks first).
- The Excel import of decisions: the template, the upload, the dry run's progress and its
  problems by row and column, the confirmation, the result.
- The credit exchange (双公示, seed 002 管理办法 第十二条): what the user may export, as CSV or
  Excel, and the address of the API feed.

Reads go through decisions.selectors (a record the user may not see is "not found"), writes
through decisions.services; a refusal (DomainError) is shown with the form, nothing typed lost.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core import throttle
from core.pagination import list_page, page_number
from core.permissions import Action, can
from core.services import DomainError
from core.views import PermissionRequiredMixin, RecordLookupMixin
from registry.importer import MAX_BYTES

from . import intake_forms as forms
from . import selectors
from .choices import DecisionState, ImportState
from .models import ApiToken, Decision, ImportJob
from .services import credit, imports, intake

JOBS_PER_PAGE = 25
# The page that waits for a workbook reloads itself this often (seconds).
PREPARING_REFRESH_SECONDS = 3


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _intake_nav(user) -> list[tuple[str, str, str]]:
    """The pages of this part the user may open: (url name, label, key)."""
    pages = []
    if can(user, Action.VIEW, ApiToken):
        pages.append((reverse("decisions:tokens"), _("Case system keys"), "tokens"))
    if can(user, Action.VIEW, ImportJob):
        pages.append((reverse("decisions:imports"), _("Excel imports"), "imports"))
    if can(user, Action.VIEW, Decision):
        pages.append((reverse("decisions:credit"), _("Credit exchange (双公示)"), "credit"))
    return pages


class IntakeContextMixin:
    section = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(intake_nav=_intake_nav(self.request.user), section=self.section)
        return context


# --- case systems' keys --------------------------------------------------------------------


class TokenListView(PermissionRequiredMixin, IntakeContextMixin, TemplateView):
    """Issue 14 §5: the keys of the departments the user keeps them for, newest first."""

    required_model = ApiToken
    template_name = "decisions/token_list.html"
    section = "tokens"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            tokens=list(selectors.api_tokens(user=user)),
            may_add=can(user, Action.ADD, ApiToken),
            intake_url=self.request.build_absolute_uri(reverse("decisions-api:intake")),
        )
        return context


class TokenCreateView(PermissionRequiredMixin, IntakeContextMixin, TemplateView):
    """A new key: its secret is shown once, on the answer to the form, and kept nowhere."""

    required_model = ApiToken
    required_action = Action.ADD
    template_name = "decisions/token_new.html"
    section = "tokens"

    def departments(self):
        return selectors.token_departments(user=self.request.user)

    def get(self, request, *args, **kwargs):
        form = forms.TokenForm(departments=self.departments())
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = forms.TokenForm(request.POST, departments=self.departments())
        if form.is_valid():
            try:
                token, secret = intake.api_token_create(
                    actor=request.user,
                    department=form.cleaned_data["department"],
                    name=form.cleaned_data["name"],
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                context = self.get_context_data(
                    token=token,
                    secret=secret,
                    intake_url=request.build_absolute_uri(reverse("decisions-api:intake")),
                )
                return _no_store(render(request, "decisions/token_created.html", context))
        return self.render_to_response(self.get_context_data(form=form))


class TokenRevokeView(PermissionRequiredMixin, RecordLookupMixin, IntakeContextMixin, TemplateView):
    """Revoking a key asks first (irreversible: the case system needs a new key)."""

    required_model = ApiToken
    required_action = Action.CHANGE
    template_name = "decisions/token_revoke.html"
    record_attribute = "token"
    section = "tokens"

    @property
    def not_found(self) -> str:
        return _("There is no such key that you may see.")

    def find(self):
        return selectors.api_token(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=forms.ConfirmForm()))

    def post(self, request, *args, **kwargs):
        form = forms.ConfirmForm(request.POST)
        if form.is_valid():
            try:
                intake.api_token_revoke(actor=request.user, token=self.token)
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _("The key “%(name)s” is revoked: calls with it are refused from now on.")
                    % {"name": self.token.name},
                )
                return redirect("decisions:tokens")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["token"] = self.token
        return context


# --- the Excel import ------------------------------------------------------------------------


def _job_context(job: ImportJob) -> dict:
    return {
        "job": job,
        "running": job.state in imports.PENDING,
        "percent": imports.job_percent(job),
    }


class ImportListView(PermissionRequiredMixin, IntakeContextMixin, TemplateView):
    """Issue 14 §5: the department's Excel imports of decisions, newest first."""

    required_model = ImportJob
    template_name = "decisions/import_list.html"
    section = "imports"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = list_page(
            selectors.import_jobs(user=user),
            order=("-created_at", "-pk"),
            number=page_number(self.request.GET.get("page")),
            per_page=JOBS_PER_PAGE,
        )
        context.update(
            rows=page.object_list,
            page_obj=page,
            paginator=page,
            is_paginated=page.has_other_pages(),
            query="",
            may_add=can(user, Action.ADD, ImportJob),
            running=tuple(imports.PENDING),
        )
        return context


class ImportCreateView(PermissionRequiredMixin, IntakeContextMixin, TemplateView):
    """The upload: every row is checked in the background first (the dry run)."""

    required_model = ImportJob
    required_action = Action.ADD
    template_name = "decisions/import_new.html"
    section = "imports"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=forms.ImportUploadForm()))

    def post(self, request, *args, **kwargs):
        form = forms.ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = imports.import_job_create(
                    actor=request.user, upload=form.cleaned_data["file"]
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                return redirect("decisions:import", pk=job.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            max_rows=imports.MAX_ROWS,
            max_megabytes=MAX_BYTES // (1024 * 1024),
            template_url=reverse("decisions:import-template"),
        )
        return context


class ImportTemplateView(PermissionRequiredMixin, View):
    """The template of the user's department: the columns, the instructions, the choices."""

    required_model = ImportJob
    required_action = Action.ADD

    def get(self, request, *args, **kwargs):
        response = HttpResponse(
            imports.workbook_template(user=request.user), content_type=credit.XLSX_TYPE
        )
        response["Content-Disposition"] = content_disposition_header(True, "行政决定导入模板.xlsx")
        return response


class ImportView(PermissionRequiredMixin, RecordLookupMixin, IntakeContextMixin, TemplateView):
    """One import: its progress while it runs (the page refreshes its status part by
    itself), then the problems by row and column, the confirmation or the result."""

    required_model = ImportJob
    template_name = "decisions/import_detail.html"
    record_attribute = "job"
    section = "imports"

    @property
    def not_found(self) -> str:
        return _("There is no such import that you may see.")

    def find(self):
        return selectors.import_job(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        context.update(
            _job_context(job),
            confirm_form=kwargs.get("confirm_form") or forms.ConfirmForm(),
            may_confirm=job.state == ImportState.CHECKED
            and job.created_by_id == self.request.user.pk,
        )
        return context

    def get(self, request, *args, **kwargs):
        return _no_store(super().get(request, *args, **kwargs))

    def post(self, request, *args, **kwargs):
        form = forms.ConfirmForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(confirm_form=form))
        try:
            imports.import_job_confirm(actor=request.user, job=self.job)
        except DomainError as refused:
            messages.error(request, str(refused))
        return redirect("decisions:import", pk=self.job.pk)


class ImportProgressView(PermissionRequiredMixin, RecordLookupMixin, View):
    """The import's progress as JSON (for scripts and the page's own refresh)."""

    required_model = ImportJob
    record_attribute = "job"

    @property
    def not_found(self) -> str:
        return _("There is no such import that you may see.")

    def find(self):
        return selectors.import_job(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        job = self.job
        return _no_store(
            JsonResponse(
                {
                    "state": job.state,
                    "state_label": job.get_state_display(),
                    "running": job.state in imports.PENDING,
                    "rows_total": job.rows_total,
                    "rows_done": job.rows_done,
                    "percent": imports.job_percent(job),
                    "problems": len(job.problems),
                    "imported": job.imported,
                }
            )
        )


# --- the credit exchange ---------------------------------------------------------------------


class CreditView(PermissionRequiredMixin, IntakeContextMixin, TemplateView):
    """双公示 (seed 002 管理办法 第十二条, seed 001 第十二条): the published licence and penalty
    decisions the user may see, as files and as the API feed. Two counts, whatever the data."""

    required_model = Decision
    template_name = "decisions/credit_index.html"
    section = "credit"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        kinds = []
        for kind, label in (
            (credit.LICENCE, _("Licences (行政许可)")),
            (credit.PENALTY, _("Penalties (行政处罚)")),
        ):
            found = (
                selectors.credit_decisions(user=user, kind=kind)
                .order_by()
                .aggregate(
                    count=Count("id"), revoked=Count("id", filter=Q(state=DecisionState.REVOKED))
                )
            )
            kinds.append(
                {
                    "kind": kind,
                    "label": label,
                    "count": found["count"],
                    "revoked": found["revoked"],
                    "csv_url": reverse("decisions:credit-export", args=[kind, "csv"]),
                    "xlsx_url": reverse("decisions:credit-export", args=[kind, "xlsx"]),
                    "feed_url": self.request.build_absolute_uri(
                        reverse("decisions-api:credit-feed", args=[kind])
                    ),
                    "headers": credit.headers(kind),
                }
            )
        context["kinds"] = kinds
        return context


class CreditExportView(PermissionRequiredMixin, View):
    """The records of one kind as CSV (streamed) or Excel (built in the request when small, by
    a worker once per state of the data when large; registry.exports does the same), within
    the export limit of each client."""

    required_model = Decision

    def get(self, request, kind: str, fmt: str):
        if kind not in credit.KINDS or fmt not in credit.FORMATS:
            raise Http404(_("There is no such export."))
        queryset = selectors.credit_decisions(user=request.user, kind=kind).order_by(
            "decided_on", "id"
        )
        name = credit.filename(kind, fmt)
        if fmt == "csv":
            if refused := self._refused(request):
                return refused
            response = StreamingHttpResponse(
                credit.csv_stream(queryset, kind), content_type=credit.CSV_TYPE
            )
            response["Content-Disposition"] = content_disposition_header(True, name)
            return _no_store(response)
        state, total = credit.data_state(queryset)
        export = credit.credit_export(request.user, kind, fmt, state)
        if not export.ready() and (progress := export.progress()) is not None:
            # Checking on a build asked for already is not counted against the limit.
            return self._preparing(request, progress)
        if refused := self._refused(request):
            return refused
        if not export.ready():
            if total > settings.EXPORT_INLINE_ROWS:
                credit.build_request(export)
                return self._preparing(request, export.progress() or {})
            credit.file_write(export, queryset, kind, total)
        try:
            handle = export.path.open("rb")
        except FileNotFoundError:
            # A newer state replaced it just now: ask again.
            return redirect(request.get_full_path())
        response = FileResponse(handle, content_type=credit.XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return _no_store(response)

    def _refused(self, request):
        limit = throttle.Limit(
            scope="credit-export",
            count=settings.EXPORT_THROTTLE_COUNT,
            seconds=settings.EXPORT_THROTTLE_SECONDS,
        )
        retry_after = throttle.limit_take(request, limit)
        if retry_after is None:
            return None
        return throttle.throttled_response(
            request, retry_after=retry_after, limit=limit, what=_("exports of the credit exchange")
        )

    def _preparing(self, request, progress: dict):
        response = render(
            request,
            "decisions/credit_preparing.html",
            {
                "progress": progress,
                "refresh_seconds": PREPARING_REFRESH_SECONDS,
                "back_url": reverse("decisions:credit"),
            },
            status=202,
        )
        response["Retry-After"] = str(PREPARING_REFRESH_SECONDS)
        return _no_store(response)
