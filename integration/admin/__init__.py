from integration.admin import (  # noqa: F401
    catalog_pages, dictionaries, documents, jobs, mappings, queues, settings, waiting, webhooks,
)
