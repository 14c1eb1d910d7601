from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions and enforcement disclosure")

    def ready(self) -> None:
        from core import workqueue

        from . import (
            permissions,  # noqa: F401  (registers the access rules)
            selectors,
        )

        workqueue.register(selectors.work_items)
