from django.apps import AppConfig


class CairnConfig(AppConfig):
    name = "server"
    label = "server"
    verbose_name = "Cairn"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Roles, assignments and supervision changed anywhere (API, admin, shell) reach live sockets.
        from server import oplog
        from server.live import signals

        signals.connect()
        oplog.connect()
