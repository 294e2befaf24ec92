"""A local emulator of the BonusPlus (bonusplus.pro) REST API.

Run it with ``python -m sandbox.bonusplus``; use ``sandbox.bonusplus.testing.BonusPlusServer`` in tests.
Where the reference leaves a fact UNVERIFIED, the choice made is listed in this package's README.md.
"""

# What the BonusPlus cabinet shows (a GUID); clients send ``Authorization: ApiKey <Base64 of it>``.
DEFAULT_API_KEY = "0b5e1a2c-3d4f-4a6b-8c9d-0e1f2a3b4c5d"
