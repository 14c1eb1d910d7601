"""The flow of an item drawn as a flow chart (issue 3 §4): an inline SVG rendered on the
server, so it needs no script and no outside service and prints with the page.

Boxes run top to bottom joined by arrows; each box names the step, the post responsible for
it and its time limit (seed 004 一(二)3: 各环节的办理时限和人员). A step with an integrity
risk point (廉政风险点, seed 003 四(二)2(2)) carries a badge on its right saying "integrity
risk" and the level in words, so the mark does not rest on colour alone; the item page lists
the risks and their control measures in a table below the chart.

Chinese has no spaces to break at, so text is wrapped by width: a CJK character counts as one
unit, a Latin letter or digit as about half of one."""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import RiskLevel

# Drawing units of the viewBox. The chart is 400 units wide and scales with its container,
# so on a 390px phone a unit is a little under one pixel and the text stays legible.
WIDTH = 400
MARGIN = 8
BOX_WIDTH = 284
BADGE_GAP = 8
BADGE_WIDTH = WIDTH - MARGIN * 2 - BOX_WIDTH - BADGE_GAP
PADDING = 10
BLOCK_GAP = 6
ARROW_GAP = 30
STEP_SIZE = 15
POST_SIZE = 12.5
DESCRIPTION_SIZE = 12
BADGE_SIZE = 11.5
LINE_SPACING = 1.4

# Characters a line may not begin with (Chinese line-breaking rule 避头): they stay at the end
# of the previous line even if it runs a little long.
NO_LINE_START = set("，。、；：！？）》」』”’…—,.;:!?)]}")


@dataclass(frozen=True)
class FlowStep:
    number: int
    step: str
    post: str
    description: str
    risk_point: str
    risk_level: str
    control_measure: str
    # Seed 004 一(二)3 (各环节的办理时限和人员): the step's time limit in working days.
    limit_days: int | None = None

    @property
    def risk_label(self) -> str:
        return str(RiskLevel(self.risk_level).label) if self.risk_level else ""

    @property
    def limit_label(self) -> str:
        if self.limit_days is None:
            return ""
        return ngettext("%(days)s working day", "%(days)s working days", self.limit_days) % {
            "days": self.limit_days
        }

    @property
    def post_line(self) -> str:
        """Who does the step and within what time, as the chart's box says it."""
        return " · ".join(part for part in (self.post, self.limit_label) if part)


def flow_steps(flow) -> list[FlowStep]:
    """The flow rows of an entry (or history row) as numbered steps."""
    return [
        FlowStep(
            number=number,
            step=str(row.get("step") or ""),
            post=str(row.get("post") or ""),
            description=str(row.get("description") or ""),
            risk_point=str(row.get("risk_point") or ""),
            risk_level=str(row.get("risk_level") or ""),
            control_measure=str(row.get("control_measure") or ""),
            limit_days=_limit(row.get("limit_days")),
        )
        for number, row in enumerate(flow or [], start=1)
        if isinstance(row, dict)
    ]


def _limit(value) -> int | None:
    # Stored rows are checked (registry.models._check_entry); anything else shows no limit.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _char_width(char: str) -> float:
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    return 0.55


def _width(text: str) -> float:
    return sum(_char_width(char) for char in text)


def _tokens(paragraph: str) -> list[str]:
    """Each wide (CJK) character on its own, runs of other characters as words, and each
    space apart: a line may break between any two tokens."""
    return re.findall(r"\s|[^\s\u1100-\uffdc]+|.", paragraph)


def wrap(text: str, units: float) -> list[str]:
    """Breaks `text` into lines of at most `units` character widths (see the module
    docstring): between Chinese characters anywhere, Latin words at spaces; a word longer
    than a line is cut. Explicit line breaks are kept."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            if not line.strip() and token.isspace():
                continue
            if _width(line + token) <= units or token in NO_LINE_START:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            if token.isspace():
                continue
            while _width(token) > units:
                fits = (i for i in range(len(token) - 1, 0, -1) if _width(token[:i]) <= units)
                cut = next(fits, 1)
                lines.append(token[:cut])
                token = token[cut:]
            line = token
        lines.append(line.rstrip())
    return [line for line in lines if line] or [""]


def _units(width: float, size: float) -> float:
    return width / size


def _text(x: float, top: float, size: float, lines: list[str], css: str, anchor="start") -> list:
    """One <text> with a <tspan> per line, its first line's top at `top` (the baseline sits
    at about 0.85 of the font size below it)."""
    spans = []
    for index, line in enumerate(lines):
        dy = 0 if index == 0 else size * LINE_SPACING
        spans.append(f'<tspan x="{x:g}" dy="{dy:g}">{escape(line)}</tspan>')
    return [
        f'<text class="{css}" x="{x:g}" y="{top + size * 0.85:g}" font-size="{size:g}" '
        f'text-anchor="{anchor}">{"".join(spans)}</text>'
    ]


def _block_height(line_count: int, size: float) -> float:
    return size + (line_count - 1) * size * LINE_SPACING


def _step_description(step: FlowStep) -> str:
    if step.post:
        text = _("Step %(number)s: %(step)s, post: %(post)s") % {
            "number": step.number,
            "step": step.step,
            "post": step.post,
        }
    else:
        text = _("Step %(number)s: %(step)s") % {"number": step.number, "step": step.step}
    if step.limit_days is not None:
        text += ", " + ngettext(
            "time limit %(days)s working day", "time limit %(days)s working days", step.limit_days
        ) % {"days": step.limit_days}
    if step.risk_label:
        text += ", " + _("integrity risk point, level %(level)s") % {"level": step.risk_label}
    elif step.risk_point:
        text += ", " + _("integrity risk point")
    return text


def _badge_lines(step: FlowStep) -> list[str]:
    units = _units(BADGE_WIDTH - 8, BADGE_SIZE)
    lines = wrap(_("Integrity risk"), units)
    if step.risk_label:
        lines += wrap(step.risk_label, units)
    return lines


def flow_chart(steps: list[FlowStep], *, title: str, chart_id: str = "flow") -> SafeString:
    """The SVG of `steps`, or an empty string when there are none."""
    if not steps:
        return mark_safe("")
    chart_id = escape(chart_id)
    inner = BOX_WIDTH - PADDING * 2
    parts: list[str] = []
    y = MARGIN
    for position, step in enumerate(steps):
        blocks = [
            (wrap(f"{step.number}. {step.step}", _units(inner, STEP_SIZE)), STEP_SIZE, "name")
        ]
        if step.post_line:
            blocks.append((wrap(step.post_line, _units(inner, POST_SIZE)), POST_SIZE, "post"))
        if step.description:
            blocks.append(
                (wrap(step.description, _units(inner, DESCRIPTION_SIZE)), DESCRIPTION_SIZE, "about")
            )
        height = PADDING * 2 + sum(_block_height(len(lines), size) for lines, size, _c in blocks)
        height += BLOCK_GAP * (len(blocks) - 1)
        badge = _badge_lines(step) if step.risk_point else []
        if badge:
            height = max(height, _block_height(len(badge), BADGE_SIZE) + 8)
        risk_class = f" flow-risk-{step.risk_level or 'unrated'}" if step.risk_point else ""
        parts.append(f'<g class="flow-step{risk_class}">')
        parts.append(
            f'<rect class="flow-box" x="{MARGIN}" y="{y:g}" width="{BOX_WIDTH}" '
            f'height="{height:g}" rx="4"/>'
        )
        top = y + PADDING
        for lines, size, css in blocks:
            parts += _text(MARGIN + PADDING, top, size, lines, f"flow-{css}")
            top += _block_height(len(lines), size) + BLOCK_GAP
        if badge:
            x = MARGIN + BOX_WIDTH + BADGE_GAP
            parts.append(
                f'<rect class="flow-badge" x="{x}" y="{y:g}" width="{BADGE_WIDTH}" '
                f'height="{height:g}" rx="4"/>'
            )
            badge_top = y + (height - _block_height(len(badge), BADGE_SIZE)) / 2
            parts += _text(
                x + BADGE_WIDTH / 2, badge_top, BADGE_SIZE, badge, "flow-badge-text", "middle"
            )
        parts.append("</g>")
        y += height
        if position < len(steps) - 1:
            middle = MARGIN + BOX_WIDTH / 2
            parts.append(
                f'<line class="flow-arrow" x1="{middle:g}" y1="{y:g}" x2="{middle:g}" '
                f'y2="{y + ARROW_GAP - 2:g}" marker-end="url(#{chart_id}-arrow)"/>'
            )
            y += ARROW_GAP
    description = "; ".join(_step_description(step) for step in steps)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-chart" id="{chart_id}" '
        f'viewBox="0 0 {WIDTH} {y + MARGIN:g}" width="100%" '
        f'preserveAspectRatio="xMidYMin meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f'<defs><marker id="{chart_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path class="flow-arrowhead" d="M0,0 L10,5 L0,10 z"/></marker></defs>'
    )
    # Every text that goes in was escaped above; the rest are numbers and fixed names.
    return mark_safe(head + "".join(parts) + "</svg>")
