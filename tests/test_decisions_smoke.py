import datetime

import pytest
import time_machine

from decisions import services
from decisions.choices import DecisionState
from tests.decision_builders import build_decision_org, record_penalty


@pytest.mark.django_db
def test_smoke(calendar):
    with time_machine.travel(datetime.datetime(2026, 8, 1, 10, tzinfo=datetime.UTC), tick=False):
        built = build_decision_org()
    with time_machine.travel(datetime.datetime(2026, 9, 22, 10, tzinfo=datetime.UTC), tick=False):
        decision = record_penalty(built, served_on=datetime.date(2026, 9, 21))
    assert decision.state == DecisionState.SERVED
    assert not decision.officer_uncertified and not decision.item_not_in_force
    step = decision.steps.get()
    print(step.due_at)
    with time_machine.travel(datetime.datetime(2026, 9, 23, 10, tzinfo=datetime.UTC), tick=False):
        published = services.decision_publish(actor=built.clerk, decision=decision)
    assert published.public_party_name == "郑州某盐业有限公司"
    assert not published.published_late
