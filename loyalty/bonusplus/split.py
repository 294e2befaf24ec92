"""Spreading one amount over order lines so the shares add up exactly to the kopeck."""

from decimal import ROUND_DOWN, Decimal

KOPECK = Decimal("0.01")


def spread(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Shares of ``total`` proportional to ``weights``, each rounded to the kopeck, summing to ``total``.

    Largest remainder: every share is rounded down, then the kopecks left go one each to the lines
    that lost most by rounding (earlier lines first on a tie), so the result never depends on order
    beyond that and never exceeds a line's weight when ``total`` does not exceed their sum.
    """
    total = Decimal(total).quantize(KOPECK)
    weights = [Decimal(w) for w in weights]
    whole = sum(weights, Decimal("0"))
    if not weights or total == 0 or whole <= 0:
        return [Decimal("0.00") for _ in weights]
    exact = [total * w / whole for w in weights]
    shares = [e.quantize(KOPECK, rounding=ROUND_DOWN) for e in exact]
    left = int((total - sum(shares, Decimal("0"))) / KOPECK)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += KOPECK
    return shares
