"""The register's background work: Excel exports of large lists (issue 10 §3). Publication
itself happens in one transaction (registry.services.entries_publish), and the obligations a
law change starts are swept by the adjustments app. Tasks are triggers: the files under
MEDIA_ROOT/exports are the truth (registry.exports)."""

from celery import shared_task

from . import exports


@shared_task
def export_build(*, state: str, params: dict[str, str]) -> None:
    exports.xlsx_build(state=state, params=params)


@shared_task
def exports_sweep() -> None:
    exports.exports_sweep()
