"""A local emulator of the RetailCRM (Simla.com) API v5.

Run it with ``python -m sandbox.retailcrm``; use ``sandbox.retailcrm.testing.SandboxServer`` in tests.
"""

DEFAULT_API_KEY = "sandbox-key"
