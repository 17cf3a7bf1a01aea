from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff and org tree")

    def ready(self) -> None:
        # "My data": accounts' parts come first; the other apps add theirs in their ready.
        from . import personal_data

        personal_data.register_own_parts()

        from axes.signals import user_locked_out

        from .lockout import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="accounts.record_lockout")

        from django.contrib.auth.signals import user_logged_in

        from .languages import apply_language_at_login

        user_logged_in.connect(apply_language_at_login, dispatch_uid="accounts.language_at_login")

        from django.db.models.signals import pre_save

        from .models import User
        from .tokens import drop_tokens_on_password_or_deactivation

        pre_save.connect(
            drop_tokens_on_password_or_deactivation, sender=User, dispatch_uid="accounts.tokens"
        )
