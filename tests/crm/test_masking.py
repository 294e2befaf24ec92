"""The API key never reaches a log line or a message in clear."""

import logging

from integration.exchange.secrets import SecretMaskingFilter, mask_secret, redact

KEY = "masking-test-key-ABCDEFGH1234"


def test_it_shows_at_most_the_last_four_characters():
    assert mask_secret(KEY) == "••••••••1234"
    assert mask_secret("short-key") == "••••••••"  # a short key shows nothing
    assert mask_secret("") == ""
    assert redact(f"key={KEY}; again {KEY}", [KEY]) == "key=••••••••1234; again ••••••••1234"


def test_the_filter_rewrites_messages_arguments_and_tracebacks():
    log_filter = SecretMaskingFilter([KEY])
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "calling with %s", (KEY,), None)
    try:
        raise RuntimeError(f"boom {KEY}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    assert log_filter.filter(record) is True
    assert KEY not in record.getMessage() and "••••••••1234" in record.getMessage()
    assert KEY not in record.exc_text and "boom ••••••••1234" in record.exc_text


def test_client_logs_are_masked_once_a_client_exists(caplog):
    from integration.retailcrm.client import RetailCrmClient

    RetailCrmClient("https://shop.example.com", KEY)
    with caplog.at_level(logging.DEBUG, logger="integration.retailcrm.client"):
        logging.getLogger("integration.retailcrm.client").warning("somebody logged %s by mistake", KEY)
    assert KEY not in caplog.text
    assert "somebody logged ••••••••1234 by mistake" in caplog.text
