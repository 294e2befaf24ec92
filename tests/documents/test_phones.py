"""The one phone rule (integration/documents/phones.py), as properties over generated numbers."""

import re

from hypothesis import given, strategies as st

from integration.documents.phones import display, normalize, spellings
from loyalty.retailcrm.crm import phone_key

national = st.text(alphabet="0123456789", min_size=10, max_size=10)
separators = st.sampled_from(["", " ", "-", "(", ")", " (", ") ", "\u00a0"])


@st.composite
def typed(draw, digits):
    """``digits`` as a person may type them: separators anywhere."""
    return "".join(draw(separators) + ch for ch in digits) + draw(separators)


@given(national, st.sampled_from(["8", "+7", "7", ""]), st.data())
def test_every_russian_spelling_is_7_and_the_ten_national_digits(digits, prefix, data):
    text = prefix + data.draw(typed(digits))
    assert normalize(text) == "7" + digits


@given(national)
def test_the_display_form_reads_as_people_write_it_and_means_the_same_phone(digits):
    shown = display("8" + digits)
    assert re.fullmatch(r"\+7 \(\d{3}\) \d{3}-\d{2}-\d{2}", shown)
    assert normalize(shown) == "7" + digits


@given(st.text(max_size=30))
def test_normalize_is_idempotent_and_keeps_only_digits(text):
    key = normalize(text)
    assert key == normalize(key) and (key.isdigit() or key == "")
    assert normalize(display(text)) == key


@given(st.text(alphabet="0123456789", min_size=1, max_size=15).filter(lambda d: len(d) not in (10, 11)))
def test_other_numbers_keep_their_digits_and_nothing_is_guessed(digits):
    assert normalize("+" + digits) == digits
    assert display(f" {digits} ") == digits


def test_no_digits_is_no_phone():
    assert normalize("") == normalize(None) == normalize("нет") == ""
    assert spellings("") == spellings("—") == set()


@given(national, st.data())
def test_every_usual_spelling_is_found_and_means_the_same_phone(digits, data):
    text = data.draw(st.sampled_from(["8", "+7", "7", ""])) + digits
    found = spellings(text)
    assert text in found and {"+7" + digits, "8" + digits, "7" + digits, display(text)} <= found
    assert {normalize(s) for s in found} == {"7" + digits}


@given(national, national)
def test_loyalty_matches_two_russian_numbers_exactly_when_their_national_digits_agree(a, b):
    # the loyalty key was the last ten digits: for Russian numbers the one rule agrees with it
    assert (phone_key("8" + a) == phone_key("+7 " + b)) == (a == b)
    assert phone_key("+7 (" + a[:3] + ") " + a[3:]) == normalize(a)
