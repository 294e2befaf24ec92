"""Every model of the ``integration`` app, for Django and for code that reads across rooms.

The models live in their rooms (``documents``, ``exchange``, ``retailcrm``); they keep the app
label ``integration`` and their tables, so moving them changed no data. Code inside a room imports
the room's own module, never this one (the import contract in ``.importlinter`` says so).
"""

from integration.documents.models import *  # noqa: F401,F403
from integration.documents.models import __all__ as _documents
from integration.exchange.models import ExchangeEvent, JobRun, JobSchedule, RetryEntry
from integration.retailcrm.models import *  # noqa: F401,F403
from integration.retailcrm.models import __all__ as _retailcrm

__all__ = [*_documents, "ExchangeEvent", "JobRun", "JobSchedule", "RetryEntry", *_retailcrm]
