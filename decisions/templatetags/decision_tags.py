"""Template tags of decisions shown on other apps' pages.

    {% load decision_tags %}
    {% flow_step_record entry %}   the item page: how often each flow step kept its time limit

The registry never imports decisions: its item page loads this library by name only."""

from django import template
from django.contrib.auth.models import AnonymousUser

from .. import selectors

register = template.Library()


@register.inclusion_tag("decisions/flow_record.html")
def flow_step_record(entry) -> dict:
    """Seed 004 一(二)3 (各环节的办理时限和人员; SPEC §11: a decision's recorded dates show
    whether each step kept its limit): per step, the published decisions under the item with
    its dates recorded, how many kept the limit and the share. The item page is cached for
    every visitor alike (core.page_cache), so it reads as the public does whoever is logged
    in: counts of published decisions only. One query."""
    steps = selectors.flow_step_record(user=AnonymousUser(), entry_id=entry.id)
    limited = any(isinstance(row, dict) and row.get("limit_days") for row in (entry.flow or []))
    return {"steps": steps, "shown": bool(steps) or limited, "entry_name": entry.name}
