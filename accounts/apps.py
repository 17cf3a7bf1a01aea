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

        # The API token cache (accounts.authentication) forgets what changed.
        from django.db.models.signals import post_delete, post_save, pre_delete
        from rest_framework.authtoken.models import Token

        from . import authentication
        from .models import OrgUnit

        for signal in (post_save, post_delete):
            signal.connect(authentication.token_changed, sender=Token, dispatch_uid="accounts.tc")
            signal.connect(authentication.user_changed, sender=User, dispatch_uid="accounts.uc")
        # A unit's people before it goes (its deletion empties their unit without a signal).
        for signal in (post_save, pre_delete):
            signal.connect(authentication.unit_changed, sender=OrgUnit, dispatch_uid="accounts.oc")
