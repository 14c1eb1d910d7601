"""Reviewer and applicant talk (沟通对接, seed 004 三(三)3)."""

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import NotificationKind, Role
from core.models import User
from core.services import notification_send, permission_require, users_of

from ..choices import (
    REVIEW_STEPS,
    TALK_STATES,
    RequestState,
    Transition,
)
from ..models import (
    AdjustmentRequest,
    RequestEvent,
    Step,
)
from ..permissions import TALK
from .procedure import TransitionRefused, _check_files, _event, _lock, _require_text, request_url


@transaction.atomic
def adjustment_message_send(
    *,
    actor: User,
    request: AdjustmentRequest,
    text: str,
    files: Sequence[UploadedFile] = (),
) -> RequestEvent:
    """Seed 004 三(三)3 审核: the lead review departments "主动与申请单位沟通对接": during review
    (and joint review and re-review) a lead reviewer and the applying department exchange
    messages on the request, with documents. Each is an event of the request's append-only
    log, so the timeline shows it, the office (and everyone who sees the request) reads it and
    nobody else does; the other side is notified. The state and the steps do not change."""
    text = _require_text(text, _("message"))
    request = _lock(request)
    if request.state not in TALK_STATES:
        raise TransitionRefused(
            _("Messages are exchanged during review; request %(number)s is %(state)s.")
            % {"number": request.number, "state": RequestState(request.state).label}
        )
    permission_require(actor, TALK, request)
    _check_files(files)
    event = _event(
        request,
        Transition.MESSAGE,
        actor=actor,
        from_state=request.state,
        opinion=text,
        detail={"from_department": actor.department_id},
        files=files,
    )
    if actor.department_id == request.department_id:
        reviewers = Step.objects.filter(request=request, kind__in=REVIEW_STEPS).values(
            "department_id"
        )
        recipients = User.objects.filter(
            department_id__in=reviewers, role=Role.REVIEWER, is_active=True
        ).order_by("pk")
    else:
        recipients = users_of(request.department, Role.CLERK)
    notification_send(
        recipients=recipients,
        kind=NotificationKind.PROGRESS,
        subject=_("Message on adjustment request %(number)s from %(department)s")
        % {"number": request.number, "department": actor.department},
        body=text,
        url=request_url(request) + "#messages",
        dedupe_key=f"adjustment-event:{event.pk}:message",
    )
    return event
