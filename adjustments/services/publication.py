"""Publication (公布, seed 004 三(三)5): the digital forward, the publication itself and the
steps that follow it (site update, filing).
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.models import User
from core.services import DomainError, parent_office_of
from registry import services as registry
from registry.choices import ChangeSource, DraftState, EntryStatus
from registry.models import Entry

from ..choices import (
    AdjustmentPath,
    ChangeKind,
    StepOutcome,
    Transition,
)
from ..models import (
    AdjustmentRequest,
    RequestItem,
    Step,
)
from .policy import digital_office_of
from .procedure import (
    TRANSITIONS,
    K,
    S,
    _finish,
    _hand_on,
    _notify_applicant,
    _set_state,
    _start,
)
from .requests import _moved_payload, _notify_receiving

# --- publication (公布) -----------------------------------------------------------------------


@transaction.atomic
def adjustment_digital_forward(
    *, actor: User | None, request: AdjustmentRequest, opinion: str = ""
) -> AdjustmentRequest:
    """Seed 004 三(三)5: "市政务服务改革管理办公室即在2个工作日内将调整意见转告市数字办": the office
    sends the approved change to the digital office, which publishes within 1 working day."""
    with TRANSITIONS.transition(request, Transition.DIGITAL_FORWARD, actor=actor) as move:
        request = move.record
        _hand_on(
            move,
            outcome=StepOutcome.DONE,
            opinion=opinion.strip(),
            state=S.PUBLISHING,
            kind=K.PUBLISH,
            department=digital_office_of(request.jurisdiction),
        )
    return request


def _publish_reason(request: AdjustmentRequest) -> str:
    return _("Adjustment request %(number)s: %(summary)s") % {
        "number": request.number,
        "summary": request.summary,
    }


@transaction.atomic
def adjustment_publish(
    *, actor: User | None, request: AdjustmentRequest, note: str = ""
) -> AdjustmentRequest:
    """Seed 004 三(三)5: "由市数字办在1个工作日内将拟调整内容配入本级政务服务网更新公布"; SPEC §4
    "publishing is atomic": every entry of the request gets its new version at the same
    moment, its history row naming this request (change_source adjustment, reference the
    request number), or nothing changes. The department's 3 working days to update its own
    website and premises started with the sending to the digital office (同时), unless the
    policy starts them now; on the filing path the office above is asked to file it. The
    request is completed when no step is left open."""
    with TRANSITIONS.transition(request, Transition.PUBLISH, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        items = list(
            RequestItem.objects.filter(request=request)
            .select_related("draft", "draft__jurisdiction", "draft__department", "to_department")
            .order_by("order", "pk")
        )
        # Locked before the staleness check, so no correction can slip in between the check and
        # entries_publish (which locks them again, in the same transaction).
        locked = Entry.objects.select_for_update().in_bulk(
            [item.draft.entry_id for item in items if item.draft.entry_id]
        )
        for item in items:
            draft = item.draft
            if draft.entry_id:
                draft.entry = locked[draft.entry_id]
            if draft.entry_id and draft.entry.version != draft.base_version:
                raise DomainError(
                    _(
                        "“%(draft)s” has been changed outside this request since it was approved "
                        "(version %(current)s); nothing was published. Ask the office to return "
                        "the request."
                    )
                    % {"draft": draft, "current": draft.entry.version}
                )
        moves = [item for item in items if item.change == ChangeKind.MOVE]

        def published(changes: list, positions: list[RequestItem]) -> list[Entry]:
            try:
                return registry.entries_publish(
                    actor=actor,
                    changes=changes,
                    source=ChangeSource.ADJUSTMENT,
                    reference=request.number,
                    reason=_publish_reason(request),
                    at=now,
                )
            except registry.PublishErrors as failed:
                names = "、".join(str(positions[position].draft) for position in failed.errors)
                raise DomainError(
                    _("Nothing was published: %(names)s cannot be published as proposed.")
                    % {"names": names}
                ) from failed

        # Seed 004 三(二)3 (三定): a moved entry becomes a new entry of the receiving department
        # (the implementation code names the implementing body, docs/architecture.md "Codes"),
        # published first so that the entry it replaces can name it; then every other change and
        # the closing of each moved entry ("merged into" its successor) publish together. One
        # transaction and one moment: all of it becomes public at once, or nothing does.
        successors = (
            published(
                [
                    registry.EntryChange(
                        payload=_moved_payload(item.draft.payload),
                        list_kind=item.draft.list_kind,
                        jurisdiction=item.draft.jurisdiction,
                        department=item.to_department,
                    )
                    for item in moves
                ],
                moves,
            )
            if moves
            else []
        )
        successor_of = {item.pk: entry for item, entry in zip(moves, successors, strict=True)}
        changes = []
        for item in items:
            payload = item.draft.payload
            if item.pk in successor_of:
                payload = {
                    **payload,
                    "status": EntryStatus.MERGED,
                    "merged_into": successor_of[item.pk].pk,
                }
            changes.append(
                registry.EntryChange(
                    payload=payload,
                    list_kind=item.draft.list_kind,
                    jurisdiction=item.draft.jurisdiction,
                    department=item.draft.department,
                    entry=item.draft.entry,
                )
            )
        entries = published(changes, items)
        for item in moves:
            item.moved_entry = successor_of[item.pk]
            item.save(update_fields=["moved_entry"])
        for item, entry in zip(items, entries, strict=True):
            item.entry = entry
            item.version = entry.version
            item.save(update_fields=["entry", "version"])
        registry.drafts_workflow_set(
            actor=actor,
            drafts=[item.draft for item in items],
            state=DraftState.PUBLISHED,
            reference=request.number,
            entries={item.draft_id: entry for item, entry in zip(items, entries, strict=True)},
        )
        _finish(step, actor=actor, outcome=StepOutcome.DONE, opinion=note.strip(), at=now)
        request.published_at = now
        _set_state(request, S.PUBLISHED, "published_at")
        if not Step.objects.filter(request=request, kind=K.SITE_UPDATE).exists():
            # The policy starts the department's period from publication.
            _start(request, K.SITE_UPDATE, request.department, at=now)
        if request.path == AdjustmentPath.FILING:
            _start(request, K.FILING, parent_office_of(request.jurisdiction), at=now)
        # The department may have updated its own site already (seed 004 三(三)5: 同时).
        _complete_if_done(request, now)
        event = move.write_event(
            opinion=note.strip(),
            detail={
                "entries": [[e.pk, e.version] for e in entries],
                **(
                    {"moved": [[item.entry_id, item.moved_entry_id] for item in moves]}
                    if moves
                    else {}
                ),
            },
        )
        _notify_applicant(request, event)
        _notify_receiving(request, "published")
    return request


def _complete_if_done(request: AdjustmentRequest, at: datetime.datetime) -> None:
    """Completed once published and no step is left open (a site update done before
    publication does not complete a request whose change is not public yet)."""
    if request.state != S.PUBLISHED:
        return
    if Step.objects.filter(request=request, finished_at=None).exists():
        return
    request.closed_at = at
    RequestItem.objects.filter(request=request).update(live=False)
    _set_state(request, S.COMPLETED, "closed_at")


@transaction.atomic
def adjustment_site_update(
    *, actor: User | None, request: AdjustmentRequest, note: str = ""
) -> AdjustmentRequest:
    """Seed 004 三(三)5: "同时，申请单位须在3个工作日内对部门网站及办公场所对有关内容进行调整更新":
    the department confirms it has updated its own website and premises with the approved
    content, within 3 working days of the moment the office's 2 days to send it to the digital
    office start (or of publication, if the policy says so). Done before publication, it is
    recorded, and the request completes when the change is published."""
    return _follow_up_done(request, Transition.SITE_UPDATE, actor=actor, note=note)


def _follow_up_done(
    request: AdjustmentRequest, transition: str, *, actor: User | None, note: str
) -> AdjustmentRequest:
    """A step that follows publication (site update, filing) is done; the request is completed
    when no step is left open."""
    with TRANSITIONS.transition(request, transition, actor=actor) as move:
        request, step, now = move.record, move.step, move.at
        _finish(step, actor=actor, outcome=StepOutcome.DONE, opinion=note.strip(), at=now)
        _complete_if_done(request, now)
        move.write_event(
            opinion=note.strip(),
        )
    return request
