"""Public pages cached per published state (issue 11 §5).

The public reads what the register publishes; it changes only when something is published (or
a law, a category… changes: every such service moves the register's publication state on in its
own transaction, registry.services.publication_advance). So an anonymous page, or a read of the
public API, is cached under its URL, its language and that state: a publication changes the
state in the same commit, the next request reads the new state and misses, and nothing stale is
ever served. No timer decides freshness; the timeout only bounds what the cache keeps.

Reading the state costs one query by primary key (`PUBLIC_PAGE_STATE`, a dotted path to a
function returning it, so core imports no app). A request that carries anything of its own (a
logged-in user, pending messages, a method other than GET/HEAD) is neither served from nor
stored in the cache, nor is a response that sets a cookie or is not a 200. The cache is Django's
default: per process on the embedded default, Redis in docker-compose (CACHE_URL)."""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language

HIT_HEADER = "X-Page-Cache"


@functools.cache
def _state_function():
    return import_string(settings.PUBLIC_PAGE_STATE)


def _cacheable(request) -> bool:
    if not settings.PUBLIC_PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated:
        return False
    messages = getattr(request, "_messages", None)
    return not (messages is not None and len(messages))


def _key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    # The date too: a page may say what today is (the latest date a list can be viewed on).
    today = timezone.localdate().isoformat()
    return f"page:{_state_function()()}:{get_language()}:{today}:{path}"


def cached_public_page(view):
    """Caches `view`'s anonymous responses per published state (module docstring). For a
    view function; a class-based view wraps its `as_view()` (or dispatch, with
    method_decorator)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        response = cache.get(key)
        if response is not None:
            response[HIT_HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)

        def store(rendered):
            if rendered.status_code == 200 and not rendered.cookies and not rendered.streaming:
                cache.set(key, rendered, settings.PUBLIC_PAGE_CACHE_SECONDS)
            rendered[HIT_HEADER] = "miss"

        if hasattr(response, "add_post_render_callback") and not response.is_rendered:
            response.add_post_render_callback(store)
        else:
            store(response)
        return response

    return wrapped
