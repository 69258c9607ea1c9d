"""How a session's user is read: Django's model backend, with the user's practice in the same
query. Every API request asks the practice's switches (the client portal, two-step sign-in), so
reading it apart cost each request a query of its own."""

from django.contrib.auth.backends import ModelBackend

from server.models import User


class PracticeUserBackend(ModelBackend):
    def get_user(self, user_id):
        user = User._default_manager.select_related("practice").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
