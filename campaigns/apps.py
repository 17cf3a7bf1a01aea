from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns and shares"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
