"""Staff intake of complaints (issue 12 §2): what reached the office or a department by phone,
fax, letter, e-mail or in person, recorded with the channel, the moment received, in person
the identity document shown, and a group's representatives (at most five, seed 004 五(二)4)."""

from django.views.generic import TemplateView

from core.services import DomainError
from core.views import PermissionRequiredMixin

from . import forms, services
from .models import Complaint
from .permissions import RECORD


class RecordView(PermissionRequiredMixin, TemplateView):
    """The intake form; on success the code and secret are shown once, to be read out or posted
    to the complainant (the secret is not kept), with a link to the complaint's page. A refusal
    (an in-person complaint without a document, a sixth representative) is shown above the form
    with everything typed."""

    template_name = "complaints/record.html"
    required_model = Complaint
    required_action = RECORD

    def get(self, request, *args, **kwargs):
        return self._render(forms.RecordForm(), forms.RepresentativeFormSet(prefix="rep"))

    def post(self, request, *args, **kwargs):
        form = forms.RecordForm(request.POST, request.FILES)
        people = forms.RepresentativeFormSet(request.POST, prefix="rep")
        form_valid = form.is_valid()
        if form_valid and people.is_valid():
            try:
                filed = services.complaint_record(
                    actor=request.user,
                    representatives=forms.representatives_of(people),
                    **form.arguments(),
                )
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                response = self.render_to_response(self.get_context_data(filed=filed))
                response["Cache-Control"] = "no-store"
                return response
        return self._render(form, people, invalid=True)

    def _render(self, form, people, *, invalid: bool = False):
        response = self.render_to_response(
            self.get_context_data(
                form=form,
                people=people,
                invalid=invalid,
                max_representatives=services.MAX_REPRESENTATIVES,
            )
        )
        response["Cache-Control"] = "no-store"
        return response
