"""The test suite: real PostgreSQL and Redis (embedded or from the environment)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Documents the tests store (and the test worker renders) stay out of the dev media.
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
STORAGES["default"]["OPTIONS"] = {"location": MEDIA_ROOT}  # noqa: F405
# The suite's Celery worker process (tests/conftest.py) sends through the suite's
# SMTP server (aiosmtpd), which it names here.
if env("TEST_EMAIL_URL", default=""):
    vars().update(env.email_url("TEST_EMAIL_URL"))
# Tests use their own Redis database so they never touch a running dev stack.
REDIS_URL = env("TEST_REDIS_URL", default=REDIS_URL.rsplit("/", 1)[0] + "/15")  # noqa: F405
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CELERY_BROKER_URL = REDIS_URL
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
