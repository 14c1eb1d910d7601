"""`{{ text|highlight:keywords }}`: the words a search matched, marked (issue 11 §3)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.search import KeywordQuery, cover_pairs

register = template.Library()


def _spans(text: str, keywords: KeywordQuery) -> list[tuple[int, int]]:
    lowered = text.lower()
    pieces: list[str] = list(keywords.other)
    for term in keywords.han:
        # The term as typed where the text has it, else the pairs that made it match.
        pieces += [term] if term in lowered else cover_pairs(term)
    spans = []
    for piece in pieces:
        start = lowered.find(piece)
        while start != -1:
            spans.append((start, start + len(piece)))
            start = lowered.find(piece, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@register.filter
def highlight(text, keywords: KeywordQuery | None) -> SafeString:
    """`text`, escaped, with what `keywords` matched in <mark>."""
    text = "" if text is None else str(text)
    if not keywords:
        return escape(text)
    parts, position = [], 0
    for start, end in _spans(text, keywords):
        parts += [escape(text[position:start]), f"<mark>{escape(text[start:end])}</mark>"]
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))


@register.filter
def grouped(number) -> str:
    """A count with thousands separators: 268,000."""
    try:
        return f"{int(number):,}"
    except (TypeError, ValueError):
        return str(number)
