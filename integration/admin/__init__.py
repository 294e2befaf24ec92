from integration.admin import dictionaries, documents, jobs, mappings, settings  # noqa: F401
