"""The RetailCRM sandbox connected to the back office, as tests of the exchange need it."""

from contextlib import contextmanager

from catalog.demo import seed_demo_catalog
from integration import models as im
from integration.exchange.jobs import run_inline


@contextmanager
def connected_sandbox(*, catalog: bool = True, sync: bool = True, map_deliveries: bool = True, **server_options):
    """The demo sandbox over real HTTP; settings point at it, the connection counts as checked;
    with ``catalog`` the demo catalog is seeded, with ``sync`` every reference book is loaded and,
    with ``map_deliveries``, B7 maps the demo's delivery types (an unmapped type is a warning)."""
    from integration.retailcrm.demo_setup import map_demo_deliveries
    from sandbox.retailcrm.testing import SandboxServer

    server_options = {"seed": "demo", "api_key": "sandbox-key", "rps": 1000, **server_options}
    with SandboxServer(**server_options) as server:
        if catalog:
            seed_demo_catalog()
        row = im.CrmSettings.get_solo()
        row.crm_url, row.api_key, row.site_code, row.connection_ok = server.url, server.api_key, "main-shop", True
        row.save()
        if sync:
            run_inline("sync-references")
            if map_deliveries:
                map_demo_deliveries()
        yield server


def order_state(code: str) -> im.OrderState:
    """A seeded order state; transactional tests flush what the migrations seed, so make it again."""
    return im.OrderState.objects.get_or_create(code=code, defaults={"name": code.replace("-", " ").capitalize()})[0]


@contextmanager
def connected_bonusplus(cashier_user=None):
    """The BonusPlus emulator over real HTTP, the settings pointing at it, ``cashier_user`` a cashier."""
    from loyalty.bonusplus.models import BonusPlusSettings, Cashier
    from sandbox.bonusplus.testing import BonusPlusServer

    with BonusPlusServer(seed="demo", rps=1000) as server:
        row = BonusPlusSettings.get_solo()
        row.base_url, row.api_key, row.store = server.api_url, server.api_key, "Основной магазин"
        row.save()
        if cashier_user is not None:
            Cashier.objects.update_or_create(user=cashier_user, defaults={"code": "17"})
        yield server
