"""The pages as the server serves them, without a browser: the routes, the CSP header, and the
rules the UI keeps (no inline script or style, no handler attributes, no HTML from strings, no
asset from elsewhere)."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "static"
PAGES = {"/": "index.html", "/inbox": "inbox.html", "/portal": "portal.html",
         "/activate": "activate.html"}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_served_with_a_strict_csp(client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/html")
    csp = answer["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
    assert b"".join(answer.streaming_content) == (STATIC / PAGES[path]).read_bytes()
    assert client.post(path).status_code == 405


@pytest.mark.parametrize("name", sorted(PAGES.values()))
def test_pages_hold_no_inline_script_style_or_handlers(name):
    html = (STATIC / name).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "asset from elsewhere"
    for asset in re.findall(r"""(?:src|href)="/static/([^"]+)\"""", html):
        assert (STATIC / asset).is_file(), asset


def test_scripts_never_parse_strings_as_html():
    for script in (STATIC / "js").glob("*.js"):
        text = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, f"{script.name} uses {sink}"
        assert not re.search(r"""from\s+["']https?:""", text), f"{script.name} imports from elsewhere"


def test_every_spec_hook_is_in_the_pages_or_scripts():
    text = "".join(p.read_text() for p in [*STATIC.glob("*.html"), *(STATIC / "js").glob("*.js")])
    hooks = ("badge thread-row message new-thread filter-client filter-audience filter-topic "
             "filter-state reply-body send mark-read-after-send archive delete export edit-header "
             "confirm-audience-change seen-receipt login-username login-password login-submit "
             "new-client new-audience new-topic new-subject new-body new-send").split()
    missing = [hook for hook in hooks
               if f'data-testid="{hook}"' not in text and f'testid: "{hook}"' not in text]
    assert missing == []
