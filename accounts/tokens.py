"""API tokens end with the password and the account: a new password (changed or reset)
or a deactivation deletes the person's token, so an old token never outlives them."""

from __future__ import annotations


def drop_tokens_on_password_or_deactivation(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    from rest_framework.authtoken.models import Token

    old = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    if old["password"] != instance.password or (old["is_active"] and not instance.is_active):
        Token.objects.filter(user_id=instance.pk).delete()
