"""The environment of a production process started by a test (manage.py, gunicorn): the
test run's own, without the switches a production process never inherits."""

import os

STRONG_KEY = "qingdan-deploy-test-7Rf2Lq9Xz4Vb8Nw1Kc6Hj3Td5Gm0Ps2Ya9Ue4Io7"

# Not inherited by a production process: DJANGO_ALLOW_ASYNC_UNSAFE is set by tests/conftest.py
# for Playwright and must never be set in production (async.E001).
NOT_IN_PRODUCTION = {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_IN_PRODUCTION}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="qingdan.example.gov.cn",
    )
    env.update(overrides)
    return env
