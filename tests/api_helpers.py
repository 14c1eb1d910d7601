"""What the API tests of every app ask of an answer: a client logged in as someone, an error
in the API's error format, and the number of queries a page of the API costs."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def as_user(user) -> Client:
    """A client logged in as `user`; anonymous for None."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def error_of(response, status: int) -> dict:
    """The answer's error, after checking its status and the error format (core.api)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]


def count_queries(client: Client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(queries)
