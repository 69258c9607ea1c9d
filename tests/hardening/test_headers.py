"""Security headers on every response; cookies are Secure outside the demo."""

import subprocess
import sys

from tests.factory import JsonClient


def test_api_responses_carry_csp_frame_and_sniffing_headers(db):
    r = JsonClient().get("/api/auth/csrf")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"


def _setting(name, **env):
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"DJANGO_SETTINGS_MODULE": "server.settings", "SECRET_KEY": "x",
                              "PATH": "/usr/bin:/bin", **env})
    return out.stdout.strip()


def test_cookies_are_secure_unless_demo():
    assert _setting("SESSION_COOKIE_SECURE") == "True"
    assert _setting("CSRF_COOKIE_SECURE") == "True"
    assert _setting("SESSION_COOKIE_SECURE", CAIRN_DEMO="1") == "False"


def test_wrong_method_on_the_api_is_a_json_405(world, as_user):
    r = as_user(world.sam).put("/api/threads", {"x": 1})
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r["Allow"] and "POST" in r["Allow"]
