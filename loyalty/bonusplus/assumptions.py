"""Every BonusPlus fact the reference marks UNVERIFIED, and the safe choice made for it — in one place.

`../shared/reference/bonusplus-api.md` names what no stored source confirms. Code elsewhere reads
these constants instead of deciding again, so a fact confirmed on bonusplus.pro/api/Help changes
one line here.
"""

# §1: "3600 requests/hour" comes from one third-party README. One shared pacer per API key at 1/s.
RATE_PER_SECOND = 1

# §4.1: `GET /customer?ean=` is inferred from a help page slug; `POST /customer/list` with a
# `cardNumber` filter is [DOC]. The documented filter is used for a card code.
CARD_LOOKUP = "customer/list"

# §4.2: a new customer gets the card in `POST /customer` (`card`, CODE×1). Binding a card to an
# existing phone is seen in no client; the reference's candidate, `PATCH /customer/{phone}` with the
# same `card` field, is used, and only after the operator confirmed the binding.
BIND_CARD_FIELD = "card"

# §4.4: only `newCard` was seen in PATCH /customer/{phone}; these keys mirror POST /customer and
# CustomerFilter (`sex`). Unconfirmed keys are sent only when the operator filled them.
PROFILE_FIELDS = {"first_name": "fn", "last_name": "ln", "patronymic": "mn", "email": "email",
                  "gender": "sex", "birth_date": "birthDate"}
SEX_VALUES = {"male": 1, "female": 2}

# §3.2: whether `sum` is gross or net of `ds` is not settled. We send the line's amount after the
# back office's own discounts with `ds = 0` (bpwp's way), so no discount is counted twice.
SEND_NET_SUM = True

# §3.3: the discount BonusPlus gives by its programme is taken as Σ `ids` (its "internal" discount,
# what bpwp adds to the cart; `ds` may only echo ours), bonuses debited as Σ `db`, earned as Σ `cb`.
DISCOUNT_FIELD = "ids"

# 004 §8: the spent bonuses and the discount become one manual discount spread over the lines in
# proportion to their sums (the manual's 1.23 % on every line), largest remainder to the kopeck.
SPREAD = "proportional"

# §4.6: whether a positive amount adds to the reserve under that `id` or sets it, and whether a
# repeated call is deduplicated, is unknown (negative amounts release, CODE×2). So a reserve is never
# repeated blindly and is changed as "release what is held, then reserve the new amount" — right
# under either reading. An ambiguous answer is settled by reading the customer's `availableBonuses`,
# which we assume drops by the reserved amount (bpwp's cache does; so does the sandbox).
RESERVE_ADJUST = "release-then-reserve"
RESERVE_LOWERS_AVAILABLE = True

# §4.10: `cashier` is an integer id on POST /retail; cashier codes are typed as in 1C's comment.
# A code of digits is sent as an int; any other code is kept and sent nowhere.
CASHIER_AS_INT = True

# §4.9: batch size limit of product/import is unknown; small batches cost a few requests more.
CATALOG_BATCH = 500

# §4.3: code length and lifetime are unknown; the form accepts 4–6 digits (bpwp: up to 6).
SMS_CODE_LENGTHS = (4, 5, 6)

# §4.3: the code's lifetime is unknown. A code older than this is refused here as expired before
# BonusPlus is asked; a 412 whose code names an expiry is reported the same way.
SMS_CODE_TTL_SECONDS = 300

# §4.7 (H5): the reserve is freed the way both WP plugins do it (release, then POST /retail with the
# debit), not through `reserveId` (UNVERIFIED). A repeated `externalId` may be refused or answered
# with the first sale (UNVERIFIED); these codes are taken as "already registered".
PURCHASE_USES_RESERVE_ID = False
DUPLICATE_EXTERNAL_ID_CODES = frozenset({"EXTERNAL_ID_ALREADY_EXISTS"})
# An unclear purchase answer is settled by reading the card again (iRepair's way): a purchase grows
# `purchasesTotalSum` and moves `availableBonuses` by the debit; both unchanged means it did not happen.
# Whether the accrual is spendable at once is unknown, so the balance may also have grown by the
# calculated accrual; any other movement is left to a person (the card changed for another reason too).
PURCHASE_EVIDENCE = ("purchasesTotalSum", "availableBonuses")
# The card is not read before the purchase: the order's last read (finding the card, settling a
# reserve) is the baseline, moved by our own reserve changes, if at most this old; older, the card is
# read first (one request more). Within it, another purchase on the same card elsewhere can only make
# a lost answer undecidable (review), never look like "not registered" — ours would have grown the sum.
CARD_EVIDENCE_MAX_AGE_SECONDS = 900
