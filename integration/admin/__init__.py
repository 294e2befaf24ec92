from integration.admin import catalog_pages, dictionaries, documents, jobs, mappings, queues, settings, webhooks  # noqa: F401
