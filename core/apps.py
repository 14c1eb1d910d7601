from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Organisation and foundation")

    def ready(self) -> None:
        # converters registers `key` before any URLconf loads; signals connects login/logout
        # auditing.
        from . import converters, signals  # noqa: F401
