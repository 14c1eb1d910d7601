"""The inspection procedure (seed 004 二(三)): the written notice to the unit, its report,
meetings, interviews, materials reviewed and the oral feedback with preliminary rectification
requirements, each recorded with its date, actor and files; then the result, published within
20 working days of the inspection's end (双随机、一公开, 国办发〔2015〕58号)."""

import datetime
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import calendar
from core.choices import NotificationKind, Role
from core.documents import Heading, chinese_date, official_document_pdf
from core.models import User
from core.services import DomainError, notification_send, require_text
from core.services.offices import users_of

from ..choices import InspectionState, Material, RecordKind, StepKind, Transition
from ..models import Inspection, InspectionRecord
from .files import files_save
from .plans import plan_finish_if_done, supervision_department
from .procedure import INSPECTIONS, document_number_next, policy_for, step_finish, step_start

# Seed 004 二(三)2–6, the procedure the written notice tells the unit.
PROCEDURE_TEXT = (
    "听取被检查单位的工作汇报；采取召开座谈会、个别谈话、访谈办事群众等方式了解情况；查阅相关材料"
    "（学习记录、落实文件、宣传载体、事中事后监管文件、群众评价和投诉处理情况）；检查结束时口头反馈"
    "发现的问题，提出初步整改意见。"
)


def _issuer(inspection: Inspection):
    issuer = supervision_department(inspection.plan.jurisdiction)
    if issuer is None:
        raise DomainError(
            _("%(jurisdiction)s has no supervision department to issue the notice.")
            % {"jurisdiction": inspection.plan.jurisdiction}
        )
    return issuer


def _notice_pdf(inspection: Inspection, *, issuer, number: str, meet_on, day) -> bytes:
    """The written notice (seed 004 二(三)2: basis, scope, content, procedure) as an official
    document, in Chinese whatever the page's language."""
    plan = inspection.plan
    contents = list(plan.contents.order_by("order", "code"))
    blocks = [
        _(
            "For the operation of the lists, %(jurisdiction)s inspects your unit under the "
            "plan %(plan)s. The inspection begins on %(day)s."
        )
        % {
            "jurisdiction": plan.jurisdiction,
            # 《》 around the title: the plan's own title may hold “”.
            "plan": f"《{plan.title}》",
            "day": chinese_date(meet_on),
        },
        Heading(_("I. Basis")),
        plan.basis,
        Heading(_("II. Scope")),
        _("%(unit)s, for the period %(start)s to %(end)s.")
        % {
            "unit": inspection.department,
            "start": chinese_date(plan.period_start),
            "end": chinese_date(plan.period_end),
        },
        Heading(_("III. Content")),
        *[
            f"{index}．{content.name}：{content.content}"
            for index, content in enumerate(contents, 1)
        ],
        Heading(_("IV. Procedure")),
        PROCEDURE_TEXT,
        _("Please prepare the materials listed above and a written report of your work."),
    ]
    return official_document_pdf(
        issuer=issuer.name,
        number=number,
        title=_("Notice of inspection"),
        addressee=inspection.department.name,
        blocks=blocks,
        signer=issuer.name,
        date=day,
    )


def inspection_notify(*, actor: User, inspection: Inspection, meet_on: datetime.date) -> Inspection:
    """Seed 004 二(三)2: 监督检查前向被检查处室发出书面通知，告知监督检查的依据、范围、内容和程序.
    The notice is an official document generated from the plan, numbered by the supervision
    department, kept as issued and delivered to the unit's clerks."""
    with INSPECTIONS.transition(inspection, Transition.INSPECTION_NOTIFY, actor=actor) as move:
        inspection = move.record
        plan = inspection.plan
        issuer = _issuer(inspection)
        policy = policy_for(plan.jurisdiction)
        today = timezone.localtime(move.at, calendar.SHANGHAI).date()
        _serial, number = document_number_next(
            issuer=issuer, prefix=policy.document_prefix, year=today.year
        )
        with translation.override("zh-hans"):
            pdf = _notice_pdf(inspection, issuer=issuer, number=number, meet_on=meet_on, day=today)
        inspection.notice_pdf.save(
            f"inspections/notices/inspection-{inspection.pk}.pdf", ContentFile(pdf), save=False
        )
        move.set(
            state=InspectionState.NOTIFIED,
            notice_number=number,
            notified_at=move.at,
            notice_pdf=inspection.notice_pdf.name,
        )
        InspectionRecord.objects.create(
            inspection=inspection,
            kind=RecordKind.NOTICE,
            held_on=today,
            text=_("Written notice %(number)s sent.") % {"number": number},
            recorded_by=actor,
            recorded_at=move.at,
        )
        move.event_with(detail={"number": number})
        unit = inspection.department
        move.after(
            lambda: notification_send(
                recipients=users_of(unit, Role.CLERK),
                kind=NotificationKind.PROGRESS,
                subject=_("Notice of inspection %(number)s") % {"number": number},
                body=str(plan),
                url=inspection.get_absolute_url(),
                dedupe_key=f"inspection:{inspection.pk}:notified",
            )
        )
        return inspection


def inspection_record(
    *,
    actor: User,
    inspection: Inspection,
    kind: str,
    held_on: datetime.date,
    text: str,
    materials: Sequence[str] = (),
    people_served: int = 0,
    files: Sequence = (),
) -> InspectionRecord:
    """Seed 004 二(三)3–5: the unit's report, a meeting, an interview (people served among
    those heard) or the materials reviewed (the seed's list), with the files."""
    if kind not in (
        RecordKind.REPORT,
        RecordKind.MEETING,
        RecordKind.INTERVIEW,
        RecordKind.MATERIALS,
    ):
        raise DomainError(_("Choose which step of the inspection this records."))
    text = require_text(text, _("record"))
    unknown = set(materials) - set(Material.values)
    if unknown:
        raise DomainError(
            _("Unknown materials: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if kind == RecordKind.MATERIALS and not materials:
        raise DomainError(_("Tick the materials reviewed."))
    if people_served < 0:
        raise DomainError(_("The number of people served cannot be negative."))
    with INSPECTIONS.transition(inspection, Transition.INSPECTION_RECORD, actor=actor) as move:
        today = timezone.localtime(move.at, calendar.SHANGHAI).date()
        if held_on > today or (
            move.record.notified_at
            and held_on < timezone.localtime(move.record.notified_at, calendar.SHANGHAI).date()
        ):
            raise DomainError(_("The date must fall between the notice and today."))
        record = InspectionRecord.objects.create(
            inspection=move.record,
            kind=kind,
            held_on=held_on,
            text=text,
            materials=sorted(set(materials)),
            people_served=people_served if kind == RecordKind.INTERVIEW else 0,
            recorded_by=actor,
            recorded_at=move.at,
        )
        files_save(files, actor=actor, record=record)
        move.set(state=InspectionState.UNDER_WAY)
        move.event_with(detail={"record": record.pk, "kind": kind})
        return record


def inspection_finish(
    *, actor: User, inspection: Inspection, feedback: str, held_on: datetime.date | None = None
) -> Inspection:
    """Seed 004 二(三)6: 检查结束向被检查处室口头反馈检查中发现的问题，提出初步整改意见. The
    result is then due for publication within the policy's period (20 working days, national
    practice), a step of the jurisdiction's supervisors."""
    feedback = require_text(feedback, _("preliminary rectification requirements"))
    with INSPECTIONS.transition(inspection, Transition.INSPECTION_FINISH, actor=actor) as move:
        inspection = move.record
        today = timezone.localtime(move.at, calendar.SHANGHAI).date()
        InspectionRecord.objects.create(
            inspection=inspection,
            kind=RecordKind.FEEDBACK,
            held_on=held_on or today,
            text=feedback,
            recorded_by=actor,
            recorded_at=move.at,
        )
        move.set(state=InspectionState.FINISHED, finished_at=move.at, feedback=feedback)
        move.save()
        issuer = _issuer(inspection)
        step = step_start(
            department=issuer,
            role=Role.SUPERVISOR,
            kind=StepKind.PUBLISH,
            at=move.at,
            days=move.period(),
            inspection=inspection,
        )
        move.event_with(detail={"publish_step": step.pk})
        return inspection


def inspection_publish(*, actor: User, inspection: Inspection, result: str) -> Inspection:
    """Publishes the result of a drawn inspection on the public draw page (双随机、一公开): what
    was found, in words fit for the public (no personal data)."""
    result = require_text(result, _("result"))
    with INSPECTIONS.transition(inspection, Transition.INSPECTION_PUBLISH, actor=actor) as move:
        step_finish(move.step, actor=actor, outcome="published", at=move.at)
        move.set(state=InspectionState.PUBLISHED, result=result, published_at=move.at)
        move.save()
        plan_finish_if_done(move.record.plan, at=move.at)
        return move.record


__all__ = [
    "PROCEDURE_TEXT",
    "inspection_finish",
    "inspection_notify",
    "inspection_publish",
    "inspection_record",
]
