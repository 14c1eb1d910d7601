"""Forms of the core pages and the admin, and the parts the apps' forms share (files checked
as their service checks them, the action panel's form, ids that fit a key). Forms validate;
saving goes through the services."""

import contextvars

from django import forms
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    PasswordChangeForm,
    UserChangeForm,
)
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .checkers import CheckedForm, CheckedFormMixin
from .filtersets import MAX_ID
from .models import User

# The administrator acting in the admin's "set password" page: Django builds that form with
# (user, data) only, so the admin view lends the actor to the form for that one request.
admin_actor: contextvars.ContextVar[User | None] = contextvars.ContextVar(
    "qingdan_admin_actor", default=None
)


class OwnPasswordChangeForm(CheckedFormMixin, PasswordChangeForm):
    """A user changing their own password (old password asked)."""

    def save(self, commit: bool = True) -> User:
        return services.user_set_password(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )


class UserPasswordForm(CheckedFormMixin, AdminPasswordChangeForm):
    """An administrator setting (or disabling) another account's password."""

    def save(self, commit: bool = True) -> User:
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        return services.user_set_password(
            actor=admin_actor.get(), user=self.user, password=password
        )


class UserAddForm(CheckedFormMixin, AdminUserCreationForm):
    """Validates the new account; core.services.user_save sets the password and saves."""

    class Meta(AdminUserCreationForm.Meta):
        model = User

    def save(self, commit: bool = False) -> User:
        if commit:
            raise ValueError("accounts are saved by core.services.user_save")
        return forms.ModelForm.save(self, commit=False)


class UserEditForm(CheckedFormMixin, UserChangeForm):
    """The admin's account page, with the project's free-text check (core.checkers)."""

    class Meta(UserChangeForm.Meta):
        model = User


# --- shared by the apps' forms ------------------------------------------------------------------


def textarea_field(
    label, *, required: bool = False, help_text="", rows: int = 3
) -> forms.CharField:
    """An opinion, a reason or a note, typed in a box of `rows` lines."""
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Enter a date such as 2026-05-01.")}


def date_field(label, *, required: bool = True, help_text="") -> forms.DateField:
    """A day of a record (a date it was decided, served, found on), in the browser's date box,
    which sends it as 2026-05-01."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
    )


def day_field(label) -> forms.DateField:
    """An optional day (a filter's from or until), in the browser's date box, which sends it as
    2024-05-01."""
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date such as 2024-05-01.")},
    )


class MultipleFileInput(forms.ClearableFileInput):
    """One file input that takes several files (Django 5.2 needs the widget to say so)."""

    allow_multiple_selected = True


class CheckedFilesFormField(forms.FileField):
    """Cleans to a list of uploaded files, checked with the service's own rules:
    `problems(files)` is the app's checker (content by core.checkers, size, number), so the
    form and the service say the same thing."""

    widget = MultipleFileInput

    def __init__(self, *args, problems, **kwargs):
        self.problems = problems
        kwargs.setdefault("required", False)
        # An empty file is reported by the checker, with the file's name.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        files = [upload for upload in (self.to_python(upload) for upload in uploads) if upload]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        problems = self.problems(files)
        if problems:
            raise forms.ValidationError(problems)
        return files


class UploadsLostMixin:
    """A browser does not send chosen files again: when a form that received files is shown
    again, it says to choose them again, and only then (issue 10 §7)."""

    @property
    def files_to_choose_again(self) -> bool:
        return self.is_bound and any(self.files.getlist(name) for name in self.files)


def is_key(value) -> bool:
    """Whether a posted value can be a row's id: a number larger than a key is "not one of
    the choices", never a database error."""
    return str(value).isdecimal() and int(value) <= MAX_ID


class KeyMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Rows ticked in a list of boxes; a posted value that cannot be an id is "not one of the
    choices", never a database error. `grouped(key, label)` sets the boxes in groups."""

    widget = forms.CheckboxSelectMultiple

    def clean(self, value):
        for chosen in value or ():
            if not is_key(chosen):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": chosen},
                )
        return super().clean(value)

    def grouped(self, group_of, label_of) -> None:
        groups: dict[str, list] = {}
        for row in self.queryset:
            groups.setdefault(str(group_of(row)), []).append((row.pk, label_of(row)))
        self.choices = list(groups.items())


class KeyChoiceField(forms.ModelChoiceField):
    """A row chosen by its id, from a form or the URL (is_key)."""

    def to_python(self, value):
        if value not in self.empty_values and not is_key(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ActionPanelForm(CheckedForm):
    """Base of the forms of a case page's action panel (an adjustment request's, a
    complaint's): `intro` says what the action does and by when, and `arguments()` are the
    keyword arguments of the action's service besides the actor and the case. A subclass keeps
    what `prepare()` needs (the user, the case) before calling __init__.

    Issue 10 §4: an irreversible action asks before it is done. `confirm_text` says what will
    happen (formatted with confirm_values() and intro_values()); the form then has a required
    "I confirm" box, which the page's dialog (static/js/confirm.js) ticks when the user
    confirms there, so the form works the same without JavaScript. `destructive`: the action
    ends the case, and its button looks unlike the procedure's next step."""

    intro_text = ""
    confirm_text = ""
    destructive = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepare()
        if self.confirm_text:
            self.fields["confirm"] = forms.BooleanField(
                label=gettext("I confirm: %(what)s") % {"what": self.confirmation},
                error_messages={
                    "required": _(
                        "Nothing was done: tick “I confirm” to do this, it cannot be undone."
                    )
                },
            )

    @property
    def confirmation(self) -> str:
        """What the irreversible action will do, in a sentence; empty when it asks nothing."""
        if not self.confirm_text:
            return ""
        return str(self.confirm_text) % {**self.confirm_values(), **self.intro_values()}

    def confirm_values(self) -> dict:
        """What confirm_text names of the case (its number, its code)."""
        return {}

    def prepare(self) -> None:
        """Choices and initial values that depend on the case."""

    def intro_values(self) -> dict:
        return {}

    @property
    def intro(self) -> str:
        return str(self.intro_text) % self.intro_values() if self.intro_text else ""

    def arguments(self) -> dict:
        """The service's keyword arguments besides the actor and the case."""
        return {name: value for name, value in self.cleaned_data.items() if name != "confirm"}
