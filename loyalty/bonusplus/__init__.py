"""BonusPlus loyalty adapter (H1–H5): empty until the BonusPlus issue; it meets RetailCRM only through the posting hooks."""
