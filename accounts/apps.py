from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff and org tree"

    def ready(self) -> None:
        # "My data": accounts' parts come first; the other apps add theirs in their ready.
        from . import personal_data

        personal_data.register_own_parts()
