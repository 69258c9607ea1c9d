from django.apps import AppConfig


class CairnConfig(AppConfig):
    name = "server"
    label = "server"
    verbose_name = "Cairn"
    default_auto_field = "django.db.models.BigAutoField"
