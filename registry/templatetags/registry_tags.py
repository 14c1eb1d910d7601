"""Template tags of the register's public pages. core's front page loads `list_overview`
from here, so core never imports the registry in Python."""

import datetime

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from registry import selectors
from registry.choices import ListKind

register = template.Library()


@register.inclusion_tag("registry/_list_overview.html", takes_context=True)
def list_overview(context) -> dict:
    """The five lists with their number of entries in force, and the search box (one query)."""
    counts = selectors.list_counts(user=context["request"].user)
    return {"lists": [(kind, label, counts[kind]) for kind, label in ListKind.choices]}


@register.simple_tag
def entry_url(entry, as_of: datetime.date | None = None) -> str:
    """The item page of `entry`; with `as_of`, the version in force on that date."""
    url = reverse("registry:entry", args=[entry.code])
    return f"{url}?{urlencode({'as_of': as_of.isoformat()})}" if as_of else url
