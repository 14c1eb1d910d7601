"""core.workflow, the one workflow mechanism (issue 10 §1), tested on a test-only procedure
(tests/timed_app/procedure.py) declared as complaints, inspections, decisions and
accountability will declare theirs, and on the adjustment procedure's declaration."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction

from adjustments import services as adjustment_services
from adjustments.models import STEP_PERIOD, AdjustmentPolicy
from core import calendar as working_days
from core.services import DomainError
from core.workflow import TransitionRefused
from tests.conftest import need
from tests.timed_app.models import Case, CaseEvent, CaseStep
from tests.timed_app.procedure import CASE, CaseRefused
from tests.timed_app.services import case_accept, case_note, case_open, case_withdraw

MONDAY = datetime.datetime(2026, 3, 2, 10, tzinfo=working_days.SHANGHAI)


@pytest.fixture
def people(org):
    return org.users["clerk"], org.users["office"], org.users["reviewer"]


def _open(owner, intake) -> Case:
    return case_open(actor=owner, title="案件一", intake=intake, at=MONDAY)


def test_a_transition_writes_its_event_saves_its_fields_and_starts_the_declared_period(
    calendar, people
):
    owner, intake, _stranger = people
    case = _open(owner, intake)

    done = case_accept(actor=intake, case=case)

    case.refresh_from_db()
    assert case.state == "handling" == done.state
    event = CaseEvent.objects.get(case=case)
    assert (event.transition, event.from_state, event.to_state) == ("accept", "new", "handling")
    assert event.actor == intake and event.detail == {"period": 5}
    intake_step, handling = CaseStep.objects.filter(case=case).order_by("pk")
    assert event.step == intake_step and intake_step.finished_at == event.at
    # The declared period (5 working days) under the core calendar.
    assert handling.kind == "handling" and handling.deadline_days == 5
    assert handling.started_at == event.at
    assert handling.due_at == working_days.add(event.at, 5).due


def test_a_transition_from_another_state_is_refused_and_writes_nothing(calendar, people):
    owner, intake, _stranger = people
    case = _open(owner, intake)
    case_accept(actor=intake, case=case)

    refusal = "无法执行“accept”：案件一当前状态为“handling”"
    with pytest.raises(CaseRefused, match=refusal) as refused:
        case_accept(actor=intake, case=case)

    assert isinstance(refused.value, TransitionRefused) and isinstance(refused.value, DomainError)
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_a_transition_not_the_actors_turn_says_whom_the_record_waits_on(calendar, people):
    owner, intake, stranger = people
    case = _open(owner, intake)

    with pytest.raises(CaseRefused, match=f"您无权执行“accept”：案件一正在等待{intake}办理"):
        case_accept(actor=stranger, case=case)
    with pytest.raises(CaseRefused, match="您无权执行“withdraw”"):
        case_withdraw(actor=stranger, case=case)  # the guard `may`: only the owner

    case.refresh_from_db()
    assert case.state == "new" and not CaseEvent.objects.exists()


def test_side_effects_run_after_the_commit_and_never_on_a_rollback(
    calendar, people, django_capture_on_commit_callbacks
):
    owner, intake, _stranger = people
    case = _open(owner, intake)
    ran = []

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValueError):
        case_note(actor=intake, case=case, note="先记下", fail=True, effect=lambda: ran.append(1))
    assert ran == [] and callbacks == []
    case.refresh_from_db()
    assert case.note == "" and not CaseEvent.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_note(actor=intake, case=case, note="先记下", effect=lambda: ran.append(2))
        assert ran == []  # not during the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert ran == [2]
    case.refresh_from_db()
    assert case.note == "先记下" and case.state == "new"
    event = CaseEvent.objects.get(case=case)
    assert (event.transition, event.from_state, event.to_state) == ("note", "new", "new")


def test_an_outer_rollback_drops_the_side_effects_too(
    calendar, people, django_capture_on_commit_callbacks
):
    owner, intake, _stranger = people
    case = _open(owner, intake)
    ran = []
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                case_accept(actor=intake, case=case, effect=lambda: ran.append(1))
                raise RuntimeError
        except RuntimeError:
            pass
    assert ran == []
    case.refresh_from_db()
    assert case.state == "new" and not CaseEvent.objects.exists()


def test_available_transitions_per_user_read_the_same_table(calendar, people):
    owner, intake, stranger = people
    case = _open(owner, intake)

    assert CASE.available(intake, case) == ["accept", "note"]
    assert CASE.available(owner, case) == ["withdraw"]
    assert CASE.available(stranger, case) == []

    case_accept(actor=intake, case=case)
    case.refresh_from_db()
    assert CASE.available(intake, case) == ["close", "note"]
    case_withdraw(actor=owner, case=case)
    case.refresh_from_db()
    assert case.state == "withdrawn"
    assert CASE.available(owner, case) == CASE.available(intake, case) == []


@pytest.mark.django_db(transaction=True)
def test_two_people_at_once_the_second_waits_for_the_lock_and_is_refused(calendar, org):
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    owner, intake = org.users["clerk"], org.users["office"]
    case = _open(owner, intake)
    barrier = threading.Barrier(2)
    outcomes = []

    def run(action):
        try:
            barrier.wait()
            action()
            outcomes.append("done")
        except TransitionRefused as refusal:
            outcomes.append(str(refusal))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(lambda: case_accept(actor=intake, case=case),))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[0] == "done" and "无法执行" in sorted(outcomes)[1]
    case.refresh_from_db()
    assert CaseEvent.objects.filter(case=case).count() == 1
    assert case.state == CaseEvent.objects.get(case=case).to_state


def test_the_adjustment_procedure_is_declared_with_the_mechanism():
    table = adjustment_services.TRANSITIONS
    assert set(table) == set(adjustment_services.PERFORM)
    assert issubclass(adjustment_services.TransitionRefused, TransitionRefused)
    policy_fields = {field.name for field in AdjustmentPolicy._meta.fields}
    for name, rule in table.items():
        assert rule.sources, name
        # A declared period is a policy field, the period of a step the transition starts.
        if rule.period is not None:
            assert rule.period in policy_fields and rule.period in STEP_PERIOD.values(), name
        if rule.target is not None:
            assert rule.target not in rule.sources, name
