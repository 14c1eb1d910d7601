from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Organisation and foundation")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects login/logout auditing)
