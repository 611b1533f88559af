# syntax=docker/dockerfile:1
# casemgmt image: gunicorn by default; the same image runs the Celery worker and beat
# (see docker-compose.yml). Configuration comes from the environment at run time
# (DJANGO_SETTINGS_MODULE=casemgmt.settings.production, SECRET_KEY, ALLOWED_HOSTS,
# DATABASE_URL, REDIS_URL, EMAIL_URL, ...).

# ---- front-end assets: USWDS, htmx, Chart.js from package-lock.json -----------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

# ---- application ------------------------------------------------------------------
FROM python:3.11-slim-bookworm

# The code runs from /app, not from the copy pip puts in site-packages: BASE_DIR (with
# templates/, static/, node_modules/ and var/) is the source tree.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=casemgmt.settings.production \
    WEB_CONCURRENCY=2

# WeasyPrint's native libraries and a font for the PDFs (versions: Debian bookworm's).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The account the processes run as (gunicorn keeps its control socket in its home).
RUN groupadd --system --gid 10001 casemgmt \
    && useradd --system --uid 10001 --gid casemgmt --create-home \
        --home-dir /home/casemgmt --shell /usr/sbin/nologin casemgmt

WORKDIR /app

# Dependencies first, in their own layer (rebuilt only when pyproject.toml changes):
# installing the metadata alone pulls in every requirement.
COPY pyproject.toml README.md ./
RUN python -m venv "$VIRTUAL_ENV" \
    && pip install . \
    && rm -rf build ./*.egg-info

# Then the project (explicit list: the build context also holds .venv/, var/, node_modules/).
COPY manage.py ./
COPY casemgmt ./casemgmt
COPY cases ./cases
COPY filings ./filings
COPY docket ./docket
COPY payments ./payments
COPY programs ./programs
COPY templates ./templates
COPY static ./static
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info

COPY --from=assets /build/node_modules/@uswds/uswds/dist ./node_modules/@uswds/uswds/dist
COPY --from=assets /build/node_modules/htmx.org/dist ./node_modules/htmx.org/dist
COPY --from=assets /build/node_modules/chart.js/dist ./node_modules/chart.js/dist

# Static files with the production storage (hashed names + manifest, compressed).
# The settings insist on a strong key and real URLs; these throw-away values only
# let them load: collectstatic touches neither database nor Redis, and the key is
# not kept in the image.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput --verbosity 1 \
    && mkdir -p var/media \
    && chown -R casemgmt:casemgmt var/media

USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "casemgmt.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--error-logfile", "-"]
