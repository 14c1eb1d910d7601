"""The complaint figures of `make bench` (issue 12: intake, tracking and statistics at the
preset's complaints, 200,000 on the province), inside Django:

- the requests wrk sends to the POST pages (bench.pages hands them to the orchestrator, which
  writes them in bench.wrk's file format): tracking
  with the code and secret of complaints spread over the register (complaints.scale derives a
  generated complaint's secret from the seed and its code), and filings of new complaints
  about the department with the most complaints;
- the calls timed in-process on the scratch copy (`python -m bench.child operation
  complaints-F-T-S OUTPUT`, bench.operations): F filings through
  complaints.services.complaint_file, each with the repeat detection the office's page runs on
  it (services.repeats_of), T trackings through selectors.complaint_track, and S rounds of
  selectors.statistics over every complaint and over the last full year."""

import datetime
import json
import random
import secrets
import time
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from complaints import scale, selectors, services
from complaints.choices import ComplainantKind, Ground
from complaints.models import Complaint
from core.benchmarks import StatementCounter
from core.models import Department

from .figures import FILED, SEED, TRACKED

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def busiest() -> Department:
    """The department with the most complaints (ties: the lowest id): filing there runs the
    repeat detection over the most signatures."""
    row = (
        Complaint.objects.values("department")
        .annotate(n=Count("id"))
        .order_by("-n", "department")
        .first()
    )
    if row is None:
        raise LookupError("no complaint in the register: is it generated?")
    return Department.objects.select_related("jurisdiction").get(pk=row["department"])


def tracked(count: int) -> list[tuple[str, str]]:
    """`count` complaints spread evenly over the register, in id order, each with the secret
    the generator derived (complaints.scale.scale_secret)."""
    codes = list(Complaint.objects.order_by("pk").values_list("code", flat=True))
    step = max(1, len(codes) // count)
    return [(code, scale.scale_secret(SEED, code)) for code in codes[::step][:count]]


def last_year() -> int:
    """The last full year: the statistics of a year the generated register covers whole."""
    return timezone.localdate().year - 1


def filing(rng: random.Random, department: Department, number: int) -> dict:
    """The arguments of services.complaint_file for a new complaint (its fields as the API
    takes them, but the department): a text drawn as the generator draws them, an invented
    complainant."""
    ground = rng.choice(Ground.values)
    facts, reasons = scale.complaint_text(
        rng,
        department=department.name,
        place=department.jurisdiction.name,
        ground=ground,
        received=timezone.localdate(),
    )
    return {
        "ground": ground,
        "facts": facts,
        "reasons": reasons,
        "complainant_kind": ComplainantKind.CITIZEN,
        "name": f"基准投诉人{number:05d}",
        "phone": f"138{number:08d}",
        "truthful": True,
    }


def requests() -> dict[str, list[str]]:
    """The requests wrk sends in turn to each POST page (bench.wrk's file format: method,
    content type, cookie and body, tab-separated). The tracking page's form carries a CSRF
    secret of the bench's own in its cookie and its field, as a browser sends them."""
    csrf = secrets.token_hex(16)
    pairs = tracked(TRACKED) or [("TS-0000-0000-0000", "00000-00000")]
    made = {
        "track-form": [
            "\t".join(
                (
                    "POST",
                    FORM,
                    f"csrftoken={csrf}",
                    urlencode({"csrfmiddlewaretoken": csrf, "code": code, "secret": secret}),
                )
            )
            for code, secret in pairs
        ],
        "track-json": [
            "\t".join(("POST", JSON, "", json.dumps({"code": code, "secret": secret})))
            for code, secret in pairs
        ],
        "file-json": [],
    }
    if Complaint.objects.exists():
        department = busiest()
        rng = random.Random(f"{SEED}:bench-filing")
        for number in range(1, FILED + 1):
            body = {**filing(rng, department, number), "department": department.pk}
            made["file-json"].append(
                "\t".join(("POST", JSON, "", json.dumps(body, ensure_ascii=False)))
            )
    return made


def _timed(call) -> tuple[float, int]:
    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, counter.count


def _figure(samples: list[tuple[float, int]], seconds: float, note: str) -> dict:
    statements = sorted(count for _ms, count in samples)
    return {
        "samples_ms": [ms for ms, _count in samples],
        "seconds": seconds,
        "statements": statements[len(statements) // 2] if statements else 0,
        "note": note,
    }


def _run(calls) -> tuple[list[tuple[float, int]], float]:
    started = time.perf_counter()
    samples = [_timed(call) for call in calls]
    return samples, time.perf_counter() - started


def figures(*, filings: int, trackings: int, rounds: int) -> dict[str, dict]:
    """The in-process figures, each call timed alone (milliseconds and SQL statements)."""
    department = busiest()
    rng = random.Random(f"{SEED}:bench-intake")
    found: dict[str, dict] = {}
    # Generated complaints only: those filed here have secrets of their own.
    pairs = tracked(trackings)

    def file_one(number: int):
        def call():
            filed = services.complaint_file(
                actor=None, department=department, **filing(rng, department, number)
            )
            services.repeats_of(filed.complaint)

        return call

    held = Complaint.objects.filter(department=department).count()
    samples, seconds = _run(file_one(n) for n in range(1, filings + 1))
    found["intake"] = _figure(samples, seconds, f"{department.name}: {held:,} complaints before")
    misses = []

    def track_one(code: str, secret: str):
        def call():
            if selectors.complaint_track(code=code, secret=secret) is None:
                misses.append(code)

        return call

    samples, seconds = _run(track_one(code, secret) for code, secret in pairs)
    if misses:
        raise RuntimeError(f"{len(misses)} generated complaints not tracked, e.g. {misses[0]}")
    found["track"] = _figure(samples, seconds, f"{len(pairs):,} complaints")
    total = Complaint.objects.count()
    samples, seconds = _run(selectors.statistics for _ in range(rounds))
    found["statistics"] = _figure(samples, seconds, f"{total:,} complaints")
    year = last_year()
    since, until = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    samples, seconds = _run(
        (lambda: selectors.statistics(since=since, until=until)) for _ in range(rounds)
    )
    in_year = Complaint.objects.filter(
        received_at__date__gte=since, received_at__date__lte=until
    ).count()
    found["statistics-year"] = _figure(samples, seconds, f"{year}: {in_year:,} complaints")
    return found
