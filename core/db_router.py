"""Reads of the public register from a streaming replica of PostgreSQL (docs/scaling.md).

Listed in DATABASE_ROUTERS only when DATABASE_REPLICA_URL defines the "replica" alias. A read
goes to the replica only while core.middleware.ReplicaReadsMiddleware allows it: during a GET
or HEAD of a public page or of the public API (PUBLIC_VIEWS) by an anonymous visitor who has
sent no other request for DATABASE_REPLICA_PIN_SECONDS, while the replica answers. Even then a
read inside a transaction goes to the primary, which holds what the transaction wrote and the
rows it locked. Everything else reads the primary: staff (they read back what they wrote a
moment ago), Celery tasks and management commands (no request allows anything there), and
every write and migration.

A replica lags the primary by a fraction of a second, so an anonymous page may show the
register as it stood that long ago: the published register, which changes when something is
published, not from one second to the next."""

import contextvars
import logging

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"

# URL names (namespace:name) whose anonymous GET may read the replica: the public network of
# SPEC §10 and the calendar's public pages. Not the exports (/lists/export.*): a request asks a
# worker, which reads the primary, to build the file of the published state the request read,
# and a lagging replica would have it wait for a state the worker never builds.
PUBLIC_VIEWS = frozenset(
    {
        "core:home",
        "core:calendar",
        "core:calendar-year",
        "core:calendar-day",
        "core:calendar-deadline",
        "registry:entries",
        "registry:browse",
        "registry:entry",
        "registry:entry-history",
        "registry:entry-diff",
        "registry:laws",
        "registry:law",
        "adjustments:announcements",
        "adjustments:announcements-feed",
        "adjustments:announcement",
        "api:calendar-add-working-days",
        "adjustments-api:announcements",
    }
)
# Namespaces whose every view is a public read: the read API of the register.
PUBLIC_NAMESPACES = frozenset({"registry-api"})

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "qingdan_replica_reads", default=False
)


def replica_reads_begin() -> contextvars.Token:
    """Nothing is read from the replica until replica_reads_allow(); the token ends it."""
    return _replica_reads.set(False)


def replica_reads_allow() -> None:
    _replica_reads.set(True)


def replica_reads_end(token: contextvars.Token) -> None:
    _replica_reads.reset(token)


def replica_usable() -> bool:
    """Whether the replica answers: its kept connection passes the health check every reused
    connection passes before its first query (CONN_HEALTH_CHECKS), or a new one opens. A
    replica that is down sends the public to the primary, as with no replica, instead of
    failing their pages; each request tries it again, so give the replica's URL a short
    connect_timeout (docs/scaling.md)."""
    replica = connections[REPLICA]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError as error:
        logger.warning("database replica unavailable, reading from the primary: %s", error)
        return False
    return True


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        if _replica_reads.get() and not connections[PRIMARY].in_atomic_block:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the primary's rows: an object read from either may point to one
        # read from the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The replica follows the primary's schema through replication.
        return db == PRIMARY
