"""A forgotten password reset from the emailed link, then two-step sign-in set up and used, in
a real browser."""

import re
import time

import pyotp

from tests.browser.helpers import expect, wait_live

NEW_PASSWORD = "a brand new passphrase"


def test_forgot_password_then_two_step_sign_in(open_as, cairn_server):
    page = open_as("sam", sign_in=False)
    page.get_by_test_id("forgot-password").click()
    page.get_by_test_id("forgot-login").fill("sam")
    page.get_by_test_id("forgot-submit").click()
    expect(page.locator("#forgot-notice")).to_contain_text("a link is on its way")

    cairn_server.manage("worker", "--once")
    mail = "\n".join(p.read_text() for p in (cairn_server.var_dir / "mail").iterdir())
    token = re.search(r"/reset#([A-Za-z0-9_\-]+)", mail).group(1)
    page.goto(f"{cairn_server.url}/reset#{token}")
    page.get_by_test_id("reset-password").fill(NEW_PASSWORD)
    page.get_by_test_id("reset-password-again").fill(NEW_PASSWORD)
    page.get_by_test_id("reset-submit").click()
    expect(page.locator("#signin-notice")).to_have_text("Your password is set. Sign in with it now.")

    page.get_by_test_id("login-username").fill("sam")
    page.get_by_test_id("login-password").fill(NEW_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"/inbox$"))
    wait_live(page)

    # Set up two-step sign-in from the account page.
    page.get_by_test_id("account-settings").click()
    page.get_by_test_id("two-factor-start").click()
    expect(page.get_by_test_id("two-factor-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("two-factor-secret").inner_text()
    page.get_by_test_id("two-factor-confirm-code").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("two-factor-confirm").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    expect(page.get_by_test_id("session")).to_have_count(1)

    # Signing in now takes a code (of a later time step: the confirming one is spent).
    page.goto(cairn_server.url + "/inbox")
    wait_live(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_test_id("login-username").fill("sam")
    page.get_by_test_id("login-password").fill(NEW_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("two-factor-code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_test_id("two-factor-submit").click()
    page.wait_for_url(re.compile(r"/inbox$"))
    wait_live(page)


def test_a_practice_admin_sees_staff_sign_ins_and_sends_a_reset_link(open_as, cairn_server):
    open_as("sam")  # signs in once, from this machine
    ada = open_as("ada")
    ada.get_by_test_id("account-settings").click()
    sam = ada.get_by_test_id("staff-member").filter(has_text="(sam)")
    expect(sam).to_contain_text("127.0.0.1")
    sam.get_by_test_id("staff-password-reset").click()
    expect(ada.locator("#staff-notice")).to_contain_text("A reset link was emailed")
    cairn_server.manage("worker", "--once")
    mail = "\n".join(p.read_text() for p in (cairn_server.var_dir / "mail").iterdir())
    assert "sam@harbor.example.org" in mail and "/reset#" in mail
