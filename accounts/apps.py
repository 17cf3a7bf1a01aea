from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff and org tree"

    def ready(self) -> None:
        # "My data": accounts' parts come first; the other apps add theirs in their ready.
        from . import personal_data

        personal_data.register_own_parts()

        from axes.signals import user_locked_out

        from .lockout import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="accounts.record_lockout")

        from django.db.models.signals import pre_save

        from .models import User
        from .tokens import drop_tokens_on_password_or_deactivation

        pre_save.connect(
            drop_tokens_on_password_or_deactivation, sender=User, dispatch_uid="accounts.tokens"
        )
