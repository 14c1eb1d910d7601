"""Enforcement bodies and officers (执法主体公示, 持证上岗; seed 004 一(二)6, seed 002 监督检查办法
第十一条): a department proposes its bodies, the government of its level confirms and publishes
them (its reform office or legal-affairs reviewers), and may withdraw them. Officers are the
organisation's people with their certificates (core.Person, core.EnforcementCertificate, saved
through core.services.organisation_object_save); a certificate near its end reminds the
department once, an expired one is flagged where it is shown."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.checkers import credit_code_normalise, upload_problem, upload_sha256
from core.choices import AuditAction, NotificationKind, PersonDuty, Role
from core.models import Department, EnforcementCertificate, Person, User
from core.permissions import Action
from core.services import (
    DomainError,
    NotificationDraft,
    _validated_save,
    audit_record,
    notifications_send_bulk,
    optional_text,
    organisation_object_save,
    permission_require,
    require_text,
)

from ..choices import BodyKind, BodyState
from ..models import DecisionPolicy, EnforcementBody
from ..permissions import CONFIRM
from .files import RECORD_SUFFIXES
from .procedure import now, policy_for

BODY_FIELDS = (
    "name",
    "kind",
    "credit_code",
    "basis",
    "entrustment_number",
    "entrusted_from",
    "entrusted_until",
)


@transaction.atomic
def body_save(
    *,
    actor: User,
    department: Department,
    values: dict,
    body: EnforcementBody | None = None,
    entrustment_file=None,
) -> EnforcementBody:
    """A department's clerk proposes an enforcement body or changes a proposed one; a change to
    a confirmed body sends it back for confirmation (what was confirmed is what is published).
    An entrusted organisation needs the entrustment's number, validity and papers (seed 004
    一(二)6: 按照程序履行委托执法手续)."""
    if body is None:
        permission_require(actor, Action.ADD, EnforcementBody)
        body = EnforcementBody(department=department)
    else:
        body = EnforcementBody.objects.select_for_update().get(pk=body.pk)
        permission_require(actor, Action.CHANGE, body)
    if not actor.is_superuser and actor.department_id != department.pk:
        raise DomainError(_("You keep the enforcement bodies of your own department only."))
    body.name = require_text(values.get("name", ""), _("name of the body"), multiline=False)
    body.kind = values.get("kind") or BodyKind.OWN
    body.credit_code = credit_code_normalise(values.get("credit_code") or "")
    body.basis = require_text(values.get("basis", ""), _("legal basis of its power"))
    body.entrustment_number = optional_text(values.get("entrustment_number", ""), multiline=False)
    body.entrusted_from = values.get("entrusted_from")
    body.entrusted_until = values.get("entrusted_until")
    if body.kind == BodyKind.ENTRUSTED:
        if not body.entrustment_number:
            raise DomainError(_("Give the entrustment document's number."))
        if not body.entrusted_from or not body.entrusted_until:
            raise DomainError(_("Give the entrustment's validity (from and until)."))
        if body.entrusted_until < body.entrusted_from:
            raise DomainError(_("An entrustment cannot end before it starts."))
        if entrustment_file is None and not body.entrustment_file:
            raise DomainError(_("Attach the entrustment papers."))
    else:
        # An own body carries no entrustment: papers kept from when it was one are detached.
        body.entrustment_number = ""
        body.entrusted_from = body.entrusted_until = None
        body.entrustment_file = ""
    if entrustment_file is not None and body.kind == BodyKind.ENTRUSTED:
        problem = upload_problem(entrustment_file, suffixes=RECORD_SUFFIXES)
        if problem:
            raise DomainError(problem)
        upload_sha256(entrustment_file)
        body.entrustment_file = entrustment_file
    adding = body.pk is None
    if not adding and body.state == BodyState.CONFIRMED:
        body.state = BodyState.PROPOSED
        body.confirmed_at = None
        body.confirmed_by = None
    _validated_save(body)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if adding else AuditAction.UPDATE,
        obj=body,
        jurisdiction=department.jurisdiction,
    )
    return body


@transaction.atomic
def body_confirm(*, actor: User, body: EnforcementBody) -> EnforcementBody:
    """审核、确认、公布 (seed 002 监督检查办法 第十一条): from now on the body is published and may
    act; decisions dated before stay flagged (未经确认、公布的,不得开展执法活动)."""
    body = EnforcementBody.objects.select_for_update().get(pk=body.pk)
    permission_require(actor, CONFIRM, body)
    if body.state == BodyState.CONFIRMED:
        raise DomainError(_("This body is confirmed already."))
    body.state = BodyState.CONFIRMED
    body.confirmed_at = now()
    body.confirmed_by = actor
    body.withdrawn_at = None
    body.save(update_fields=["state", "confirmed_at", "confirmed_by", "withdrawn_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=body,
        jurisdiction=body.department.jurisdiction,
        detail={"transition": "confirm"},
    )
    return body


@transaction.atomic
def body_withdraw(*, actor: User, body: EnforcementBody, reason: str) -> EnforcementBody:
    """Withdraws a body (机构撤并, an entrustment ended): it no longer appears as published and
    may no longer act; its past decisions keep it."""
    body = EnforcementBody.objects.select_for_update().get(pk=body.pk)
    permission_require(actor, CONFIRM, body)
    reason = require_text(reason, _("reason for the withdrawal"))
    if body.state == BodyState.WITHDRAWN:
        raise DomainError(_("This body is withdrawn already."))
    body.state = BodyState.WITHDRAWN
    body.withdrawn_at = now()
    body.save(update_fields=["state", "withdrawn_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=body,
        jurisdiction=body.department.jurisdiction,
        detail={"transition": "withdraw", "reason": reason},
    )
    return body


@transaction.atomic
def officer_save(
    *,
    actor: User,
    department: Department,
    name: str,
    phone: str = "",
    person: Person | None = None,
) -> Person:
    """An enforcement officer of the department (a person with the duty 执法人员)."""
    person = person or Person(department=department)
    person.name = require_text(name, _("name"), multiline=False)
    person.phone = optional_text(phone, multiline=False)
    person.duty = PersonDuty.OFFICER
    changed = ["name", "phone", "duty"] if person.pk else []
    return organisation_object_save(actor=actor, obj=person, changed_fields=changed)


@transaction.atomic
def certificate_save(
    *,
    actor: User,
    person: Person,
    number: str,
    issuing_authority: str,
    enforcement_field: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    certificate: EnforcementCertificate | None = None,
) -> EnforcementCertificate:
    """An officer's 执法证 (seed 002 监督检查办法 第十一条: 持证上岗): its number, field and
    validity."""
    certificate = certificate or EnforcementCertificate(person=person)
    certificate.number = require_text(number, _("certificate number"), multiline=False).upper()
    certificate.issuing_authority = require_text(
        issuing_authority, _("issuing authority"), multiline=False
    )
    certificate.enforcement_field = optional_text(enforcement_field, multiline=False)
    certificate.valid_from = valid_from
    certificate.valid_until = valid_until
    changed = (
        ["number", "issuing_authority", "enforcement_field", "valid_from", "valid_until"]
        if certificate.pk
        else []
    )
    return organisation_object_save(actor=actor, obj=certificate, changed_fields=changed)


def certificates_expiring_remind(*, today: datetime.date | None = None) -> int:
    """Daily (config/celery.py): each certificate whose end comes within the jurisdiction's
    warning period (DecisionPolicy.certificate_warning_days, this product's default 30 days)
    reminds the clerks of the officer's department, once per certificate and end date (the
    notification's unique key). Returns the notifications sent."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=365)
    certificates = list(
        EnforcementCertificate.objects.filter(
            valid_until__gte=today, valid_until__lte=horizon, person__duty=PersonDuty.OFFICER
        ).select_related("person__department__jurisdiction")
    )
    policies: dict[int, DecisionPolicy] = {}
    due = []
    for certificate in certificates:
        jurisdiction = certificate.person.department.jurisdiction
        if jurisdiction.pk not in policies:
            policies[jurisdiction.pk] = policy_for(jurisdiction)
        warning = datetime.timedelta(days=policies[jurisdiction.pk].certificate_warning_days)
        if certificate.valid_until - today <= warning:
            due.append(certificate)
    clerks: dict[int, list[User]] = {}
    for user in User.objects.filter(
        Q(department_id__in={c.person.department_id for c in due}),
        role=Role.CLERK,
        is_active=True,
    ).order_by("pk"):
        clerks.setdefault(user.department_id, []).append(user)
    from django.urls import reverse

    url = reverse("decisions:officers")
    drafts = []
    for certificate in due:
        facts = {
            "person": certificate.person.name,
            "number": certificate.number,
            "day": certificate.valid_until.isoformat(),
        }
        drafts += [
            NotificationDraft(
                user,
                NotificationKind.DEADLINE_REMINDER,
                _("Enforcement certificate ending: %(person)s") % facts,
                _(
                    "The enforcement certificate %(number)s of %(person)s ends on %(day)s; "
                    "without a renewed one they may not enforce after it (持证上岗)."
                )
                % facts,
                url,
                f"certificate-expiry:{certificate.pk}:{certificate.valid_until.isoformat()}",
            )
            for user in clerks.get(certificate.person.department_id, [])
        ]
    return len(notifications_send_bulk(drafts=drafts))
