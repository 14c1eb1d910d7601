"""Pages of the core app: the front page, login, each role's home page, the audit trail and the
notifications inbox, and what the apps' pages share (the action panel's entries, file
downloads). Views read through core.selectors and write through core.services."""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import AccessMixin
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from . import calendar, selectors, services, workqueue
from .choices import Role
from .filtersets import AuditEventFilter, filtered
from .forms import ActionPanelForm, is_key
from .models import AuditEvent, Notification
from .permissions import Action, can, role_of
from .services import DomainError


@dataclass(frozen=True)
class Act:
    """One action of a case page's panel (an adjustment request's, a complaint's): the form
    that collects its arguments (for the service the app's PERFORM names) and the words on its
    button."""

    form: type[ActionPanelForm]
    button: str


@dataclass(frozen=True)
class PanelForm:
    """An action's form as the panel shows it, fresh or as the user sent it."""

    name: str
    act: Act
    form: ActionPanelForm


def list_page_context(page, query: str) -> dict:
    """What templates/core/_pagination.html reads of a list page (core.pagination.list_page)
    and the URL's query without its page number."""
    return {
        "page_obj": page,
        "paginator": page,
        "is_paginated": page.has_other_pages(),
        "rows": page.object_list,
        "query": query,
    }


def query_without_page(request) -> str:
    """The URL's query (the list's filters) without its page number, for the pages' links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@dataclass(frozen=True)
class TimelineRow:
    """One event with its states as labels and what its detail records, as (label, text)."""

    event: object
    from_label: str = ""
    to_label: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)


def state_label(choices, value: str) -> str:
    """A state's label among `choices`; a value they no longer hold is shown as it is."""
    return str(choices(value).label) if value in choices.values else value


def event_moment(text: str) -> str:
    """A moment an event's detail records (ISO text) as the timelines show it, in Beijing time."""
    moment = datetime.datetime.fromisoformat(text).astimezone(calendar.SHANGHAI)
    if moment.time() == calendar.END_OF_DAY:
        # A period ends at 24:00 of its last day, as the due moments everywhere say.
        return f"{date_format(moment, 'Y-m-d')} 24:00"
    return date_format(moment, "Y-m-d H:i")


def timeline(events, states, facts: Callable[[object], list[tuple[str, str]]]) -> list[TimelineRow]:
    """A record's events as its page's timeline: their states as labels among `states`, and
    what `facts` reads of each event's detail."""
    return [
        TimelineRow(
            event,
            state_label(states, event.from_state) if event.from_state else "",
            state_label(states, event.to_state) if event.to_state else "",
            facts(event),
        )
        for event in events
    ]


def file_download(file, name: str, *, missing: str) -> FileResponse:
    """A stored file (a FieldFile) as a download under the name it was sent with; "not found"
    saying `missing` when the storage has lost it. nosniff: a file is never run by the
    browser as something else than what it is."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as lost:
        raise Http404(missing) from lost
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class RecordLookupMixin:
    """After the permission check: the record named in the URL among those the user may see
    (`find`, a selector that takes the user), set as `self.<record_attribute>`; "not found"
    otherwise, so nobody learns that a record they may not see exists. A `pk` in the URL that
    cannot be an id is not found either, never a database error."""

    record_attribute: str
    not_found: str

    def find(self):
        raise NotImplementedError

    def lookup(self):
        """The record as it stands now (also after an action changed it), or "not found"."""
        found = None
        if self.request.user.is_authenticated and is_key(self.kwargs.get("pk", 0)):
            found = self.find()
        if found is None:
            raise Http404(self.not_found)
        return found

    def dispatch(self, request, *args, **kwargs):
        setattr(self, self.record_attribute, self.lookup())
        return super().dispatch(request, *args, **kwargs)


class PermissionRequiredMixin(AccessMixin):
    """Asks core.permissions whether the user may `required_action` on rows of
    `required_model` at all. Anonymous visitors are sent to the login page; a logged-in user
    who may not is refused (403), never sent back to the login page."""

    required_action: str = Action.VIEW
    required_model = None

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, self.required_action, self.required_model):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class PanelActMixin:
    """POST only: one action of a record page's panel (a RecordLookupMixin page with a
    `page_context(failed=...)`), done through the app's service as the user. `acts` are the
    panel's actions by name, `perform` their services. Done: `done` (a message, back to the
    record). Refused or not valid: the page again with the reason next to the form and what
    was typed (files are chosen again)."""

    http_method_names = ["post"]
    acts: Mapping[str, Act]
    perform: Mapping[str, Callable]
    # Some pages also say above the page that nothing was done (the form may be far below).
    say_nothing_done = False

    def post(self, request, *args, **kwargs):
        name = kwargs["action"]
        act = self.acts.get(name)
        if act is None:
            raise Http404(_("No such action."))
        record = getattr(self, self.record_attribute)
        form = self.bound_form(act, name, record)
        if form.is_valid():
            try:
                self.perform_act(name, form, record)
            except DomainError as refused:
                self.refused(form, refused)
            else:
                return self.done(name, act)
        if self.say_nothing_done:
            messages.error(request, _("Nothing was done: see the form below."))
        # The page shows the record as it stands now, whatever the refused action did.
        setattr(self, self.record_attribute, self.lookup())
        context = self.get_context_data(**kwargs)
        context.update(self.page_context(failed=PanelForm(name, act, form)))
        return self.render_to_response(context)

    def bound_form(self, act: Act, name: str, record) -> ActionPanelForm:
        """The action's form with what the user sent; it reads the user and the record."""
        return act.form(
            self.request.POST,
            self.request.FILES,
            user=self.request.user,
            prefix=name,
            **{self.record_attribute: record},
        )

    def perform_act(self, name: str, form: ActionPanelForm, record) -> None:
        """The action's service, as the user, on the record, with the form's arguments."""
        self.perform[name](
            actor=self.request.user, **{self.record_attribute: record}, **form.arguments()
        )

    def refused(self, form: ActionPanelForm, refused: DomainError) -> None:
        """Why the service refused, shown on the form."""
        form.add_error(None, str(refused))

    def done(self, name: str, act: Act):
        """The record's page again, saying what was done (`done_text`)."""
        record = self.lookup()
        messages.success(self.request, self.done_text(name, act, record))
        return redirect(self.done_url(record))

    def done_text(self, name: str, act: Act, record) -> str:
        raise NotImplementedError

    def done_url(self, record) -> str:
        return record.get_absolute_url()


# What each role does (SPEC §1), shown on its home page.
ROLE_DUTIES = {
    Role.CLERK: gettext_lazy(
        "Keep your department's list items, file adjustment requests, answer the complaints "
        "assigned to you and report rectification."
    ),
    Role.OFFICE: gettext_lazy(
        "Forward adjustment requests, issue approval opinions, organise joint reviews, accept "
        "complaints and set the policies and the calendar of your jurisdiction."
    ),
    Role.REVIEWER: gettext_lazy(
        "Review the adjustment requests forwarded to your department in its field within "
        "the deadline."
    ),
    Role.DIGITAL: gettext_lazy("Publish approved changes to the public network."),
    Role.SUPERVISOR: gettext_lazy(
        "Plan and run inspections, issue rectification notices, open accountability cases "
        "and run the rankings."
    ),
    Role.ADMINISTRATOR: gettext_lazy(
        "Keep the users, jurisdictions, departments and the working-day calendar."
    ),
}


class HomeView(TemplateView):
    """The public front page; after login, each role's own "my work" page."""

    def get_template_names(self) -> list[str]:
        if role_of(self.request.user) is None:
            return ["core/home.html"]
        return ["core/home_staff.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        role = role_of(user)
        if role is None:
            return context
        context["role"] = role
        context["duties"] = ROLE_DUTIES[role]
        context["unread"] = list(selectors.unread_notifications(user=user)[:5])
        context["may_read_audit"] = can(user, Action.VIEW, AuditEvent)
        # What waits on the user in every workflow app (issue 4 §7): each app registers its
        # provider with core.workqueue, so core imports none of them.
        context["work_items"] = workqueue.items_for(user)
        if role == Role.ADMINISTRATOR:
            context["overview"] = selectors.administrator_overview(user=user)
        if role in (Role.OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR):
            context["departments"] = selectors.departments_of_own_jurisdiction(user=user)
            context["jurisdictions_below"] = selectors.jurisdictions_below(user=user)
        if role == Role.CLERK:
            context["units"] = selectors.units_of_own_department(user=user)
        return context


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have logged out."))
        return response


# What part of the trail each role reads (core.permissions, issue 9 §15), said on the page.
AUDIT_SCOPE = {
    Role.ADMINISTRATOR: gettext_lazy(
        "You see your jurisdiction's whole trail, with every login and every address."
    ),
    Role.OFFICE: gettext_lazy(
        "You see the actions in your jurisdiction on what you may see yourself. Logins and "
        "other people's addresses are for administrators."
    ),
}
AUDIT_SCOPE[Role.SUPERVISOR] = AUDIT_SCOPE[Role.OFFICE]
AUDIT_SCOPE_OF_DEPARTMENT = gettext_lazy(
    "You see your department's actions on what you may see yourself, and your own logins."
)


class AuditTrailView(PermissionRequiredMixin, ListView):
    """痕迹化管理 (issue 2 §8): staff read the trail, scoped like the objects it records
    (core.permissions), filtered in the URL."""

    required_model = AuditEvent
    template_name = "core/audit_trail.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = AuditEventFilter(
            self.request.GET or None, queryset=selectors.audit_events(user=self.request.user)
        )
        return filtered(self.filterset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filterset.form
        context["scope"] = AUDIT_SCOPE.get(role_of(self.request.user), AUDIT_SCOPE_OF_DEPARTMENT)
        return context


class NotificationListView(PermissionRequiredMixin, ListView):
    required_model = Notification
    template_name = "core/notifications.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return selectors.notifications(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_total"] = selectors.unread_notifications(user=self.request.user).count()
        return context


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class NotificationReadView(PermissionRequiredMixin, View):
    """Marks one message read; with `next`, opens the page the message links to."""

    required_model = Notification
    required_action = Action.CHANGE
    http_method_names = ["post"]

    def post(self, request, pk: int):
        notification = get_object_or_404(
            Notification.objects.restrict(request.user, Action.CHANGE), pk=pk
        )
        services.notification_mark_read(actor=request.user, notification=notification)
        return redirect(_safe_next(request, "core:notifications"))


class NotificationReadAllView(PermissionRequiredMixin, View):
    required_model = Notification
    required_action = Action.CHANGE
    http_method_names = ["post"]

    def post(self, request):
        count = services.notification_mark_all_read(actor=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d message marked as read.", "%(count)d messages marked as read.", count
            )
            % {"count": count},
        )
        return redirect("core:notifications")


FAVICON = "img/favicon.svg"


def favicon(request):
    """/favicon.ico, which browsers and crawlers ask for whatever the page links: the site's
    own icon (an SVG, which every current browser takes at this address), cached for a day."""
    found = finders.find(FAVICON)
    if not found:
        raise Http404
    with open(found, "rb") as icon:
        response = HttpResponse(icon.read(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
