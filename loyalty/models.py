"""Every model of the ``loyalty`` app: the RetailCRM loyalty program and BonusPlus.

The models live with their adapter (``retailcrm/models.py``, ``bonusplus/models.py``) and keep the
app label ``loyalty`` and their tables; the adapters import their own module, never this index.
"""

from loyalty.bonusplus.models import (  # noqa: F401
    BonusPlusSettings, Cashier, CatalogNode, OrderBonus, OrderBonusLine, PhoneCheck,
)
from loyalty.retailcrm.models import (  # noqa: F401
    STALE_AFTER, LoyaltyProgram, LoyaltySettings, Participation, RegistrationCandidate,
)
