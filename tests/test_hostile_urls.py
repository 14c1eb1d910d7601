"""Issue 9 §12: a NUL (or another C0 control character) in a URL is refused before it reaches
the database. PostgreSQL raises on NUL in a text parameter (SQLite does not), so under CI these
requests answered 500. A path parameter that can never match gives 404 (core.converters), a
query parameter 400 with a clear message (core.middleware.HostileQueryMiddleware), in JSON
under /api/.

The walk at the end requests every URL pattern of the project with a NUL in each string
parameter, anonymous and as the administrator, and fails on any 500."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

NUL = "a%00b"


@pytest.fixture
def admin_client(org):
    client = Client()
    client.force_login(org.users["administrator"])
    return client


@pytest.fixture
def clerk_client(org):
    client = Client()
    client.force_login(org.users["clerk"])
    return client


@pytest.mark.parametrize(
    "url",
    [
        f"/items/{NUL}/",
        f"/items/{NUL}/history/",
        f"/announcements/{NUL}/",
        f"/api/v1/adjustments/{NUL}/",
        f"/api/v1/adjustments/{NUL}/transitions/",
        f"/api/v1/items/{NUL}/",
        f"/api/v1/jurisdictions/{NUL}/",
        f"/work/entries/{NUL}/draft/",
        f"/work/adjustments/{NUL}/",
        f"/calendar/day/{NUL}/",
    ],
)
def test_a_nul_in_a_path_parameter_is_not_found(clerk_client, url):
    response = clerk_client.get(url)
    assert response.status_code == 404, url
    if url.startswith("/api/"):
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "url",
    [
        f"/lists/?jurisdiction={NUL}",
        f"/browse/?jurisdiction={NUL}",
        f"/lists/?q={NUL}",
        f"/announcements/?q={NUL}",
        f"/work/adjustments/?q={NUL}",
        f"/calendar/deadline/?start={NUL}",
        "/lists/?a%00=1",
        "/lists/?q=%1b",
    ],
)
def test_a_control_character_in_a_query_parameter_is_a_bad_request(clerk_client, url):
    response = clerk_client.get(url)
    assert response.status_code == 400, url
    assert "控制字符" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/items/?jurisdiction={NUL}",
        f"/api/v1/departments/?jurisdiction={NUL}",
        f"/api/v1/laws/?q={NUL}",
        f"/api/v1/adjustments/?q={NUL}",
        f"/api/v1/calendar/add-working-days/?start={NUL}&days=1",
    ],
)
def test_a_control_character_in_an_api_query_is_a_json_bad_request(clerk_client, url):
    response = clerk_client.get(url)
    assert response.status_code == 400, url
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "控制字符" in error["message"]


def test_tab_and_newline_in_a_query_are_not_control_characters_here(client, db):
    assert client.get("/lists/?q=%E7%9B%90%09%0A").status_code == 200


def test_the_key_converter_matches_no_control_character():
    from core.converters import KeyConverter

    pattern = re.compile(rf"^{KeyConverter.regex}$")
    assert pattern.match("410100-XK-001")
    assert pattern.match("盐业")
    for character in [*map(chr, range(32)), "\x7f", "/"]:
        assert not pattern.match(f"a{character}b"), repr(character)


# --- the walk of every URL pattern -------------------------------------------------------------

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
SAMPLES = {"int": "1"}


def _routes(resolver: URLResolver, prefix: str = ""):
    """Every route as a string template (RoutePattern syntax); regular-expression patterns
    (the admin's app index) have no string parameters of ours and are left out."""
    for entry in resolver.url_patterns:
        route = getattr(entry.pattern, "_route", None)
        if route is None:
            continue
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _hostile_paths() -> list[str]:
    paths = []
    for route in _routes(get_resolver()):
        parameters = list(PARAMETER.finditer(route))
        strings = [p for p in parameters if (p["converter"] or "str") not in SAMPLES]
        for hostile in strings:

            def fill(match, hostile=hostile):
                if match.start() == hostile.start():
                    return NUL
                return SAMPLES.get(match["converter"] or "str", "x")

            paths.append("/" + PARAMETER.sub(fill, route))
    return sorted(set(paths))


def _converters(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = getattr(entry.pattern, "_route", None)
        if route is None:
            continue
        for name, converter in entry.pattern.converters.items():
            yield prefix + route, name, converter
        if isinstance(entry, URLResolver):
            yield from _converters(entry, prefix + route)


def test_no_url_of_ours_uses_a_converter_that_matches_nul():
    """On SQLite a NUL does not fail, so the walk below would not notice a new `<str:...>`
    outside CI: every string parameter of the project's own URLs is a `key`."""
    from django.urls.converters import PathConverter, StringConverter

    loose = [
        f"{route} ({name})"
        for route, name, converter in _converters(get_resolver())
        if isinstance(converter, StringConverter | PathConverter) and not route.startswith("admin/")
    ]
    assert not loose, loose


def test_the_walk_finds_the_string_parameters():
    paths = _hostile_paths()
    assert f"/items/{NUL}/" in paths
    assert f"/api/v1/adjustments/{NUL}/transitions/" in paths
    assert f"/work/adjustments/{NUL}/do/x/" in paths
    assert f"/work/adjustments/x/do/{NUL}/" in paths


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_url_pattern_answers_500_to_a_nul_in_a_string_parameter(
    org, client, admin_client, clerk_client, method
):
    failures = []
    for path in _hostile_paths():
        for who, http in (("anonymous", client), ("clerk", clerk_client), ("admin", admin_client)):
            response = getattr(http, method)(path)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {path} as {who}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_no_query_parameter_reaches_a_view_with_a_nul(org, clerk_client):
    """Every page and API list the walk knows, with a NUL in a query parameter."""
    failures = []
    for path in sorted({p for p in _hostile_paths_without_parameters()}):
        response = clerk_client.get(f"{path}?q={NUL}&jurisdiction={NUL}")
        if response.status_code != 400:
            failures.append(f"{path}: {response.status_code}")
    assert not failures, "\n".join(failures)


def _hostile_paths_without_parameters() -> list[str]:
    return ["/" + route for route in _routes(get_resolver()) if not PARAMETER.search(route)]
