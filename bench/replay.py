"""Limit (b) of `make bench` (issue 11 §2): a page's own SQL replayed in PostgreSQL, the
database's floor. The statements the page sent (bench.pages) run again, in order, on one
connection, as many times as fit in a few seconds; each round is one page's time in the
database, with every row fetched as the site fetches it."""

import time
from collections.abc import Sequence

import psycopg2

from .report import Timing, timing_of


def replay(dsn: str, statements: Sequence[str], seconds: float) -> Timing:
    connection = psycopg2.connect(dsn)
    connection.autocommit = True  # as Django sends them: each statement its own transaction
    try:
        with connection.cursor() as cursor:
            # Django's connections speak UTC (USE_TZ).
            cursor.execute("SET TIME ZONE 'UTC'")
            samples = []
            started = time.perf_counter()
            while True:
                begun = time.perf_counter()
                for statement in statements:
                    cursor.execute(statement)
                    if cursor.description is not None:
                        cursor.fetchall()
                ended = time.perf_counter()
                samples.append((ended - begun) * 1000)
                if ended - started >= seconds:
                    break
    finally:
        connection.close()
    return timing_of(samples, time.perf_counter() - started)
