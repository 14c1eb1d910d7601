"""Builds complaints through complaints.services, as the product itself would."""

import datetime

import time_machine

from complaints import services
from complaints.choices import Channel, ComplainantKind, Ground, StepKind
from complaints.models import Complaint, ComplaintStep
from core import services as core_services
from core.choices import Role
from core.models import Department, User
from tests.adjustment_builders import staff_user
from tests.builders import Org

FACTS = "市盐业管理局在食盐定点批发许可已取消后仍要求企业提交许可申请材料，并收取审查费。"


def file(
    org: Org,
    *,
    department=None,
    entries=(),
    facts: str = FACTS,
    ground: str = Ground.CANCELLED_CONTINUED,
    name: str = "王小明",
    phone: str = "13800000001",
    email: str = "",
    anonymous: bool = False,
    files=(),
) -> services.Filed:
    """An online complaint about the city's salt bureau (or `department`)."""
    return services.complaint_file(
        actor=None,
        department=department or (None if entries else org.departments["salt"]),
        entries=entries,
        ground=ground,
        facts=facts,
        complainant_kind=ComplainantKind.CITIZEN,
        anonymous=anonymous,
        name=name,
        phone=phone,
        email=email,
        truthful=True,
        files=files,
    )


def record(org: Org, *, channel: str = Channel.PHONE, received_at: datetime.datetime, **kwargs):
    """A complaint recorded by the city office's staff."""
    values = {
        "ground": Ground.NOT_AS_LISTED,
        "facts": FACTS,
        "complainant_kind": ComplainantKind.CITIZEN,
        "department": org.departments["salt"],
        "name": "李四",
        "phone": "13900000002",
        **kwargs,
    }
    return services.complaint_record(
        actor=org.users["office"], channel=channel, received_at=received_at, **values
    )


def open_step(complaint: Complaint, kind: str = StepKind.ACCEPT) -> ComplaintStep:
    return ComplaintStep.objects.get(complaint=complaint, kind=kind, finished_at=None)


def accepted(org: Org, **kwargs) -> Complaint:
    filed = file(org, **kwargs)
    return services.complaint_accept(actor=org.users["office"], complaint=filed.complaint)


def closed(org: Org, *, outcome: str = "substantiated", **kwargs) -> services.Filed:
    """A complaint accepted, answered by the salt bureau's clerk and closed by the office."""
    filed = file(org, **kwargs)
    complaint = services.complaint_accept(actor=org.users["office"], complaint=filed.complaint)
    complaint = services.complaint_answer(
        actor=org.users["clerk"], complaint=complaint, answer="经调查，已责令停止收费并退还。"
    )
    complaint = services.complaint_close(
        actor=org.users["office"],
        complaint=complaint,
        outcome=outcome,
        finding="取消事项后仍变相实施并收费" if outcome != "not_substantiated" else "",
    )
    return services.Filed(complaint, filed.secret)


def travel(moment: datetime.datetime):
    """The clock frozen at `moment` (tests.adjustment_builders.at gives Shanghai moments)."""
    return time_machine.travel(moment, tick=False)


def department(org: Org, name: str, *, district: bool = False) -> Department:
    """One more general department of the city (or the district), e.g. the body a "not ours"
    answer names."""
    return core_services.department_create(
        actor=None, jurisdiction=org.district if district else org.city, name=name
    )


def staff(
    org: Org, username: str, *, department: Department, role: str = Role.CLERK, email: str = ""
) -> User:
    """One more user of `department` in `role` (a second clerk, a second office member)."""
    return staff_user(org, username=username, role=role, department=department, email=email)


def answered(org: Org, **kwargs) -> Complaint:
    """A complaint accepted and answered by the salt bureau's clerk: the office's check waits."""
    complaint = accepted(org, **kwargs)
    return services.complaint_answer(
        actor=org.users["clerk"], complaint=complaint, answer="经调查，已责令停止收费并退还。"
    )


def reviewed(
    org: Org,
    filed: services.Filed,
    *,
    reasons: str = "收费仍未退还。",
    answer: str = "经复查，维持原答复。",
) -> Complaint:
    """The complainant asks for a review of a closed complaint and the city office answers it
    (the salt bureau is a city department: the office at the top of the tree reviews)."""
    complaint = services.complaint_review_request(
        actor=None, complaint=filed.complaint, secret=filed.secret, reasons=reasons
    )
    return services.complaint_review(
        actor=org.users["office"], complaint=complaint, decision="upheld", answer=answer
    )
