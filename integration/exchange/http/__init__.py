"""Shared HTTP machinery for every remote system: transport.py (the base a client subclasses; its
docstring is the API), errors.py (failure classes), ratelimit.py (the shared pacer), stats.py."""
