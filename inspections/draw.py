"""The double-random draw (双随机, 国办发〔2015〕58号; seed 002 联合督查办法 第五条(二) 随机抽查):
which departments are inspected and which members of the joint inspection team (联合督查组,
seed 002 联合督查办法 第二条) inspect each, as a pure function of a revealed seed and a published
pool snapshot, so anyone can re-run it (issue 13 §2; SPEC §6).

The same algorithm runs in the browser (static/inspections/draw.js); both must agree byte for
byte, so everything here is integer arithmetic over SHA-256 output, with no platform randomness
or floating point. A change to what this module computes is a new ALGORITHM name, never an edit
of "qd-draw-1": published draws must keep re-running to the same result.

Hard rules (SPEC §6): each drawn target gets exactly `per_target` (at least two) distinct
inspectors, none from the target department itself and none who declared a conflict (回避)
with it. Soft rule: an inspector does not inspect the same department as in the plan's previous
draw where the pool allows; among the rest the least loaded are preferred, ties broken by the
inspectors' shuffled order.
"""

import hashlib
import json
import re
import secrets

ALGORITHM = "qd-draw-1"

# JavaScript numbers are exact only up to 2**53 - 1: a larger id would be read differently by
# the browser's re-run, so the snapshot may not hold one.
MAX_INT = 2**53 - 1
SEED = re.compile(r"[0-9a-f]{64}")
SNAPSHOT_KEYS = ("algorithm", "targets", "inspectors", "conflicts", "previous", "rules")


class DrawImpossible(Exception):
    """The pool cannot satisfy the hard rules. `reason` is "no_targets", "no_inspectors" or
    "too_few_inspectors"; for the last, `target` is the department that lacks inspectors,
    `needed` the inspectors per target and `available` how many were eligible for it."""

    def __init__(self, reason: str, *, target: int | None = None, needed: int, available: int):
        self.reason = reason
        self.target = target
        self.needed = needed
        self.available = available
        super().__init__(self._message())

    def _message(self) -> str:
        if self.reason == "no_targets":
            return "the pool has no target department"
        if self.reason == "no_inspectors":
            return "the pool has no inspector"
        return (
            f"department {self.target} needs {self.needed} inspectors but only "
            f"{self.available} are eligible (not its own staff, no declared conflict)"
        )


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed_hex: str) -> str:
    """Published before the draw, so the seed cannot be chosen after seeing its outcome."""
    return hashlib.sha256(seed_hex.encode("ascii")).hexdigest()


def canonical(snapshot: dict) -> str:
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pool_hash(snapshot_text: str) -> str:
    return hashlib.sha256(snapshot_text.encode("utf-8")).hexdigest()


class _Stream:
    """Uniform integers from SHA-256 blocks of the effective seed, read as big-endian uint32."""

    def __init__(self, effective: str):
        self._effective = effective
        self._block = 0
        self._digest = b""
        self._offset = 32

    def _next_word(self) -> int:
        if self._offset == 32:
            self._digest = hashlib.sha256(f"{self._effective}:{self._block}".encode()).digest()
            self._block += 1
            self._offset = 0
        word = int.from_bytes(self._digest[self._offset : self._offset + 4], "big")
        self._offset += 4
        return word

    def below(self, n: int) -> int:
        # Rejection sampling: a plain modulo would favour the small values.
        limit = (2**32 // n) * n
        while True:
            word = self._next_word()
            if word < limit:
                return word % n

    def shuffle(self, items: list) -> list:
        items = list(items)
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items


def _share(count: int, percent: int) -> int:
    """How many of `count` a ratio in percent draws, rounded up: a ratio never draws nobody
    from a non-empty pool."""
    return (count * percent + 99) // 100


def run(seed_hex: str, snapshot_text: str) -> dict:
    """The draw: {"algorithm", "targets": [{"department", "inspectors"}, ...]} in draw order.
    ValueError when the seed or the snapshot is malformed, DrawImpossible when the pool cannot
    satisfy the hard rules."""
    if not isinstance(seed_hex, str) or not SEED.fullmatch(seed_hex):
        raise ValueError("the seed must be 64 lowercase hexadecimal digits")
    if not isinstance(snapshot_text, str):
        raise ValueError("the snapshot must be JSON text")
    snapshot = _parsed(snapshot_text)
    rules = snapshot["rules"]
    if not snapshot["targets"]:
        raise DrawImpossible("no_targets", needed=1, available=0)
    if not snapshot["inspectors"]:
        raise DrawImpossible("no_inspectors", needed=rules["per_target"], available=0)

    stream = _Stream(hashlib.sha256(f"{seed_hex}:{pool_hash(snapshot_text)}".encode()).hexdigest())
    raised = [t["id"] for t in snapshot["targets"] if t["raised"]]
    normal = [t["id"] for t in snapshot["targets"] if not t["raised"]]
    order = stream.shuffle(raised)[: _share(len(raised), rules["raised_ratio"])]
    order += stream.shuffle(normal)[: _share(len(normal), rules["ratio"])]
    position = {
        inspector["id"]: index
        for index, inspector in enumerate(stream.shuffle(snapshot["inspectors"]))
    }
    department = {inspector["id"]: inspector["department"] for inspector in snapshot["inspectors"]}
    conflicts = {tuple(pair) for pair in snapshot["conflicts"]}
    previous = {tuple(pair) for pair in snapshot["previous"]}
    load = dict.fromkeys(position, 0)
    by_position = sorted(position, key=position.__getitem__)

    drawn = []
    for target in order:
        eligible = [
            inspector
            for inspector in by_position
            if department[inspector] != target and (inspector, target) not in conflicts
        ]
        if len(eligible) < rules["per_target"]:
            raise DrawImpossible(
                "too_few_inspectors",
                target=target,
                needed=rules["per_target"],
                available=len(eligible),
            )
        eligible.sort(
            key=lambda inspector, target=target: (
                1 if (inspector, target) in previous else 0,
                load[inspector],
                position[inspector],
            )
        )
        chosen = eligible[: rules["per_target"]]
        for inspector in chosen:
            load[inspector] += 1
        drawn.append({"department": target, "inspectors": chosen})
    return {"algorithm": ALGORITHM, "targets": drawn}


def sample(seed_hex: str, pool_text: str, count: int, size: int) -> list[int]:
    """Draw `size` of `count` (e.g. case files to review): the positions 0..count-1 drawn, in
    draw order, the first `size` of a shuffle driven, as `run` is, by the seed and the hash of
    the published pool text, so anyone holding both re-runs it. Fewer when the pool is
    smaller. ValueError when the seed is malformed or a number negative."""
    if not isinstance(seed_hex, str) or not SEED.fullmatch(seed_hex):
        raise ValueError("the seed must be 64 lowercase hexadecimal digits")
    if not (_is_int(count) and _is_int(size)):
        raise ValueError("count and size must be whole numbers of at least 0")
    stream = _Stream(hashlib.sha256(f"{seed_hex}:{pool_hash(pool_text)}".encode()).hexdigest())
    return stream.shuffle(range(count))[:size]


# --- validation -------------------------------------------------------------------------------


def _is_int(value, minimum: int = 0, maximum: int = MAX_INT) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def _parsed(snapshot_text: str) -> dict:
    try:
        snapshot = json.loads(snapshot_text)
    except json.JSONDecodeError as error:
        raise ValueError(f"the snapshot is not JSON: {error}") from error
    if not isinstance(snapshot, dict):
        raise ValueError("the snapshot must be a JSON object")
    missing = [key for key in SNAPSHOT_KEYS if key not in snapshot]
    if missing:
        raise ValueError(f"the snapshot lacks {', '.join(missing)}")
    if snapshot["algorithm"] != ALGORITHM:
        raise ValueError(f"the snapshot is for algorithm {snapshot['algorithm']!r}")
    _check_rows(snapshot["targets"], "targets", raised=_is_bool)
    _check_rows(snapshot["inspectors"], "inspectors", department=_is_int)
    for key in ("conflicts", "previous"):
        pairs = snapshot[key]
        if not isinstance(pairs, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(_is_int(n) for n in pair)
            for pair in pairs
        ):
            raise ValueError(f"{key} must be a list of [inspector id, department id] pairs")
    rules = snapshot["rules"]
    if not (
        isinstance(rules, dict)
        and _is_int(rules.get("ratio"), 1, 100)
        and _is_int(rules.get("raised_ratio"), 1, 100)
        and _is_int(rules.get("per_target"), 2)
    ):
        raise ValueError("rules need ratio and raised_ratio in 1..100 and per_target of at least 2")
    return snapshot


def _is_str(value) -> bool:
    return isinstance(value, str)


def _is_bool(value) -> bool:
    return isinstance(value, bool)


def _check_rows(rows, key: str, **more) -> None:
    """A list of objects with an id, a name and the `more` fields (other fields are published
    but ignored), in strictly increasing id order: the order is what the shuffle starts from,
    so it must be the one the snapshot states."""
    fields = {"id": _is_int, "name": _is_str, **more}
    if not isinstance(rows, list):
        raise ValueError(f"{key} must be a list")
    last = -1
    for row in rows:
        if not isinstance(row, dict) or not set(fields) <= set(row):
            raise ValueError(f"each of {key} must have {', '.join(sorted(fields))}")
        for field, valid in fields.items():
            if not valid(row[field]):
                raise ValueError(f"{key}: {field} {row[field]!r} is not valid")
        if row["id"] <= last:
            raise ValueError(f"{key} must be sorted by id without repeats")
        last = row["id"]


if __name__ == "__main__":
    # Offline check: python -m inspections.draw SEED POOL_FILE prints the result as JSON.
    import sys

    seed_hex, pool_file = sys.argv[1], sys.argv[2]
    with open(pool_file, encoding="utf-8") as handle:
        pool_text = handle.read()
    print(json.dumps(run(seed_hex, pool_text), ensure_ascii=False))
