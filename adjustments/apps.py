from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdjustmentsConfig(AppConfig):
    name = "adjustments"
    verbose_name = _("Dynamic adjustment")

    def ready(self) -> None:
        from core import workqueue
        from registry.signals import law_status_changed, repealed_basis_published

        from . import permissions, receivers, selectors  # noqa: F401 (rules register on import)

        law_status_changed.connect(
            receivers.law_status_changed, dispatch_uid="adjustments.law_status_changed"
        )
        repealed_basis_published.connect(
            receivers.repealed_basis_published,
            dispatch_uid="adjustments.repealed_basis_published",
        )
        workqueue.register(selectors.work_items)
