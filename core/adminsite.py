"""The Django admin as the administrators' tool (issue 2 §5, §6): only the administrator role
enters, and it shares the site's one login page."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .permissions import role_of


class QingdanAdminSite(admin.AdminSite):
    site_header = _("Qingdan administration")
    site_title = _("Qingdan administration")
    index_title = _("Organisation, users and calendar")
    site_url = "/"
    # The lists need the width more than a second navigation does.
    enable_nav_sidebar = False

    def has_permission(self, request) -> bool:
        user = request.user
        if not user.is_active:
            return False
        return user.is_superuser or (user.is_staff and role_of(user) == Role.ADMINISTRATOR)

    def password_change(self, request, extra_context=None):
        """Django's page with a form that saves through core.services.user_set_password."""
        # Imported late: this module is loaded with the app registry, before the models.
        from django.contrib.auth.views import PasswordChangeView

        from .forms import OwnPasswordChangeForm

        defaults = {
            "form_class": OwnPasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        request.current_app = self.name
        return PasswordChangeView.as_view(**defaults)(request)

    def login(self, request, extra_context=None):
        """One login page for the whole site. A logged-in user who is no administrator is
        refused here rather than sent to the login page, which would send them back."""
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated:
            raise PermissionDenied
        from django.contrib.auth.views import redirect_to_login

        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, login_url=reverse("core:login"))


class QingdanAdminConfig(AdminConfig):
    default_site = "core.adminsite.QingdanAdminSite"
