"""The public announcements of published adjustments (issue 4 §3, SPEC §10: "announcements of
each published adjustment"): a list filtered in the URL, one announcement with the
field-by-field difference of every entry it changed, and an Atom feed.

No login. Every read goes through adjustments.selectors' announcement readers, which restrict
with the ANNOUNCE rule (published and completed requests only), so a request still in the
procedure, rejected or withdrawn is nowhere, and its number answers 404. The pages show the
public facts of a request only: no step, opinion, attachment or member of staff. Each page runs
a fixed number of queries however many announcements and items there are (asserted in
tests/test_adjustments_announcements.py)."""

import datetime

from django import forms
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core.calendar import SHANGHAI, start_of_day
from core.checkers import CheckedForm, ControlFreeAtom1Feed
from core.forms import day_field
from registry import selectors as registry_selectors

from . import selectors

PAGE_SIZE = 20
FEED_SIZE = 50
# Digits of a department id worth looking up: a longer number is no department, and would
# overflow SQLite's integers.
DEPARTMENT_ID_DIGITS = 9


def _department_id(value: str) -> int | None:
    if value.isascii() and value.isdecimal() and len(value) <= DEPARTMENT_ID_DIGITS:
        return int(value)
    return None


class AnnouncementFilterForm(CheckedForm):
    """The optional filters of /announcements/: jurisdiction (division code), department and
    a range of publication dates. Choices come from two queries; departments are offered once
    a jurisdiction is chosen (and the one asked for stays selectable), as on /lists/."""

    jurisdiction = forms.ChoiceField(label=gettext_lazy("Jurisdiction"), required=False)
    department = forms.TypedChoiceField(
        label=gettext_lazy("Department"), required=False, coerce=int, empty_value=None
    )
    since = day_field(gettext_lazy("Published from"))
    until = day_field(gettext_lazy("Published until"))

    def __init__(self, data, *, user):
        super().__init__(data)
        code = data.get("jurisdiction", "")
        jurisdictions = registry_selectors.jurisdictions(user=user)
        self.fields["jurisdiction"].choices = [
            ("", _("All jurisdictions")),
            *(
                # The path holds one code per level from the top: "/410100/410106/".
                (j.code, "\u3000" * (j.path.count("/") - 2) + j.name)
                for j in jurisdictions
            ),
        ]
        departments = registry_selectors.departments_for_filter(
            user=user,
            jurisdiction_code=code,
            department_id=_department_id(data.get("department", "")),
        )
        groups: dict[str, list[tuple[int, str]]] = {}
        for department in departments:
            groups.setdefault(department.jurisdiction.name, []).append(
                (department.pk, department.name)
            )
        self.fields["department"].choices = [("", _("All departments")), *groups.items()]
        if not code:
            self.fields["department"].help_text = _("Choose a jurisdiction first.")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the range cannot be before its start."))
        return data

    def filter(self, announcements):
        data = self.cleaned_data
        if data["jurisdiction"]:
            announcements = announcements.filter(jurisdiction__code=data["jurisdiction"])
        if data["department"]:
            announcements = announcements.filter(department_id=data["department"])
        if data["since"]:
            announcements = announcements.filter(published_at__gte=start_of_day(data["since"]))
        if data["until"]:
            next_day = data["until"] + datetime.timedelta(days=1)
            announcements = announcements.filter(published_at__lt=start_of_day(next_day))
        return announcements


class AnnouncementListView(TemplateView):
    """/announcements/: published adjustments, newest first, each with its changed entries
    (seed 004 三(三)5: "配入本级政务服务网更新公布"), 20 a page, filtered in the URL."""

    template_name = "adjustments/announcement_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = AnnouncementFilterForm(self.request.GET, user=user)
        announcements = selectors.announcements(user=user)
        # An invalid filter shows its message and no rows, as /lists/ does.
        announcements = form.filter(announcements) if form.is_valid() else announcements.none()
        page = Paginator(announcements, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            filtered=any(form.data.get(name) for name in form.fields),
            announcements=page.object_list,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            page_range=list(page.paginator.get_elided_page_range(page.number)),
        )
        return context


class AnnouncementDetailView(TemplateView):
    """/announcements/<number>/: one published adjustment and, for every entry it changed,
    the version it published beside the one it replaced, changed fields first (SPEC §3.3,
    §10). A number that is not published (yet, or ever) is not found."""

    template_name = "adjustments/announcement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        announcement = selectors.announcement(user=user, number=kwargs["number"])
        if announcement is None:
            raise Http404(_("No published adjustment has this number."))
        items = selectors.announcement_items(user=user, request=announcement)
        context.update(announcement=announcement, items=items)
        return context


class AnnouncementFeed(Feed):
    """/announcements/feed/: the 50 newest announcements as an Atom feed, each with its
    changed entries and the fields that changed, for readers that follow the network."""

    # Text stored before the free-text check must not take the feed down (core.checkers).
    feed_type = ControlFreeAtom1Feed
    title = gettext_lazy("Adjustment announcements")
    subtitle = gettext_lazy(
        "Adjustments of the five lists published on the network, newest first: the entries "
        "each one changed and the fields that changed."
    )
    link = reverse_lazy("adjustments:announcements")
    feed_url = reverse_lazy("adjustments:announcements-feed")
    description_template = "adjustments/announcement_feed_item.html"

    def get_object(self, request, *args, **kwargs):
        # The instance serves every request: what varies per request travels through `obj`.
        return request.user

    def items(self, obj):
        announcements = list(selectors.announcements(user=obj)[:FEED_SIZE])
        changed = selectors.announcements_items(user=obj, requests=announcements)
        for announcement in announcements:
            announcement.published_items = changed[announcement.pk]
        return announcements

    def item_title(self, item):
        return f"{item.number} {item.summary}"

    def item_link(self, item):
        return reverse("adjustments:announcement", args=[item.number])

    def item_pubdate(self, item):
        # Beijing time, as the pages show it.
        return timezone.localtime(item.published_at, SHANGHAI)

    def item_updateddate(self, item):
        return timezone.localtime(item.published_at, SHANGHAI)

    def item_author_name(self, item):
        return item.department.name

    def item_categories(self, item):
        return [item.get_trigger_display()]
