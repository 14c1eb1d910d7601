"""The public announcements of published adjustments (issue 4 §3). Placeholder classes: the
pages are being built."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.views import View


class _NotYet(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


class AnnouncementListView(_NotYet):
    pass


class AnnouncementDetailView(_NotYet):
    pass


class AnnouncementFeed(Feed):
    title = "announcements"
    link = "/announcements/"

    def items(self):
        return []
