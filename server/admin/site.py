"""The admin site: who may enter (by role), and its sign-in and sign-out through the API's."""

from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from rules import can_use_admin_site
from server import signin
from server.errors import ApiError
from server.facts import person_for


def may_administer(user) -> bool:
    """Read anew on every request: losing the role closes the admin at the next one."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    person = person_for(user)
    return person is not None and can_use_admin_site(person)


class AdminSignInForm(AuthenticationForm):
    """The admin's sign-in form, checked by `server.signin` like `POST /api/auth/login`: the
    same counters, the same refusals, the same audit rows. Admitted by role, not `is_staff`."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data  # the field errors say what is missing
        try:
            user = signin.authenticate_throttled(self.request, username, password,
                                                 outside_practice=True)
        except ApiError as refusal:
            raise ValidationError(refusal.message, code=refusal.code) from None
        if not may_administer(user):
            signin.refuse(self.request, user, "not_practice_admin")
            raise ValidationError("This account does not manage a practice.", code="not_allowed")
        if signin.has_two_factor(user):
            # The second step is asked on Cairn's own sign-in page; a session started there
            # opens the admin too. A password alone never does.
            signin.refuse(self.request, user, "two_factor_required")
            raise ValidationError("Two-step sign-in is on for this account: sign in on Cairn's "
                                  "sign-in page first, then open the admin.",
                                  code="two_factor_required")
        self.user_cache = user
        return self.cleaned_data


class CairnAdminSite(admin.AdminSite):
    site_header = "Cairn administration"
    site_title = "Cairn"
    index_title = "Your practice"
    login_form = AdminSignInForm

    def has_permission(self, request):
        return may_administer(request.user)

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        if request.method == "POST" and response.status_code == 302 and request.user.is_authenticated:
            signin.audit_sign_in(request, request.user)
        return response

    def logout(self, request, extra_context=None):
        if request.method == "POST" and request.user.is_authenticated:
            signin.sign_out(request)  # audited, and the user's sockets close
        return super().logout(request, extra_context)

    def password_change(self, request, extra_context=None):
        # One way to set a password here: the user's own page, through `do_set_password`.
        return HttpResponseRedirect(reverse(f"{self.name}:auth_user_password_change",
                                            args=[request.user.pk]))


site = CairnAdminSite(name="admin")
# Nothing that holds history is deleted in bulk (or at all, but unused topics).
site.disable_action("delete_selected")
