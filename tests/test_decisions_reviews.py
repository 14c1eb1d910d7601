"""Issue 14 §7 (seed 002 监督检查办法 第十五条: 卷宗评查): a supervisor samples the decisions of a
period with the auditable draw (commitment first, then the seed; anyone re-runs it), scores the
files against a checklist, and the findings land in the problem ledger."""

import datetime
import hashlib
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core.services import DomainError
from decisions import selectors, services
from decisions.choices import ReviewState
from decisions.models import CaseReview
from inspections import draw as drawing
from inspections.choices import ProblemSource
from inspections.models import Problem
from tests.decision_builders import CREDIT_CODES, build_decision_org, record_penalty

D = datetime.date


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English, whatever the site's language."""
    with translation.override("en"):
        yield


@pytest.fixture
def built(calendar):
    with at(D(2026, 8, 1)):
        built = build_decision_org()
    with at(D(2026, 10, 8)):
        for n in range(1, 7):
            record_penalty(
                built,
                number=f"郑盐罚〔2026〕{n}号",
                party_credit_code=CREDIT_CODES[n % len(CREDIT_CODES)],
                decided_on=D(2026, 9, n + 10),
            )
        # Decided after the period: not in the pool.
        record_penalty(built, number="郑盐罚〔2026〕9号", decided_on=D(2026, 10, 8))
    return built


def supervisor(built):
    return built.org.users["supervisor"]


def create(built, *, actor=None, size: int = 3, **more):
    values = {
        "jurisdiction": built.org.city,
        "title": "2026年9月行政处罚卷宗评查",
        "period_start": D(2026, 9, 1),
        "period_end": D(2026, 9, 30),
        "sample_size": size,
    }
    values.update(more)
    with at(D(2026, 10, 9)):
        return services.case_review_create(actor=actor or supervisor(built), **values)


def drawn(built, **more) -> CaseReview:
    review = create(built, **more)
    with at(D(2026, 10, 10)):
        services.case_review_commit(actor=supervisor(built), review=review)
        return services.case_review_draw(actor=supervisor(built), review=review)


def rerun_by_hand(seed: str, pool_text: str) -> list[int]:
    """The draw as the page describes it, written out without the product's code: a
    Fisher–Yates shuffle of the pool's positions driven by SHA-256 of the seed and the pool's
    hash (32-bit words, rejection sampling), the first `sample_size` positions."""
    pool = json.loads(pool_text)
    effective = hashlib.sha256(
        f"{seed}:{hashlib.sha256(pool_text.encode()).hexdigest()}".encode()
    ).hexdigest()
    words, block = [], 0

    def word() -> int:
        nonlocal block
        if not words:
            digest = hashlib.sha256(f"{effective}:{block}".encode()).digest()
            words.extend(int.from_bytes(digest[i : i + 4], "big") for i in range(0, 32, 4))
            block += 1
        return words.pop(0)

    def below(n: int) -> int:
        while True:
            value = word()
            if value < (2**32 // n) * n:
                return value % n

    order = list(range(len(pool["decisions"])))
    for i in range(len(order) - 1, 0, -1):
        j = below(i + 1)
        order[i], order[j] = order[j], order[i]
    return [pool["decisions"][p]["id"] for p in order[: pool["sample_size"]]]


@pytest.mark.django_db
def test_commit_then_draw_and_anyone_reruns_to_the_same_files(built):
    review = create(built)
    assert review.state == ReviewState.DRAFT and not review.commitment
    with at(D(2026, 10, 10)):
        committed = services.case_review_commit(actor=supervisor(built), review=review)
    assert committed.state == ReviewState.COMMITTED
    assert committed.commitment == hashlib.sha256(committed.seed.encode()).hexdigest()
    pool = json.loads(committed.pool)
    numbers = [row["number"] for row in pool["decisions"]]
    assert numbers == [f"郑盐罚〔2026〕{n}号" for n in range(1, 7)]
    assert committed.pool == drawing.canonical(pool)

    with at(D(2026, 10, 11)):
        done = services.case_review_draw(actor=supervisor(built), review=committed)
    assert done.state == ReviewState.DRAWN and len(done.result) == 3
    files = list(done.files.order_by("pk").values_list("decision_id", flat=True))
    assert files == done.result
    # Anyone holding the revealed seed and the published pool gets the same files.
    assert services.review_draw_run(done.seed, done.pool) == done.result
    assert rerun_by_hand(done.seed, done.pool) == done.result
    # Another seed over the same pool draws differently (the draw depends on the seed).
    other = "0" * 64
    assert services.review_draw_run(other, done.pool) == rerun_by_hand(other, done.pool)


@pytest.mark.django_db
def test_draw_k_of_n_primitive():
    seed, pool = "ab" * 32, '{"x":1}'
    drawn = drawing.sample(seed, pool, 10, 4)
    assert drawn == drawing.sample(seed, pool, 10, 4)
    assert len(set(drawn)) == 4 and all(0 <= p < 10 for p in drawn)
    assert sorted(drawing.sample(seed, pool, 3, 5)) == [0, 1, 2]
    assert drawing.sample(seed, pool, 10, 10)[:4] == drawn
    # The pool's text is part of the draw: another pool, another order.
    assert drawing.sample(seed, '{"x":2}', 10, 4) != drawn
    with pytest.raises(ValueError, match="seed"):
        drawing.sample("XYZ", pool, 10, 4)
    with pytest.raises(ValueError, match="whole numbers"):
        drawing.sample(seed, pool, -1, 4)


@pytest.mark.django_db
def test_a_file_is_scored_and_its_findings_land_in_the_ledger(built):
    review = drawn(built)
    file = review.files.order_by("pk").first()
    scores = {row["point"]: row["max"] for row in review.checklist}
    scores["3"] = 10
    with at(D(2026, 10, 12)):
        scored = services.reviewed_file_score(
            actor=supervisor(built), file=file, scores=scores, findings="询问笔录缺少当事人签名。"
        )
    assert scored.total == 95 and scored.scores["3"] == 10
    problem = Problem.objects.get(pk=scored.problem_id)
    assert problem.source == ProblemSource.CASE_REVIEW
    assert (problem.jurisdiction, problem.department) == (built.org.city, built.department)
    assert "询问笔录缺少当事人签名" in problem.description and review.title in problem.description
    assert list(problem.items.values_list("entry_id", flat=True)) == [built.penalty_item.pk]

    # The scores may be corrected; the findings, now in the ledger, are followed up there.
    scores["3"] = 15
    with at(D(2026, 10, 13)):
        again = services.reviewed_file_score(
            actor=supervisor(built), file=file, scores=scores, findings="询问笔录缺少当事人签名。"
        )
        assert again.total == 100 and again.problem_id == problem.pk
        with pytest.raises(DomainError, match="in the problem ledger already"):
            services.reviewed_file_score(
                actor=supervisor(built), file=file, scores=scores, findings="另一个问题"
            )
    assert Problem.objects.filter(source=ProblemSource.CASE_REVIEW).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"1": 11}, "is scored from 0 to 10"),
        ({"1": -1}, "is scored from 0 to 10"),
        ({"1": True}, "is scored from 0 to 10"),
        ({"99": 1}, "no point 99"),
        ({"1": None}, "Score"),
    ],
)
def test_scores_out_of_range_are_refused(built, change, message):
    review = drawn(built)
    file = review.files.first()
    scores = {row["point"]: 0 for row in review.checklist} | change
    scores = {point: value for point, value in scores.items() if value is not None}
    with at(D(2026, 10, 12)), pytest.raises(DomainError, match=message):
        services.reviewed_file_score(actor=supervisor(built), file=file, scores=scores)
    file.refresh_from_db()
    assert file.scored_at is None and file.total is None


@pytest.mark.django_db
def test_finish_waits_for_every_file_and_fixes_the_scores(built):
    review = drawn(built, size=2)
    zero = {row["point"]: 0 for row in review.checklist}
    with at(D(2026, 10, 12)):
        first, second = review.files.order_by("pk")
        services.reviewed_file_score(actor=supervisor(built), file=first, scores=zero)
        with pytest.raises(DomainError, match="1 drawn file is not scored"):
            services.case_review_finish(actor=supervisor(built), review=review)
        services.reviewed_file_score(actor=supervisor(built), file=second, scores=zero)
        finished = services.case_review_finish(actor=supervisor(built), review=review)
        assert finished.state == ReviewState.FINISHED
        with pytest.raises(DomainError, match="not possible now"):
            services.reviewed_file_score(actor=supervisor(built), file=first, scores=zero)


@pytest.mark.django_db
def test_commit_refused_before_the_period_ends_or_with_an_empty_pool(built):
    open_period = create(built, period_end=D(2026, 10, 31))
    with at(D(2026, 10, 10)), pytest.raises(DomainError, match="after it is over"):
        services.case_review_commit(actor=supervisor(built), review=open_period)
    empty = create(built, period_start=D(2026, 1, 1), period_end=D(2026, 1, 31))
    with at(D(2026, 10, 10)), pytest.raises(DomainError, match="No decision was decided"):
        services.case_review_commit(actor=supervisor(built), review=empty)
    assert CaseReview.objects.filter(state=ReviewState.DRAFT).count() == 2


@pytest.mark.django_db
def test_only_supervisors_of_the_jurisdiction_run_reviews(built):
    org = built.org
    for user in (org.users["office"], org.users["clerk"], org.district_users["supervisor"]):
        with pytest.raises(DomainError, match="Only the supervisors"):
            create(built, actor=user)
    with pytest.raises(DomainError, match="checklist has from 1"):
        create(built, checklist=[])
    review = create(built)
    for user in (org.users["office"], org.district_users["supervisor"]):
        with at(D(2026, 10, 10)), pytest.raises(DomainError, match="outside your responsibility"):
            services.case_review_commit(actor=user, review=review)
    # The office and the administrators see it; a clerk and a district's staff do not.
    assert selectors.case_review(user=org.users["office"], pk=review.pk) == review
    assert selectors.case_review(user=org.users["administrator"], pk=review.pk) == review
    assert selectors.case_review(user=org.users["clerk"], pk=review.pk) is None
    assert selectors.case_review(user=org.district_users["supervisor"], pk=review.pk) is None
    # A city supervisor may review a district.
    assert create(built, jurisdiction=org.district).jurisdiction == org.district


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pages_walk_a_review_from_creation_to_a_scored_file(built, client):
    client.force_login(supervisor(built))
    with at(D(2026, 10, 9)):
        form = client.get(reverse("decisions:review-new"))
        assert form.status_code == 200
        checklist = form.context["form"].initial["checklist"]
        assert checklist.count("\n") == 8
        refused = client.post(
            reverse("decisions:review-new"),
            {
                "title": "九月评查",
                "jurisdiction": built.org.city.pk,
                "period_start": "2026-09-01",
                "period_end": "2026-09-30",
                "sample_size": "2",
                "checklist": "事实清楚 | many",
            },
        )
        assert refused.status_code == 200 and "checklist" in refused.context["form"].errors
        created = client.post(
            reverse("decisions:review-new"),
            {
                "title": "九月评查",
                "jurisdiction": built.org.city.pk,
                "period_start": "2026-09-01",
                "period_end": "2026-09-30",
                "sample_size": "2",
                "checklist": "事实清楚 | 60\n程序合法 | 40",
            },
        )
    review = CaseReview.objects.get()
    assert created.status_code == 302 and review.checklist[1] == {
        "point": "2",
        "label": "程序合法",
        "max": 40,
    }
    page = reverse("decisions:review", args=[review.pk])
    act = reverse("decisions:review-act", args=[review.pk, "commit"])
    with at(D(2026, 10, 10)):
        # Irreversible: without "I confirm" nothing is done.
        unconfirmed = client.post(act, {})
        assert unconfirmed.status_code == 200
        review.refresh_from_db()
        assert review.state == ReviewState.DRAFT
        assert client.post(act, {"commit-confirm": "on"}).status_code == 302
        review.refresh_from_db()
        shown = client.get(page).content.decode()
        assert review.commitment in shown and review.seed not in shown
        pool = client.get(page, {"download": "pool"})
        assert pool.content.decode() == review.pool
        draw = reverse("decisions:review-act", args=[review.pk, "draw"])
        assert client.post(draw, {"draw-confirm": "on"}).status_code == 302
        review.refresh_from_db()
        shown = client.get(page).content.decode()
        assert review.seed in shown and "review-check-ok" in shown
    file = review.files.order_by("pk").first()
    url = reverse("decisions:review-file", args=[review.pk, file.pk])
    with at(D(2026, 10, 11)):
        bad = client.post(url, {"point_1": "61", "point_2": "40"})
        assert bad.status_code == 200 and "point_1" in bad.context["form"].errors
        done = client.post(url, {"point_1": "50", "point_2": "40", "findings": "缺少送达回证。"})
    assert done.status_code == 302
    file.refresh_from_db()
    assert file.total == 90 and file.problem_id is not None
    # The office reads the score but may not change it; a clerk does not see the review.
    client.force_login(built.org.users["office"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"point_1": "0", "point_2": "0"}).status_code == 403
    client.force_login(built.org.users["clerk"])
    assert client.get(page).status_code == 403
    client.force_login(built.org.district_users["supervisor"])
    assert client.get(page).status_code == 404


@pytest.mark.django_db
def test_the_list_of_reviews_costs_the_same_queries_however_many(built, client):
    client.force_login(supervisor(built))
    url = reverse("decisions:reviews")

    def queries() -> int:
        with at(D(2026, 10, 12)), CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    drawn(built)
    one = queries()
    for _n in range(4):
        drawn(built, size=2)
    assert queries() == one
    with at(D(2026, 10, 12)):
        assert client.get(url).context["paginator"].count == 5


@pytest.mark.django_db
def test_the_review_page_costs_the_same_queries_however_many_files(built, client):
    client.force_login(supervisor(built))

    def queries(review) -> int:
        url = reverse("decisions:review", args=[review.pk])
        with at(D(2026, 10, 12)), CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(drawn(built, size=1)) == queries(drawn(built, size=6))
