"""Helpers of the registration by buyers, shared by its models, wizard and controllers."""

import re

import phonenumbers

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits read as 0-9: buyers type either.
LATIN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
_CODE_NOISE = re.compile(r"[\s\-_.]+")


def latin_digits(text):
    """``text`` with Persian and Arabic digits as 0-9, without NUL characters."""
    return str(text or "").replace("\x00", "").translate(LATIN_DIGITS)


def normalize_code(code):
    """A label's code as compared: Latin digits, upper case, without spaces or dashes."""
    return _CODE_NOISE.sub("", latin_digits(code)).upper()


REGISTRATION_CHANNELS = [
    ("sms", "SMS"),
    ("web", "Website"),
    ("dealer", "Dealer"),
    ("agent", "Agent"),
]


def to_e164(number, country_code="IR"):
    """``number`` in E.164 (national numbers read in ``country_code``), or False when it is none."""
    if not number:
        return False
    try:
        parsed = phonenumbers.parse(str(number)[:40], None if str(number).startswith("+") else country_code)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_possible_number(parsed):
        return False
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
