"""The browser's re-run of the double-random draw (issue 13 §2): static/inspections/draw.js,
loaded into a blank page of Debian's Chromium, computes what inspections/draw.py computes, for
random pools with Chinese names, raised departments, conflicts and pools too small; its own
SHA-256 agrees with hashlib; verify() notices a tampered result, a wrong seed and an edited pool;
the auto-runner fills the page's verdict and the list of who was drawn."""

import hashlib
import json
import random
from pathlib import Path

import pytest

from inspections import draw
from tests.test_inspections_draw import (
    RECORDED_COMMITMENT,
    RECORDED_POOL_HASH,
    RECORDED_RESULT,
    RECORDED_SEED,
    RECORDED_SNAPSHOT,
)

pytestmark = [pytest.mark.browser]

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "inspections" / "draw.js"
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN_NAMES = ["芳", "强", "伟", "洋", "静", "磊", "秀英", "建国", "晓明"]
DEPARTMENTS = ["市场监督管理局", "盐业管理局", "人力资源和社会保障局", "交通运输局", "生态环境局"]

RUN_ALL = """cases => cases.map(([seed, text]) => {
    try {
        return {result: QingdanDraw.run(seed, text)};
    } catch (error) {
        return {reason: error.reason || null, target: error.target ?? null,
                needed: error.needed ?? null, available: error.available ?? null};
    }
})"""


@pytest.fixture
def drawing(page):
    """A blank page with draw.js loaded."""
    page.add_script_tag(path=str(SCRIPT))
    return page


def _pool(rng: random.Random) -> dict:
    target_ids = sorted(rng.sample(range(1, 40), rng.choice([0, 1, 3, 6, 8, 10, 12, 15])))
    departments = rng.sample(range(1, 40), rng.randint(1, 6))
    inspector_ids = sorted(rng.sample(range(100, 400), rng.choice([0, 1, 2, 4, 7, 9, 12, 12])))
    pairs = [(i, t) for i in inspector_ids for t in target_ids]
    return {
        "algorithm": "qd-draw-1",
        "targets": [
            {"id": t, "name": f"市{rng.choice(DEPARTMENTS)}{t}", "raised": rng.random() < 0.3}
            for t in target_ids
        ],
        "inspectors": [
            {
                "id": i,
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
                # Some inspectors belong to a target department, which excludes them from it.
                "department": rng.choice(departments + target_ids[:2]),
            }
            for i in inspector_ids
        ],
        "conflicts": sorted(map(list, rng.sample(pairs, min(len(pairs), rng.randint(0, 6))))),
        "previous": sorted(map(list, rng.sample(pairs, min(len(pairs), rng.randint(0, 10))))),
        "rules": {
            "ratio": rng.randint(1, 100),
            "raised_ratio": rng.randint(1, 100),
            "per_target": rng.choice([2, 2, 3, 4]),
        },
    }


def _python(seed: str, text: str) -> dict:
    try:
        return {"result": draw.run(seed, text)}
    except draw.DrawImpossible as error:
        return {
            "reason": error.reason,
            "target": error.target,
            "needed": error.needed,
            "available": error.available,
        }


def test_the_browser_draws_what_python_draws_for_150_pools(drawing):
    rng = random.Random(20260413)
    cases = []
    for _ in range(150):
        seed = "".join(rng.choice("0123456789abcdef") for _ in range(64))
        cases.append([seed, draw.canonical(_pool(rng))])
    in_browser = drawing.evaluate(RUN_ALL, cases)
    outcomes = {}
    for number, ((seed, text), seen) in enumerate(zip(cases, in_browser, strict=True)):
        expected = _python(seed, text)
        assert seen == expected, f"pool {number}: {text}"
        kind = expected.get("reason", "drawn")
        outcomes[kind] = outcomes.get(kind, 0) + 1
    # Every path of the algorithm was compared, not only the easy one.
    assert outcomes["drawn"] >= 50, outcomes
    assert min(outcomes.values()) >= 5, outcomes
    assert set(outcomes) == {"drawn", "too_few_inspectors", "no_targets", "no_inspectors"}


def test_the_browser_refuses_what_python_refuses(drawing):
    no_ratio = {"ratio": 0, "raised_ratio": 1, "per_target": 2}
    malformed = [
        json.dumps({**RECORDED_SNAPSHOT, "algorithm": "qd-draw-2"}),
        json.dumps({**RECORDED_SNAPSHOT, "rules": no_ratio}),
        json.dumps({**RECORDED_SNAPSHOT, "targets": list(reversed(RECORDED_SNAPSHOT["targets"]))}),
        json.dumps({**RECORDED_SNAPSHOT, "conflicts": [[101, "14"]]}),
        "{",
    ]
    for text in malformed:
        with pytest.raises(ValueError):
            draw.run(RECORDED_SEED, text)
    refused = drawing.evaluate(
        """([seed, texts]) => texts.map(text => {
            try { QingdanDraw.run(seed, text); return null; } catch (error) { return error.name; }
        })""",
        [RECORDED_SEED, malformed],
    )
    assert refused == ["TypeError", "TypeError", "TypeError", "TypeError", "SyntaxError"]


def test_the_browser_sha256_is_sha256(drawing):
    texts = [
        "",
        "abc",
        "双随机、一公开",
        "整改通知书〔2026〕3号 🙂",
        *("清" * n for n in (18, 19, 21, 22)),  # around the 55/56/64-byte padding edges
        *("x" * n for n in (55, 56, 63, 64, 65, 119, 120)),
        "五单一网" * 20_000,
    ]
    assert drawing.evaluate("texts => texts.map(QingdanDraw.sha256Hex)", texts) == [
        hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts
    ]
    text = draw.canonical(RECORDED_SNAPSHOT)
    assert drawing.evaluate(
        "([seed, text]) => [QingdanDraw.commitment(seed), QingdanDraw.poolHash(text)]",
        [RECORDED_SEED, text],
    ) == [RECORDED_COMMITMENT, RECORDED_POOL_HASH]


def _published(**changes) -> dict:
    data = {
        "seed": RECORDED_SEED,
        "commitment": RECORDED_COMMITMENT,
        "pool_hash": RECORDED_POOL_HASH,
        "snapshot_text": draw.canonical(RECORDED_SNAPSHOT),
        "result": RECORDED_RESULT,
    }
    return {**data, **changes}


def _tampered_result() -> dict:
    result = json.loads(json.dumps(RECORDED_RESULT))
    result["targets"][0]["inspectors"] = [101, 104]
    return result


def test_verify_tells_a_faithful_draw_from_a_tampered_one(drawing):
    verify = "data => QingdanDraw.verify(data)"
    faithful = drawing.evaluate(verify, _published())
    assert faithful == {
        "commitmentOk": True,
        "poolOk": True,
        "sameResult": True,
        "computed": RECORDED_RESULT,
        "error": None,
    }

    tampered = drawing.evaluate(verify, _published(result=_tampered_result()))
    assert (tampered["commitmentOk"], tampered["poolOk"], tampered["sameResult"]) == (
        True,
        True,
        False,
    )

    other_seed = hashlib.sha256(b"a seed chosen after the fact").hexdigest()
    wrong_seed = drawing.evaluate(verify, _published(seed=other_seed))
    assert wrong_seed["commitmentOk"] is False
    assert wrong_seed["computed"] == draw.run(other_seed, draw.canonical(RECORDED_SNAPSHOT))

    edited = dict(RECORDED_SNAPSHOT, rules={"ratio": 100, "raised_ratio": 100, "per_target": 2})
    edited_pool = drawing.evaluate(verify, _published(snapshot_text=draw.canonical(edited)))
    assert (edited_pool["commitmentOk"], edited_pool["poolOk"]) == (True, False)

    broken = drawing.evaluate(verify, _published(snapshot_text="{"))
    assert broken["error"]
    assert broken["sameResult"] is False


PAGE = """<!doctype html><html lang="zh-Hans"><body>
<script type="application/json" id="draw-data">{data}</script>
<p id="draw-verify" data-text-same="同一结果：浏览器重新运行抽签，结果与公布的一致"
   data-text-different="结果不同：浏览器重新运行抽签，结果与公布的不一致"
   data-text-error="无法核验：公布的数据不完整"></p>
<ul id="draw-verify-detail"></ul>
<button type="button" id="draw-rerun">重新运行</button>
</body></html>"""


def _embedded(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def test_the_page_re_runs_the_draw_by_itself_and_again_on_request(page):
    page.set_content(PAGE.format(data=_embedded(_published())))
    elements = page.evaluate("document.body.querySelectorAll('*').length")
    page.add_script_tag(path=str(SCRIPT))

    verdict = page.locator("#draw-verify")
    assert verdict.get_attribute("data-outcome") == "same"
    assert verdict.inner_text() == "同一结果：浏览器重新运行抽签，结果与公布的一致"
    assert page.locator("#draw-verify-detail li").all_inner_texts() == [
        "市市场监督管理局：王芳、赵磊",
        "市住房和城乡建设局：李强、陈静",
        "市盐业管理局：张伟、刘洋",
        "市卫生健康委员会：王芳、李强",
        "市人力资源和社会保障局：张伟、赵磊",
    ]
    assert page.evaluate("document.body.querySelectorAll('*').length") == elements + 5

    page.evaluate(
        "text => { document.getElementById('draw-data').textContent = text; }",
        json.dumps(_published(result=_tampered_result())),
    )
    page.locator("#draw-rerun").click()
    assert verdict.get_attribute("data-outcome") == "different"
    assert verdict.inner_text() == "结果不同：浏览器重新运行抽签，结果与公布的不一致"
    assert page.locator("#draw-verify-detail li").count() == 5

    page.evaluate("document.getElementById('draw-data').textContent = '{\"seed\": '")
    page.locator("#draw-rerun").click()
    assert verdict.get_attribute("data-outcome") == "error"
    assert verdict.inner_text() == "无法核验：公布的数据不完整"
    assert page.locator("#draw-verify-detail li").count() == 0
