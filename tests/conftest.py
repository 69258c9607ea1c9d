import pytest

from tests.factory import JsonClient, make_world


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Each test counts its own rate limits.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": str(tmp_path)}}


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def as_user():
    """as_user(user) -> a JSON client signed in as that user (None: anonymous)."""
    return JsonClient
