from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "relais.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Signals, not the services alone: the admin also revokes, deletes and deactivates.
        from relais.accounts.models import ApiToken, User

        post_save.connect(_token_changed, sender=ApiToken, dispatch_uid="apitoken-saved")
        post_delete.connect(_token_changed, sender=ApiToken, dispatch_uid="apitoken-deleted")
        post_save.connect(_user_changed, sender=User, dispatch_uid="apitoken-user-saved")


def _token_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from relais.accounts.services import api_tokens_forget

    if not kwargs.get("created"):
        api_tokens_forget(digests=[instance.token_hash])


def _user_changed(sender: Any, instance: Any, created: bool, update_fields: Any, **kw: Any) -> None:
    """A deactivated user's tokens stop at once; a new role shows on the next call."""
    from relais.accounts.models import ApiToken
    from relais.accounts.services import api_tokens_forget

    if created or not settings.RELAIS_API_TOKEN_CACHE_SECONDS:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes nothing a token depends on
    api_tokens_forget(
        digests=ApiToken.objects.filter(user=instance).values_list("token_hash", flat=True)
    )
