"""Forms of the core pages and the admin. Forms validate; saving goes through core.services."""

import contextvars

from django import forms
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    PasswordChangeForm,
    UserChangeForm,
)

from . import services
from .checkers import CheckedFormMixin
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
