from integration.admin import dictionaries, documents, jobs, mappings, settings, webhooks  # noqa: F401
