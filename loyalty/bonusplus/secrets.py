"""The BonusPlus API key joins the one secrets registry, so it never reaches a log line or a page."""

from integration.exchange.secrets import register_secret
from loyalty.bonusplus.transport import auth_header


def remember(sender, instance, **kwargs):
    if instance.api_key:
        register_secret(instance.api_key)
        register_secret(auth_header(instance.api_key).split(" ", 1)[1])  # the Base64 form travels in the header


def connect() -> None:
    from django.db.models.signals import post_init, post_save

    from loyalty.bonusplus.models import BonusPlusSettings

    post_init.connect(remember, sender=BonusPlusSettings, weak=False)
    post_save.connect(remember, sender=BonusPlusSettings, weak=False)
