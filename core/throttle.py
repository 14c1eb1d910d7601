"""Per-client rate limits (issue 10 §3), counted in Django's cache: locmem on one machine, the
shared Redis of docker-compose (CACHE_URL) when several web processes serve the site, so a
limit holds for the site and not per process.

A client is its account when signed in (offices share one address behind their gateway, so
colleagues never use up each other's allowance) and its address otherwise
(core.middleware.client_ip, which honours TRUSTED_PROXY_COUNT). The window is fixed: each
`seconds`-long period from the epoch has its own counter, which expires with it."""

import datetime
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone

from .middleware import client_ip


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int


def client_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_ip(request) or 'unknown'}"


def limit_take(request, limit: Limit) -> int | None:
    """Counts one request of this client against `limit`: None while within it, else the
    number of seconds until the client may try again."""
    now = time.time()
    window = int(now // limit.seconds)
    key = f"throttle:{limit.scope}:{client_key(request)}:{window}"
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:
        # The counter expired between add() and incr(): this request starts a new one.
        cache.add(key, 1, timeout=limit.seconds + 1)
        count = 1
    if count <= limit.count:
        return None
    return max(1, math.ceil((window + 1) * limit.seconds - now))


def throttled_response(request, *, retry_after: int, limit: Limit, what: str):
    """429 with a page that says when to try again, and the same in Retry-After."""
    again = timezone.localtime() + datetime.timedelta(seconds=retry_after)
    response = render(
        request,
        "core/throttled.html",
        {
            "what": what,
            "retry_after": retry_after,
            "retry_minutes": math.ceil(retry_after / 60),
            "again": again,
            "limit": limit,
            "limit_minutes": max(1, limit.seconds // 60),
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
