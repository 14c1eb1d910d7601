from django.views.generic import TemplateView


class EntryDetailView(TemplateView):
    pass


class EntryHistoryView(TemplateView):
    pass


class EntryDiffView(TemplateView):
    pass


class LawListView(TemplateView):
    pass


class LawDetailView(TemplateView):
    pass
