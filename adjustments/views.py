"""Staff pages of the adjustment procedure (issue 4 §2, §7). Placeholder classes: the pages are
being built."""

from django.http import Http404
from django.views import View


class _NotYet(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


class RequestListView(_NotYet):
    pass


class RequestCreateView(_NotYet):
    pass


class PolicyView(_NotYet):
    pass


class RequestDetailView(_NotYet):
    pass


class RequestEditView(_NotYet):
    pass


class AttachmentView(_NotYet):
    pass


class TransitionView(_NotYet):
    pass
