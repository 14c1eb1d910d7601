"""Login protection behind the city's reverse proxy (issue 9 §16), through the real login URL:
the client's address comes from X-Forwarded-For with a configured number of trusted proxies
(one function for the audit trail and the lockout), the lockout's cool-off is fixed, and one
address guessing across many user names (password spraying) is stopped."""

import datetime

import pytest
import time_machine
from django.test import RequestFactory, override_settings
from django.urls import reverse

from core.choices import AuditAction, Role
from core.middleware import client_ip
from core.models import AuditEvent
from tests.builders import password_for

PROXY = "10.0.0.1"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.usefixtures("protected")


@pytest.fixture
def protected():
    with override_settings(
        AXES_ENABLED=True,
        AXES_FAILURE_LIMIT=5,
        AXES_COOLOFF_TIME=datetime.timedelta(minutes=15),
        TRUSTED_PROXY_COUNT=1,
        LOGIN_ADDRESS_FAILURE_LIMIT=20,
    ):
        yield


def _login(client, user, password: str, forwarded: str, *, language: str = "zh-hans"):
    """A login through the proxy: REMOTE_ADDR is the proxy, which appended the client's
    address to whatever X-Forwarded-For the client sent."""
    username = user if isinstance(user, str) else user.username
    return client.post(
        reverse("core:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _right(user) -> str:
    return password_for(user.role)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),  # no trusted proxy: the header is the client's own
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # forged entries to the left
        (2, "6.6.6.6, 198.51.100.7, 172.16.0.9", "198.51.100.7"),
        (2, "198.51.100.7", PROXY),  # fewer entries than proxies: not through them
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_counts_trusted_proxies_from_the_right(count, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected


def test_attempts_while_locked_do_not_extend_the_cool_off(client, org):
    clerk = org.users[Role.CLERK]
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(4):
            assert _login(client, clerk, "wrong", "198.51.100.1").status_code == 200
        assert _login(client, clerk, "wrong", "198.51.100.1").status_code == 429
        # One guess every few minutes while locked is refused...
        for _ in range(3):
            traveller.shift(datetime.timedelta(minutes=4, seconds=50))
            assert _login(client, clerk, "wrong", "198.51.100.1").status_code == 429
        assert _login(client, clerk, _right(clerk), "198.51.100.1").status_code == 429
        # ...and does not restart the 15 minutes counted from the fifth failure.
        traveller.shift(datetime.timedelta(minutes=1))
        assert _login(client, clerk, _right(clerk), "198.51.100.1").status_code == 302


def test_two_clients_behind_the_proxy_do_not_lock_each_other(client, org):
    clerk = org.users[Role.CLERK]
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            _login(client, clerk, "wrong", "198.51.100.1")
        assert _login(client, clerk, _right(clerk), "198.51.100.1").status_code == 429
        assert _login(client, clerk, _right(clerk), "198.51.100.2").status_code == 302
    # The audit trail records the clients, never the proxy.
    addresses = set(
        AuditEvent.objects.filter(
            action__in=[AuditAction.LOGIN_FAILED, AuditAction.LOGIN]
        ).values_list("ip_address", flat=True)
    )
    assert addresses == {"198.51.100.1", "198.51.100.2"}


def test_a_spoofed_forwarded_address_beyond_the_trusted_proxy_is_ignored(client, org):
    clerk = org.users[Role.CLERK]
    with time_machine.travel(START, tick=False):
        # The attacker writes a new X-Forwarded-For each time; the proxy appends the real one.
        for number in range(5):
            _login(client, clerk, "wrong", f"203.0.113.{number}, 198.51.100.66")
        locked = _login(client, clerk, _right(clerk), "203.0.113.99, 198.51.100.66")
        assert locked.status_code == 429
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert set(failures.values_list("ip_address", flat=True)) == {"198.51.100.66"}


def test_spraying_four_guesses_at_eleven_user_names_is_stopped(client, org):
    users = [*org.users.values(), *org.district_users.values()]
    targets, bystander = users[:11], users[11]
    sprayer = "198.51.100.9"
    answers = []
    with time_machine.travel(START, tick=False) as traveller:
        for user in targets:
            for guess in range(4):
                answers.append(_login(client, user, f"guess-{guess}", sprayer).status_code)
        # 19 guesses are answered; the 20th failure from the address refuses it.
        assert answers[:19] == [200] * 19
        assert set(answers[19:]) == {429}
        # Even a right password from that address is refused, with the reason in Chinese...
        refused = _login(client, bystander, _right(bystander), sprayer)
        assert refused.status_code == 429
        page = refused.content.decode()
        assert "您所在地址的登录失败次数过多" in page
        assert 'role="alert"' in page
        assert _login(client, bystander, _right(bystander), sprayer, language="en").status_code == (
            429
        )
        # ...while every other address logs in.
        assert _login(client, bystander, _right(bystander), "198.51.100.10").status_code == 302
        client.logout()
        # The refusals meanwhile did not extend it: the cool-off runs from the 20th failure.
        traveller.shift(datetime.timedelta(minutes=15, seconds=1))
        assert _login(client, bystander, _right(bystander), sprayer).status_code == 302


def test_an_office_behind_one_address_is_not_locked_by_one_persons_typing_errors(client, org):
    clerk, office = org.users[Role.CLERK], org.users[Role.OFFICE]
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            _login(client, clerk, "wrong", "198.51.100.20")
        assert _login(client, office, _right(office), "198.51.100.20").status_code == 302


@pytest.mark.browser
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["1280", "390"]
)
def test_the_address_lockout_page_explains_itself(
    browser, live_server, transactional_db, screenshot, viewport
):
    """Through the browser and a proxy's header: three wrong passwords for three user names
    (a limit of 3 here) refuse the address, and the page says why, in Chinese."""
    from tests.builders import build_org

    org = build_org()
    context = browser.new_context(
        locale="zh-CN", viewport=viewport, extra_http_headers={"X-Forwarded-For": "198.51.100.9"}
    )
    page = context.new_page()
    try:
        with override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=3):
            for role in (Role.CLERK, Role.OFFICE, Role.REVIEWER):
                page.goto(f"{live_server.url}/accounts/login/")
                page.locator("#id_username").fill(org.users[role].username)
                page.locator("#id_password").fill("not-the-password")
                page.locator("form.stacked-form button[type=submit]").click()
                page.wait_for_load_state()
        alert = page.get_by_role("alert")
        assert "您所在地址的登录失败次数过多" in alert.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, f"login-address-locked-{viewport['width']}")
    finally:
        context.close()
