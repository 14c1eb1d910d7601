"""Staff pages of the register (issue 3 §5, §7): a department's entries and drafts, the draft
form, the Excel import and the consistency report. Reads go through registry.selectors,
writes through registry.services; core.permissions decides who may do what."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from core.permissions import Action, can
from core.services import DomainError
from core.views import PermissionRequiredMixin

from . import import_jobs, importer, selectors, services
from .choices import DraftState, EntryStatus, ImportJobState, LawStatus, ListKind
from .display import field_label, version_diff
from .forms import (
    STRUCTURED,
    DraftChoices,
    DraftForm,
    ImportConfirmForm,
    ImportForm,
    RowFormSet,
    form_initial,
    row_formset,
)
from .models import FIELDS_BY_KIND, Draft, Entry, ImportJob
from .permissions import CONSISTENCY

ACTIVE_DRAFTS = (DraftState.OPEN, DraftState.SUBMITTED)


# --- a department's entries and drafts ----------------------------------------------------


@dataclass
class ListSection:
    kind: str
    label: str
    entries: list[Entry] = field(default_factory=list)


class MyEntriesView(PermissionRequiredMixin, TemplateView):
    """Issue 3 §5: a department clerk's published entries, each with its draft, and their
    drafts; the office sees the drafts of its jurisdiction, read-only."""

    required_model = Draft
    template_name = "registry/work_my_entries.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        may_edit = can(user, Action.ADD, Draft)
        drafts = list(
            selectors.drafts(user=user)
            .filter(state__in=ACTIVE_DRAFTS)
            .order_by("department__name", "-updated_at", "-pk")
        )
        sections = []
        if may_edit:
            draft_of = {draft.entry_id: draft for draft in drafts if draft.entry_id}
            by_kind = {kind: ListSection(kind, label) for kind, label in ListKind.choices}
            for entry in selectors.order_by_path(selectors.editable_entries(user=user)):
                entry.draft = draft_of.get(entry.pk)
                by_kind[entry.list_kind].entries.append(entry)
            sections = list(by_kind.values())
        context.update(
            may_edit=may_edit,
            sections=sections,
            drafts=drafts,
            may_import=importer.import_mode(user) is not None,
        )
        return context


class DraftStartView(PermissionRequiredMixin, View):
    """ "Edit draft" on a published entry: its open draft, or a new one from its values."""

    required_model = Draft
    required_action = Action.ADD

    def post(self, request, code: str):
        entry = get_object_or_404(selectors.editable_entries(user=request.user), code=code)
        draft = (
            selectors.drafts(user=request.user).filter(entry=entry, state__in=ACTIVE_DRAFTS).first()
        )
        if draft is None:
            try:
                draft = services.draft_create(actor=request.user, entry=entry)
            except DomainError as refused:
                messages.error(request, str(refused))
                return redirect("registry:my-entries")
            messages.success(request, _("A draft of “%(name)s” was started.") % {"name": entry})
        return redirect("registry:draft-edit", pk=draft.pk)


# --- the draft form -----------------------------------------------------------------------


def _draft_choices(user, *, list_kind: str, department, jurisdiction, entry_id) -> DraftChoices:
    """The options of a draft's related fields: four queries, whatever the register holds."""
    published = selectors.published_entries(user=user).filter(list_kind=list_kind)
    if entry_id:
        published = published.exclude(pk=entry_id)
    parents = published.filter(department=department, parent__isnull=True).order_by("basic_code")
    targets = published.filter(jurisdiction=jurisdiction).order_by("department__name", "basic_code")
    groups: dict[str, list[tuple[int, str]]] = {}
    for provision in selectors.provisions(user=user):
        law = provision.law
        label = law.name
        if law.status == LawStatus.REPEALED:
            label = _("%(law)s (repealed)") % {"law": law.name}
        groups.setdefault(label, []).append((provision.pk, provision.article))
    return DraftChoices(
        categories=[
            (category.pk, f"{category.code} {category.name}")
            for category in selectors.categories(user=user, list_kind=list_kind)
        ],
        parents=[
            (pk, f"{code} {name}")
            for pk, code, name in parents.values_list("pk", "basic_code", "name")
        ],
        merge_targets=[
            (pk, f"{name} · {department_name} ({code})")
            for pk, code, name, department_name in targets.values_list(
                "pk", "code", "name", "department__name"
            )
        ],
        provisions=list(groups.items()),
    )


@dataclass
class DraftEditor:
    """The draft form and its formsets, with the rule messages that belong to a formset."""

    form: DraftForm
    formsets: dict[str, RowFormSet]
    structure_errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def structures(self) -> list[tuple[str, str, RowFormSet, list[str]]]:
        return [
            (name, field_label(name), formset, self.structure_errors.get(name, []))
            for name, formset in self.formsets.items()
        ]

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        return all([formset.is_valid() for formset in self.formsets.values()]) and valid

    def payload(self) -> dict:
        return self.form.payload(self.formsets)

    def bad_fields(self) -> set[str]:
        """The fields and structures that already show a message."""
        return set(self.form.errors) | {
            name for name, formset in self.formsets.items() if not formset.is_valid()
        }

    def add_errors(self, errors: dict[str, list[str]], besides: frozenset | set = frozenset()):
        """services.EntryInvalid's messages, each next to its field (except `besides`: a
        field that could not be read is reported once, by the form)."""
        for name, messages_ in errors.items():
            if name in besides:
                continue
            if name in self.form.fields:
                for message in messages_:
                    self.form.add_error(name, message)
            elif name in self.formsets:
                self.structure_errors.setdefault(name, []).extend(messages_)
            else:
                label = field_label(name) if name in _ENTRY_FIELDS else ""
                for message in messages_:
                    self.form.add_error(
                        None,
                        _("%(field)s: %(message)s") % {"field": label, "message": message}
                        if label
                        else message,
                    )


_ENTRY_FIELDS = {f.name for f in Entry._meta.get_fields()}


def _editor(
    list_kind: str,
    choices: DraftChoices,
    *,
    data=None,
    initial: dict | None = None,
    rows: dict[str, list[dict]] | None = None,
    more: str = "",
) -> DraftEditor:
    """Bound to `data` (a submission to check), or unbound showing `initial` and `rows`
    (the stored draft, or a submission shown again with one more row in `more`)."""
    structures = [name for name in FIELDS_BY_KIND[list_kind] if name in STRUCTURED]
    if data is not None:
        return DraftEditor(
            form=DraftForm(data, list_kind=list_kind, choices=choices),
            formsets={name: row_formset(name, extra=0)(data, prefix=name) for name in structures},
        )
    rows = rows or {}
    formsets = {}
    for name in structures:
        present = rows.get(name, [])
        extra = (1 if name == more else 0) or (0 if present else 1)
        formsets[name] = row_formset(name, extra=extra)(initial=present, prefix=name)
    return DraftEditor(
        form=DraftForm(initial=initial or {}, list_kind=list_kind, choices=choices),
        formsets=formsets,
    )


class DraftFormMixin(PermissionRequiredMixin):
    """What creating and editing a draft share: the form, "add a row" without JavaScript, and
    the service's rule messages put back next to each field."""

    required_model = Draft
    template_name = "registry/work_draft_form.html"

    def choices(self) -> DraftChoices:
        return _draft_choices(
            self.request.user,
            list_kind=self.list_kind,
            department=self.department,
            jurisdiction=self.jurisdiction,
            entry_id=self.entry_id,
        )

    def post(self, request, *args, **kwargs):
        choices = self.choices()
        submitted = _editor(self.list_kind, choices, data=request.POST)
        more = request.POST.get("add_row", "")
        if more in submitted.formsets:
            # "Add a row": the page again with what was typed and one more empty row; the
            # values are shown, not checked.
            shown = _editor(
                self.list_kind,
                choices,
                initial=submitted.form.raw_values(),
                rows={name: fs.raw_rows() for name, fs in submitted.formsets.items()},
                more=more,
            )
            added = shown.formsets[more].forms[-1]
            next(iter(added.fields.values())).widget.attrs["autofocus"] = True
            return self.render_to_response(self.get_context_data(editor=shown))
        valid = submitted.is_valid()
        payload = submitted.payload()
        self.check_basic_code(submitted, payload)
        if valid and submitted.form.is_valid():
            try:
                draft = self.save(payload)
            except services.EntryInvalid as invalid:
                submitted.add_errors(invalid.errors)
            except DomainError as refused:
                submitted.form.add_error(None, str(refused))
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("registry:draft-edit", pk=draft.pk)
        else:
            # Every message at once: the rules are checked on the fields that were readable.
            try:
                services.entry_build(
                    list_kind=self.list_kind,
                    jurisdiction=self.jurisdiction,
                    department=self.department,
                    payload=payload,
                    entry=self.draft_entry(),
                )
            except services.EntryInvalid as invalid:
                submitted.add_errors(invalid.errors, besides=submitted.bad_fields())
        return self.render_to_response(self.get_context_data(editor=submitted, invalid=True))

    def draft_entry(self) -> Entry | None:
        return None

    def check_basic_code(self, editor: DraftEditor, payload: dict) -> None:
        """A department holds a basic code once in each list (the implementation code is made
        of it): say so now rather than when the adjustment is published."""
        code = payload.get("basic_code")
        taken = (
            selectors.published_entries(user=self.request.user)
            .filter(department=self.department, list_kind=self.list_kind, basic_code=code)
            .exclude(pk=self.entry_id)
            .first()
        )
        if taken is not None:
            editor.form.add_error(
                "basic_code",
                _("Your department already has “%(name)s” with this basic code (%(code)s).")
                % {"name": taken.name, "code": taken.code},
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        editor = kwargs.get("editor")
        # What the form shows: the values just sent back, else the saved draft's.
        if editor is not None and editor.form.is_bound:
            payload = editor.payload()
        else:
            payload = getattr(getattr(self, "draft", None), "payload", None) or {}
        context.update(
            list_kind=self.list_kind,
            list_label=ListKind(self.list_kind).label,
            department=self.department,
            repealed_basis=_repealed_basis(payload),
        )
        return context


def _repealed_basis(payload: dict) -> selectors.RepealedBasis | None:
    """Issue 9 §9: a draft that keeps the item in force on a repealed law is flagged (one
    that cancels the item is what the repeal asks for)."""
    if (payload.get("status") or EntryStatus.IN_FORCE) != EntryStatus.IN_FORCE:
        return None
    basis = payload.get("basis")
    note = payload.get("basis_note")
    return selectors.repealed_basis_of(
        Entry(
            basis=basis if isinstance(basis, list) else [],
            basis_note=note if isinstance(note, str) else "",
        )
    )


class DraftCreateView(DraftFormMixin, TemplateView):
    """Issue 3 §5: a draft of a new entry of the clerk's department, in list ?list=<kind>."""

    required_action = Action.ADD

    entry_id = None

    def prepare(self) -> None:
        """After the permission check: which list, and the clerk's own department."""
        self.list_kind = self.request.GET.get("list", "")
        if self.list_kind not in ListKind.values:
            raise Http404(_("Choose one of the five lists."))
        if self.request.user.department_id is None:
            # Drafts belong to a department (a superuser may have none).
            raise PermissionDenied(_("Only a member of a department keeps drafts."))
        self.department = self.request.user.department
        self.jurisdiction = self.department.jurisdiction

    def get(self, request, *args, **kwargs):
        self.prepare()
        editor = _editor(self.list_kind, self.choices(), initial={})
        return self.render_to_response(self.get_context_data(editor=editor))

    def post(self, request, *args, **kwargs):
        self.prepare()
        return super().post(request, *args, **kwargs)

    def save(self, payload: dict) -> Draft:
        return services.draft_create(
            actor=self.request.user, list_kind=self.list_kind, payload=payload
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(editable=True, creating=True)
        return context


class DraftEditView(DraftFormMixin, TemplateView):
    """Issue 3 §5: edit an open draft (its department's clerk); anyone else who may see it,
    or a draft no longer open, gets it read-only. Either way the page compares it with the
    published version, field by field."""

    required_action = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and can(request.user, Action.VIEW, Draft):
            self.draft = get_object_or_404(
                selectors.drafts(user=request.user).select_related(
                    "jurisdiction", "entry__category", "entry__jurisdiction"
                ),
                pk=kwargs["pk"],
            )
            self.list_kind = self.draft.list_kind
            self.department = self.draft.department
            self.jurisdiction = self.draft.jurisdiction
            self.entry_id = self.draft.entry_id
            self.editable = self.draft.is_editable and can(request.user, Action.CHANGE, self.draft)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        editor = None
        if self.editable:
            payload = self.draft.payload
            editor = _editor(
                self.list_kind,
                self.choices(),
                initial=form_initial(payload),
                rows={name: payload.get(name) or [] for name in STRUCTURED},
            )
        return self.render_to_response(self.get_context_data(editor=editor))

    def post(self, request, *args, **kwargs):
        if not self.editable:
            if self.draft.is_editable:
                raise PermissionDenied
            messages.error(request, _("This draft is no longer open and cannot be changed."))
            return redirect("registry:draft-edit", pk=self.draft.pk)
        return super().post(request, *args, **kwargs)

    def save(self, payload: dict) -> Draft:
        return services.draft_save(actor=self.request.user, draft=self.draft, payload=payload)

    def draft_entry(self) -> Entry | None:
        return self.draft.entry

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        diffs, problem = _comparison(self.request.user, self.draft)
        context.update(
            draft=self.draft,
            editable=self.editable,
            diffs=diffs,
            changed=[diff for diff in diffs if diff.changed],
            comparison_problem=problem,
        )
        return context


def _comparison(user, draft: Draft):
    """The stored draft against the published version (all fields; `changed` marks the
    differences), or why the stored values cannot be compared."""
    try:
        built = services.entry_build(
            list_kind=draft.list_kind,
            jurisdiction=draft.jurisdiction,
            department=draft.department,
            payload=draft.payload,
            entry=draft.entry,
        )
    except services.EntryInvalid as invalid:
        return [], "; ".join(
            _("%(field)s: %(problems)s")
            % {
                "field": field_label(name) if name in _ENTRY_FIELDS else name,
                "problems": " ".join(found),
            }
            for name, found in invalid.errors.items()
        )
    published = draft.entry
    provisions = selectors.provisions_of([built, *([published] if published else [])])
    return version_diff(published, built, provisions), ""


class DraftDiscardView(PermissionRequiredMixin, TemplateView):
    """Discard an open draft, after a confirmation page (no JavaScript needed)."""

    required_model = Draft
    required_action = Action.CHANGE
    template_name = "registry/work_draft_discard.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and can(request.user, Action.CHANGE, Draft):
            self.draft = get_object_or_404(selectors.drafts(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.draft.is_editable:
            messages.error(request, _("Only an open draft can be discarded."))
            return redirect("registry:draft-edit", pk=self.draft.pk)
        return self.render_to_response(self.get_context_data(draft=self.draft))

    def post(self, request, *args, **kwargs):
        try:
            services.draft_discard(actor=request.user, draft=self.draft)
        except DomainError as refused:
            messages.error(request, str(refused))
            return redirect("registry:draft-edit", pk=self.draft.pk)
        messages.success(request, _("The draft “%(name)s” is discarded.") % {"name": self.draft})
        return redirect("registry:my-entries")


# --- the Excel import ---------------------------------------------------------------------


class ImportPermissionMixin(AccessMixin):
    """An administrator (publishes) or a department clerk (drafts): importer.import_mode asks
    core.permissions."""

    def dispatch(self, request, *args, **kwargs):
        self.mode = importer.import_mode(request.user)
        if self.mode is None:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class ImportTemplateView(ImportPermissionMixin, View):
    def get(self, request):
        response = HttpResponse(
            importer.workbook_template(user=request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="qingdan-import-template.xlsx"'
        return response


class ImportView(ImportPermissionMixin, TemplateView):
    """Issue 3 §5, issue 10 §2: upload a filled template. The upload starts a job that checks
    every row in the background (the dry run); its page shows the progress, the problems by
    sheet, row and column, and asks to confirm the import of a file with none. The user's
    recent jobs are listed here, so they may leave and come back."""

    template_name = "registry/work_import.html"

    def get(self, request, *args, **kwargs):
        form = ImportForm(max_bytes=importer.MAX_BYTES)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES, max_bytes=importer.MAX_BYTES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            job = import_jobs.import_job_create(
                actor=request.user, upload=form.cleaned_data["file"]
            )
        except DomainError as refused:
            form.add_error(None, str(refused))
            return self.render_to_response(self.get_context_data(form=form))
        return redirect("registry:import-job", pk=job.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            mode=self.mode,
            publishes=self.mode == importer.PUBLISH,
            max_rows=importer.MAX_ROWS,
            max_megabytes=importer.MAX_BYTES // (1024 * 1024),
            template_url=reverse("registry:import-template"),
            jobs=selectors.import_jobs(user=self.request.user)[:JOBS_LISTED],
        )
        return context


JOBS_LISTED = 10


def _done_message(job: ImportJob) -> str:
    count = job.result.get("count", 0)
    if job.mode == importer.PUBLISH:
        text = ngettext(
            "%(count)s entry was imported and published.",
            "%(count)s entries were imported and published.",
            count,
        )
    else:
        text = ngettext(
            "%(count)s draft was made from the file.",
            "%(count)s drafts were made from the file.",
            count,
        )
    return text % {"count": count}


class ImportJobView(ImportPermissionMixin, TemplateView):
    """One import job: its progress while it runs (the page reloads its progress part by
    itself), then the dry run's problems, the confirmation, or the result. Another user's job
    is not found."""

    template_name = "registry/work_import_job.html"

    def dispatch(self, request, *args, **kwargs):
        # Only for those who may import at all: the others are refused by the mixin.
        if importer.import_mode(request.user) is not None:
            self.job = get_object_or_404(selectors.import_jobs(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        per_list = [
            (ListKind(kind).label, count) for kind, count in job.result.get("per_list", {}).items()
        ]
        context.update(
            job=job,
            per_list=per_list,
            publishes=job.mode == importer.PUBLISH,
            done_message=_done_message(job) if job.state == ImportJobState.DONE else "",
            confirm_form=kwargs.get("confirm_form") or ImportConfirmForm(),
            import_url=reverse("registry:import"),
            results_url=reverse(
                "registry:my-entries" if job.mode == importer.DRAFTS else "registry:entries"
            ),
        )
        return context


class ImportJobConfirmView(ImportJobView):
    def get(self, request, *args, **kwargs):
        return redirect("registry:import-job", pk=self.job.pk)

    def post(self, request, *args, **kwargs):
        form = ImportConfirmForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(confirm_form=form))
        try:
            import_jobs.import_job_confirm(actor=request.user, job=self.job)
        except DomainError as refused:
            messages.error(request, str(refused))
        return redirect("registry:import-job", pk=self.job.pk)


# --- consistency across levels ------------------------------------------------------------


class ConsistencyView(PermissionRequiredMixin, TemplateView):
    """Issue 3 §7: the office's report of inconsistencies between levels and departments."""

    required_model = Entry
    required_action = CONSISTENCY
    template_name = "registry/work_consistency.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = selectors.consistency_report(user=self.request.user)
        return context
