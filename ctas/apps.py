from django.apps import AppConfig


class CtasConfig(AppConfig):
    name = "ctas"
    verbose_name = "CTAs"
