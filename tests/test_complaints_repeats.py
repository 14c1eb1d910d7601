"""Issue 12 §4: repeats of one matter (seed 004 五(二)2(4); SPEC §5: merged rather than handled
twice). Same department, similar text (a MinHash signature matched on an index, not texts
compared in Python) and, where both give one, the same contact; the query count does not grow
with the department's complaints; a repeat of an open complaint is merged and follows its
handling, a repeat of an answered one is refused with the repeat ground."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from complaints import selectors, services
from complaints.choices import ComplaintState, RefusalGround, StepOutcome, Transition
from complaints.models import ComplaintStep
from core.choices import Role
from core.services import DomainError
from tests import complaint_builders as build

# The builders' text (build.FACTS) and the same matter in other words.
REWORDED = "食盐定点批发许可已经取消了，市盐业管理局仍然要求企业提交许可申请材料，还收取审查费。"
UNRELATED = "市盐业管理局执法人员在检查时未出示执法证件，也未告知当事人陈述申辩的权利。"


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def found(complaint) -> list:
    return [repeat.complaint for repeat in services.repeats_of(complaint)]


def test_the_same_matter_from_the_same_contact_is_found(org, calendar):
    earlier = build.closed(org, phone="13800000001").complaint
    # The same phone written otherwise: the last eleven digits are compared.
    later = build.file(org, facts=REWORDED, phone="+86 138-0000-0001").complaint
    (repeat,) = services.repeats_of(later)
    assert repeat.complaint == earlier
    assert 0.5 <= repeat.similarity < 1
    assert repeat.answered
    assert not repeat.reviews_exhausted
    # Offered to the office that may see both, not to a district office.
    assert [
        r.complaint for r in selectors.repeats(user=org.users[Role.OFFICE], complaint=later)
    ] == [earlier]
    assert selectors.repeats(user=org.district_users[Role.OFFICE], complaint=later) == []
    # The later one is not a repeat of itself, and the earlier one repeats nothing earlier.
    assert found(earlier) == []


def test_the_same_text_with_an_email_contact_is_found(org, calendar):
    earlier = build.file(org, phone="", email="Wang@Example.invalid").complaint
    later = build.file(org, facts=REWORDED, phone="", email="wang@example.invalid").complaint
    assert found(later) == [earlier]


def test_another_department_another_contact_or_another_matter_is_not_a_repeat(org, calendar):
    build.closed(org, phone="13800000001")
    parks = build.department(org, "市园林局")
    elsewhere = build.file(org, facts=REWORDED, department=parks, phone="13800000001").complaint
    assert found(elsewhere) == []
    district = build.file(
        org, facts=REWORDED, department=org.district_departments["salt"], phone="13800000001"
    ).complaint
    assert found(district) == []
    stranger = build.file(org, facts=REWORDED, phone="13900000009").complaint
    assert found(stranger) == []
    unrelated = build.file(org, facts=UNRELATED, phone="13800000001").complaint
    assert found(unrelated) == []


def test_an_anonymous_complaint_matches_and_is_matched(org, calendar):
    anonymous = build.file(org, anonymous=True).complaint
    named = build.file(org, facts=REWORDED, phone="13800000001").complaint
    assert found(named) == [anonymous]
    again = build.file(org, anonymous=True, facts=REWORDED + "请尽快处理。").complaint
    assert set(found(again)) == {anonymous, named}


def test_refused_and_merged_complaints_are_not_offered(org, calendar):
    office = org.users[Role.OFFICE]
    refused = build.file(org).complaint
    services.complaint_refuse(
        actor=office, complaint=refused, ground=RefusalGround.OTHER_LAWFUL, reason="不予受理。"
    )
    later = build.file(org, facts=REWORDED).complaint
    assert found(later) == []


def _department_with(org, count: int, department):
    """`count` complaints of the same matter about `department`, by the same phone."""
    for number in range(count):
        build.file(org, department=department, facts=f"{build.FACTS}（第{number}次）")
    return build.file(org, department=department, facts=REWORDED).complaint


def test_the_query_count_does_not_grow_with_the_departments_complaints(org, calendar):
    few = _department_with(org, 3, org.departments["salt"])
    many = _department_with(org, 30, build.department(org, "市园林局"))
    with CaptureQueriesContext(connection) as few_queries:
        few_found = services.repeats_of(few)
    with CaptureQueriesContext(connection) as many_queries:
        many_found = services.repeats_of(many)
    assert len(few_found) == 3
    assert len(many_found) == 5  # the five most alike
    assert len(few_queries) == len(many_queries) <= 3


# --- merging and refusing repeats -----------------------------------------------------------------


def test_a_repeat_of_an_open_complaint_is_merged_and_follows_it(org, calendar):
    office = org.users[Role.OFFICE]
    earlier = build.accepted(org)
    later = build.file(org, facts=REWORDED)
    assert found(later.complaint) == [earlier]
    assert not services.repeats_of(later.complaint)[0].answered

    merged = services.complaint_merge(
        actor=office, complaint=later.complaint, into=earlier, opinion="同一事项，合并办理。"
    )
    assert (merged.state, merged.repeat_of) == (ComplaintState.MERGED, earlier)
    assert ComplaintStep.objects.get(complaint=merged).outcome == StepOutcome.MERGED
    tracked = selectors.complaint_track(code=merged.code, secret=later.secret)
    assert tracked.stages[-1].transition == Transition.MERGE
    assert tracked.merged_into.complaint == earlier
    assert [s.transition for s in tracked.merged_into.stages] == ["file", "accept"]

    # The earlier one's answer reaches the later complainant.
    earlier = services.complaint_answer(
        actor=org.users[Role.CLERK], complaint=earlier, answer="已责令退还审查费。"
    )
    services.complaint_close(
        actor=office, complaint=earlier, outcome="substantiated", finding="变相审批并收费。"
    )
    tracked = selectors.complaint_track(code=merged.code, secret=later.secret)
    assert tracked.merged_into.stages[-1].transition == Transition.CLOSE
    assert tracked.merged_into.stages[-1].note == "已责令退还审查费。"
    # The staff's merge opinion is not on the tracking page.
    assert all("合并办理" not in stage.note for stage in tracked.stages)


def test_merging_into_a_refused_or_merged_complaint_or_another_department_is_refused(org, calendar):
    office = org.users[Role.OFFICE]
    refused = build.file(org).complaint
    services.complaint_refuse(
        actor=office, complaint=refused, ground=RefusalGround.OTHER_BODY, reason="已由他机关受理。"
    )
    open_one = build.file(org).complaint
    merged = build.file(org).complaint
    services.complaint_merge(actor=office, complaint=merged, into=open_one)
    later = build.file(org, facts=REWORDED).complaint
    with pytest.raises(DomainError, match="Not accepted: it cannot take another in"):
        services.complaint_merge(actor=office, complaint=later, into=refused)
    with pytest.raises(DomainError, match="Merged with an earlier complaint: it cannot take"):
        services.complaint_merge(actor=office, complaint=later, into=merged)
    with pytest.raises(DomainError, match="cannot be merged with itself"):
        services.complaint_merge(actor=office, complaint=later, into=later)
    parks = build.department(org, "市园林局")
    with pytest.raises(DomainError, match="same department"):
        services.complaint_merge(
            actor=office, complaint=later, into=build.file(org, department=parks).complaint
        )
    later.refresh_from_db()
    assert later.state == ComplaintState.RECEIVED


def test_a_repeat_of_an_answered_complaint_is_refused_with_the_repeat_ground(org, calendar):
    earlier = build.closed(org)
    later = build.file(org, facts=REWORDED)
    (repeat,) = services.repeats_of(later.complaint)
    assert repeat.answered
    refused = services.complaint_refuse(
        actor=org.users[Role.OFFICE],
        complaint=later.complaint,
        ground=RefusalGround.REPEAT,
        reason="该事项已作出答复，本次投诉无新的事实和理由。",
        repeat_of=repeat.complaint,
    )
    assert (refused.state, refused.repeat_of) == (ComplaintState.REFUSED, earlier.complaint)
    tracked = selectors.complaint_track(code=refused.code, secret=later.secret)
    assert tracked.stages[-1].note == "该事项已作出答复，本次投诉无新的事实和理由。"
