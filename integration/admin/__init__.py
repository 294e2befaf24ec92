from integration.admin import catalog_pages, dictionaries, documents, jobs, mappings, settings, waiting, webhooks  # noqa: F401
