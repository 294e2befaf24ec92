from integration.admin import catalog_pages, dictionaries, documents, jobs, mappings, settings, webhooks  # noqa: F401
