"""Django's admin at /admin/, for practice admins: staff and their roles, clients and their
clinicians, supervision and topics — of their own practice only.

It is no side door. Its sign-in is the API's (`server.signin`: one throttle, one audit trail);
who may enter is decided by the `practice_admin` role on every request (`is_staff` plays no
part); every change goes through the same `do_*` actions as the API, with their audit rows and
live effects; and nothing that holds history is deleted here (accounts are deactivated).
"""

from server.admin import people, records  # noqa: F401 (they register their models)
from server.admin.site import site

__all__ = ["site"]
