from decimal import Decimal

import pytest

from diary.money import format_minutes, format_money, minutes_to_hours, money, parse_amount
from diary.refusal import Refusal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.005", "1.01"),  # half up, where binary floats would give 1.00
        ("1.004", "1.00"),
        (Decimal("2.675"), "2.68"),
        (2, "2.00"),
        ("0", "0.00"),
        ("-1.005", "-1.01"),
        (Decimal("266.6666"), "266.67"),
    ],
)
def test_money_rounds_half_up_to_the_cent(value, expected):
    assert money(value) == Decimal(expected)
    assert str(money(value)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40", "40.00"),
        ("40.5", "40.50"),
        ("40.50", "40.50"),
        ("$40", "40.00"),
        ("€12.3", "12.30"),
        ("1,200.00", "1200.00"),
        ("1,234,567", "1234567.00"),
        (" 0 ", "0.00"),
        ("007", "7.00"),
    ],
)
def test_amounts_people_type_are_read(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("-40", "negative"),
        ("$-40", "negative"),
        ("-$40", "negative"),
        ("abc", "not an amount"),
        ("", "not an amount"),
        ("1,20", "not an amount"),
        ("12,34.5", "not an amount"),
        ("4 0", "not an amount"),
        ("1e3", "not an amount"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
        ("40 USD", "not an amount"),
        ("40.555", "two decimals"),
        ("1" * 13, "too large"),
    ],
)
def test_other_text_is_refused_with_an_example(text, phrase):
    refusal = parse_amount(text)
    assert isinstance(refusal, Refusal) and phrase in refusal.message
    assert "e.g." in refusal.message


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(0, "0.00"), (450, "7.50"), (10, "0.17"), (25, "0.42"), (1, "0.02"), (2400, "40.00"), (2520, "42.00")],
)
def test_minutes_to_hours_for_display(minutes, hours):
    assert minutes_to_hours(minutes) == Decimal(hours)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(450, "7:30"), (10, "0:10"), (0, "0:00"), (605, "10:05"), (2520, "42:00"), (-10, "-0:10")],
)
def test_format_minutes_as_hours_and_minutes(minutes, text):
    assert format_minutes(minutes) == text


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("320"), "USD", "320.00 USD"),
        (Decimal("1320.5"), "USD", "1,320.50 USD"),
        (Decimal("0.005"), "EUR", "0.01 EUR"),
        (Decimal("0"), "GBP", "0.00 GBP"),
    ],
)
def test_format_money(amount, currency, text):
    assert format_money(amount, currency) == text
