from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("The five lists")

    def ready(self) -> None:
        from . import permissions, signals  # noqa: F401  (access rules; history annotations)
