"""Public pages cached per published state (issue 11 §5): a cached page costs one query (the
state), a publication is visible in the very next request, and nothing of one visitor reaches
another."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from core.page_cache import HIT_HEADER
from registry import services
from tests import registry_builders as rb
from tests.test_registry_public import names_on_page, publish_many

LISTS = reverse("registry:entries")
ITEMS = "/api/v1/items/"

pytestmark = pytest.mark.usefixtures("cache_on")


@pytest.fixture
def cache_on():
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=600):
        yield


@pytest.fixture
def salt(org):
    return org.departments["salt"]


def get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(queries)


def test_a_cached_page_changes_with_the_publication_that_changes_it(client, salt):
    entry = rb.publish(salt, name="残疾人证核发")
    first, _queries = get(client, LISTS)
    assert first[HIT_HEADER] == "miss"
    again, queries = get(client, LISTS)
    assert again[HIT_HEADER] == "hit"
    assert queries == 1  # the published state, nothing else
    assert again.content == first.content
    rb.republish(entry, name="残疾人证核发（更名）")
    after, _queries = get(client, LISTS)
    assert after[HIT_HEADER] == "miss"
    assert names_on_page(after) == ["残疾人证核发（更名）"]


def test_the_api_is_cached_and_changes_with_a_publication(client, salt):
    rb.publish(salt)
    assert get(client, ITEMS)[0][HIT_HEADER] == "miss"
    body = get(client, ITEMS)[0]
    assert body[HIT_HEADER] == "hit" and body.json()["count"] == 1
    publish_many(salt, 2, start=20)
    fresh = get(client, ITEMS)[0]
    assert fresh[HIT_HEADER] == "miss" and fresh.json()["count"] == 3


def test_a_law_change_is_a_new_state_too(client, salt):
    entry = rb.publish(salt)
    law = entry.citations.get().law
    url = reverse("registry:law", args=[law.pk])
    get(client, url)
    services.law_save(actor=None, law=law, name="中华人民共和国残疾人保障法（修正）")
    response, _queries = get(client, url)
    assert response[HIT_HEADER] == "miss"
    assert "（修正）" in response.content.decode()


def test_each_language_and_each_query_has_its_own_entry(client, salt):
    rb.publish(salt)
    chinese = client.get(LISTS, HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get(LISTS, HTTP_ACCEPT_LANGUAGE="en")
    assert english[HIT_HEADER] == "miss"
    assert chinese.content != english.content
    assert client.get(LISTS, {"q": "残疾"})[HIT_HEADER] == "miss"
    assert client.get(LISTS, HTTP_ACCEPT_LANGUAGE="en")[HIT_HEADER] == "hit"


def test_staff_are_never_served_from_the_cache(client, org, salt):
    rb.publish(salt)
    get(client, LISTS)
    client.force_login(org.users["clerk"])
    response = client.get(LISTS)
    assert HIT_HEADER not in response
    # The staff page (with a logout form and its token) is not stored for the public either.
    client.logout()
    assert "csrfmiddlewaretoken" not in client.get(LISTS).content.decode()


def test_a_public_page_holds_no_token_and_sets_no_cookie(client, salt):
    rb.publish(salt)
    response = client.get(LISTS)
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_language_switch_works_without_a_token(salt):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("set_language"), {"language": "en", "next": LISTS})
    assert response.status_code == 302
    assert strict.get(LISTS)["Content-Language"] == "en"


def test_an_error_page_is_not_stored(client, salt):
    url = reverse("registry:entry", args=["NO-SUCH-CODE"])
    assert client.get(url).status_code == 404
    assert client.get(url)[HIT_HEADER] == "miss"
