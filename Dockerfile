# The one image behind the web, worker, beat and migrate services of docker-compose.yml
# (docs/deployment.md). Build: docker compose build
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    QINGDAN_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system qingdan \
    && useradd --system --gid qingdan --home-dir /app --no-create-home qingdan

WORKDIR /app

# Dependencies first, from pyproject.toml alone: a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# The Chinese catalogue is compiled with polib, as the Makefile does (no GNU gettext needed).
# collectstatic runs at build time with a throw-away key; the running containers get theirs
# from .env.
RUN pip install --no-deps -e . \
    && python -c "import polib, sys; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])" \
        locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans/LC_MESSAGES/django.mo \
    && SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media /app/var/beat \
    && chown -R qingdan:qingdan /app/var

USER qingdan
EXPOSE 8000
CMD ["gunicorn", "--config", "docker/gunicorn.conf.py", "config.wsgi:application"]
