from django.views.generic import TemplateView


class EntryListView(TemplateView):
    pass


class EntryExportView(TemplateView):
    fmt = ""


class BrowseView(TemplateView):
    pass
