"""Forms of the intake pages (issue 14 §4, §5): case systems' keys, the Excel import of
decisions. Every input goes through core.checkers (CheckedForm: no control characters; an
upload by its content)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.checkers import CheckedForm, upload_problem
from registry.importer import MAX_BYTES


class TokenForm(CheckedForm):
    name = forms.CharField(
        label=_("Name of the case system"),
        max_length=100,
        help_text=_("So that you know the key again, e.g. “执法办案系统 (production)”."),
    )
    department = forms.ModelChoiceField(
        label=_("Department whose decisions it pushes"), queryset=None, empty_label=None
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.only = departments.first() if departments.count() == 1 else None
        if self.only is not None:
            # A clerk keeps the keys of their own department only: nothing to choose.
            self.fields["department"].initial = self.only
            self.fields["department"].required = False
            self.fields["department"].widget = forms.HiddenInput()

    def clean_department(self):
        return self.cleaned_data.get("department") or self.only


class ConfirmForm(CheckedForm):
    """An irreversible action is confirmed explicitly (the page's dialog ticks the box)."""

    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ImportUploadForm(CheckedForm):
    file = forms.FileField(
        label=_("Excel file of decisions (.xlsx)"),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("Upload an Excel workbook (.xlsx) made from the template.")
            )
        # By content, as every upload (core.checkers): an .xlsx is a zip with the workbook.
        problem = upload_problem(upload, suffixes={"xlsx"})
        if problem:
            raise forms.ValidationError(problem)
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; split it into several files.")
                % {"size": MAX_BYTES // (1024 * 1024)}
            )
        return upload
