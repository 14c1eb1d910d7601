from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from core import workqueue

        from . import permissions, selectors  # noqa: F401 (rules register on import)

        workqueue.register(selectors.work_items)
