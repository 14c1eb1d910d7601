"""The whole path of one complaint through the services (issue 12 §1–7)."""

from complaints import selectors, services
from complaints.choices import ComplaintState, Outcome, Rating
from tests import complaint_builders as build


def test_a_complaint_goes_from_filing_to_review(org, calendar):
    filed = build.closed(org)
    complaint = filed.complaint
    assert complaint.state == ComplaintState.CLOSED
    assert complaint.outcome == Outcome.SUBSTANTIATED
    tracked = selectors.complaint_track(code=complaint.code.lower(), secret=filed.secret)
    assert tracked is not None
    assert [stage.transition for stage in tracked.stages] == ["file", "accept", "close"]
    assert selectors.complaint_track(code=complaint.code, secret="WRONG-SECRET") is None
    services.complaint_rate(
        actor=None, complaint=complaint, secret=filed.secret, rating=Rating.NOT_SATISFIED
    )
    complaint = services.complaint_review_request(
        actor=None, complaint=complaint, secret=filed.secret, reasons="收费未退还"
    )
    assert complaint.state == ComplaintState.REVIEWING
    step = build.open_step(complaint, "review")
    assert step.department == org.departments["office"]
    assert step.deadline_unit == "calendar"
