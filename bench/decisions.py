"""The decisions' part of `make bench` that runs inside Django (issue 14: the public decision
search at 1,000,000 decisions): `python -m bench.child operation decisions-N OUTPUT` tops the
scratch copy of the register up to N published decisions with decisions.scale (a city register
holds 20,000; the province's already a million), timed once. The pages are then timed on that
copy by the orchestrator (bench.run), as every other page."""

import dataclasses
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from core.scale import PRESETS, Run
from decisions import scale
from decisions.models import Decision

from .figures import SEED
from .measured import measure


def published() -> int:
    return Decision.objects.filter(published_at__isnull=False).count()


def top_up(total: int) -> dict:
    """Adds published decisions until there are `total` (without their history rows: the
    scratch copy is read by the public search only); its figures and what it started from."""
    before = published()
    run = Run(preset=PRESETS["city"], seed=SEED, now=timezone.now(), say=lambda line: None)

    def add() -> int:
        with transaction.atomic():
            return scale.decisions_add(run, total - before, history=False)

    added, figures = measure(add)
    note = f"{before:,} before, {published():,} after"
    return {"measured": asdict(dataclasses.replace(figures, rows=added)), "note": note}
