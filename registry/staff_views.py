from django.views.generic import TemplateView


class MyEntriesView(TemplateView):
    pass


class DraftStartView(TemplateView):
    pass


class DraftCreateView(TemplateView):
    pass


class DraftEditView(TemplateView):
    pass


class DraftDiscardView(TemplateView):
    pass


class ImportView(TemplateView):
    pass


class ImportTemplateView(TemplateView):
    pass


class ConsistencyView(TemplateView):
    pass
