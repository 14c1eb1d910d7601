"""The administrators' pages (issue 2 §5, §6). Every list shows only what the user may change
(core.permissions: a district administrator never sees the city's rows), every page asks
core.permissions instead of Django's model permissions, and every save goes through a service
that validates, checks the scope again and writes the audit trail."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .checkers import CheckedModelForm
from .forms import UserAddForm, UserEditForm, UserPasswordForm, admin_actor
from .models import Department, EnforcementCertificate, Jurisdiction, Person, Unit, User
from .permissions import Action, can, restrict

# Roles live on the user and core.permissions decides: Django's groups are not used.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

# Foreign keys whose choices are cut down to what the user manages.
_SCOPED_CHOICES = (Jurisdiction, Department, Unit, Person, User)


class RestrictedAdmin(admin.ModelAdmin):
    """Base for every ModelAdmin of the project. `list_action` is the permission the rows
    must grant to be listed: CHANGE for things administrators manage, VIEW for read-only
    pages. Saves and deletes go through services; a refusal comes back as a message."""

    list_action = Action.CHANGE
    # Free text typed in the admin is checked as on every page (core.checkers).
    form = CheckedModelForm

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user, self.list_action)

    def has_module_permission(self, request) -> bool:
        return can(request.user, self.list_action, self.model)

    def has_view_permission(self, request, obj=None) -> bool:
        return can(request.user, self.list_action, obj if obj is not None else self.model)

    def has_add_permission(self, request) -> bool:
        return can(request.user, Action.ADD, self.model)

    def has_change_permission(self, request, obj=None) -> bool:
        return can(request.user, Action.CHANGE, obj if obj is not None else self.model)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can(request.user, Action.DELETE, obj if obj is not None else self.model)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in _SCOPED_CHOICES:
            related = db_field.related_model._default_manager.all()
            kwargs["queryset"] = restrict(related, request.user, Action.CHANGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.DomainError as error:
            # The form passed its own checks but the service refused (e.g. the scope changed
            # meanwhile): nothing was saved, the page is shown again with the reason.
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(RestrictedAdmin):
    """Rows the services own: listed and shown to those who may see them, never added,
    changed or deleted here."""

    list_action = Action.VIEW

    def get_readonly_fields(self, request, obj=None):
        return self.fields or [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """A ReadOnlyAdmin's rows of another model, shown under the record they belong to;
    `related` are the relations their fields read (fetched with the rows)."""

    form = CheckedModelForm
    extra = 0
    can_delete = False
    show_change_link = False
    related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class JurisdictionPolicyAdmin(RestrictedAdmin):
    """An app's policy of a jurisdiction (one row each, its model's policy fields), saved
    through services.jurisdiction_policy_save, which validates, checks the scope and writes
    the audit trail. A subclass names its `fields` ("jurisdiction" and the policy fields)."""

    list_select_related = ("jurisdiction",)
    search_fields = ("jurisdiction__name", "jurisdiction__code")

    def get_readonly_fields(self, request, obj=None):
        # A policy belongs to its jurisdiction for good; another jurisdiction gets its own.
        return ("jurisdiction",) if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        values = {name: form.cleaned_data[name] for name in services.policy_fields(self.model)}
        saved = services.jurisdiction_policy_save(
            actor=request.user, model=self.model, jurisdiction=obj.jurisdiction, values=values
        )
        obj.pk = saved.pk


class OrganisationAdmin(RestrictedAdmin):
    def save_model(self, request, obj, form, change) -> None:
        services.organisation_object_save(
            actor=request.user, obj=obj, changed_fields=form.changed_data
        )


@admin.register(Jurisdiction)
class JurisdictionAdmin(OrganisationAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    list_select_related = ("parent",)
    search_fields = ("name", "code")

    def get_readonly_fields(self, request, obj=None):
        # The path of every row below follows code and parent (models.Jurisdiction.clean).
        return ("code", "level", "parent") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent" and not request.user.is_superuser:
            # An administrator adds below their own jurisdiction; a new city is outside
            # every administrator's scope.
            field.required = True
        return field


@admin.register(Department)
class DepartmentAdmin(OrganisationAdmin):
    list_display = ("name", "jurisdiction", "function", "review_field", "phone")
    list_filter = ("function",)
    list_select_related = ("jurisdiction",)
    search_fields = ("name", "short_name")
    fields = (
        "jurisdiction",
        "name",
        "short_name",
        "code",
        "function",
        "review_field",
        "address",
        "phone",
        "website",
    )


@admin.register(Unit)
class UnitAdmin(OrganisationAdmin):
    list_display = ("name", "department", "phone")
    list_select_related = ("department",)
    search_fields = ("name", "department__name")
    autocomplete_fields = ("department",)


@admin.register(Person)
class PersonAdmin(OrganisationAdmin):
    list_display = ("name", "department", "unit", "duty", "title", "phone")
    list_filter = ("duty",)
    list_select_related = ("department", "unit")
    search_fields = ("name", "department__name")
    autocomplete_fields = ("department",)
    readonly_fields = ("certificates_summary",)

    @admin.display(description=_("enforcement certificates"))
    def certificates_summary(self, obj: Person) -> str:
        if obj.pk is None:
            return "-"
        today = timezone.localdate()
        return (
            "; ".join(
                f"{certificate.number} ({certificate_state(certificate, today)})"
                for certificate in obj.certificates.all()
            )
            or "-"
        )


def certificate_state(certificate: EnforcementCertificate, today) -> str:
    if certificate.is_valid_on(today):
        return str(_("valid"))
    if today < certificate.valid_from:
        return str(_("not yet valid"))
    return str(_("expired"))


class CertificateValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return (("valid", _("valid")), ("expired", _("expired")))

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "valid":
            return queryset.filter(valid_from__lte=today, valid_until__gte=today)
        if self.value() == "expired":
            return queryset.filter(valid_until__lt=today)
        return queryset


@admin.register(EnforcementCertificate)
class EnforcementCertificateAdmin(OrganisationAdmin):
    list_display = (
        "number",
        "person",
        "enforcement_field",
        "valid_from",
        "valid_until",
        "validity",
    )
    list_filter = (CertificateValidityFilter,)
    list_select_related = ("person",)
    search_fields = ("number", "person__name")
    autocomplete_fields = ("person",)
    readonly_fields = ("validity",)

    @admin.display(description=_("validity"))
    def validity(self, obj: EnforcementCertificate) -> str:
        if obj.pk is None:
            return "-"
        return certificate_state(obj, timezone.localdate())


@admin.register(User)
class UserAdmin(RestrictedAdmin, DjangoUserAdmin):
    """Accounts of the administrator's jurisdiction. Roles, scope and passwords are set by
    core.services; no account becomes a superuser here."""

    form = UserEditForm
    add_form = UserAddForm
    change_password_form = UserPasswordForm
    list_display = ("username", "__str__", "role", "jurisdiction", "department", "is_active")
    list_filter = ("role", "is_active")
    list_select_related = ("jurisdiction", "department")
    search_fields = ("username", "last_name", "first_name", "email")
    autocomplete_fields = ("department",)
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("last_name", "first_name", "email", "phone")}),
        (_("Role and scope"), {"fields": ("role", "jurisdiction", "department", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Person"), {"fields": ("last_name", "first_name", "email", "phone")}),
        (_("Role and scope"), {"fields": ("role", "jurisdiction", "department")}),
    )

    def save_model(self, request, obj, form, change) -> None:
        password = None if change else form.cleaned_data.get("password1") or None
        services.user_save(
            actor=request.user, user=obj, changed_fields=form.changed_data, password=password
        )

    def user_change_password(self, request, id, form_url=""):
        token = admin_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            admin_actor.reset(token)
