"""Loyalty programs (RetailCRM G1–G5, BonusPlus H1–H5) arrive with their issues.

The app exists now so the dependency direction catalog ← integration ← loyalty is fixed
from the start.
"""
