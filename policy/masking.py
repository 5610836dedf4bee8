"""Masking of personal data for public notices, logs and chat messages.

Every function accepts None or an empty string and then returns "".
"""

from __future__ import annotations

import re

_STAR = "*"


def mask_id(id18: str | None) -> str:
    """Mask as "530128********1234"; other lengths keep the first 3 and last 2."""
    text = (id18 or "").strip()
    if len(text) == 18:
        return text[:6] + _STAR * 8 + text[-4:]
    return _keep_ends(text, head=3, tail=2)


def mask_name(name: str | None) -> str:
    """Mask as "张*" (two characters), "张*华" / "欧**锋" (first and last kept for 3+)."""
    text = (name or "").strip()
    if len(text) <= 1:
        return _STAR * len(text)
    if len(text) == 2:
        return text[0] + _STAR
    return text[0] + _STAR * (len(text) - 2) + text[-1]


def mask_phone(phone: str | None) -> str:
    """Mask as "138****5678" (mobile), "0871-****5678" (landline); else keep the end."""
    text = (phone or "").strip()
    area_code, dash, local_number = text.partition("-")
    if dash and area_code.isdigit() and len(area_code) <= 4 and local_number:
        return area_code + "-" + _keep_last_digits(local_number)
    if len(text) == 11:
        return text[:3] + _STAR * 4 + text[-4:]
    return _keep_last_digits(text)


def _keep_last_digits(text: str) -> str:
    return _keep_ends(text, head=0, tail=min(4, len(text) // 2))


def _keep_ends(text: str, *, head: int, tail: int) -> str:
    """Star everything but ``head`` leading and ``tail`` trailing characters.

    Text too short to hide at least as much as it shows is starred entirely.
    """
    hidden_count = len(text) - head - tail
    if hidden_count < max(1, head + tail):
        return _STAR * len(text)
    return text[:head] + _STAR * hidden_count + text[len(text) - tail :]


_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])|(?<![0-9])[0-9]{15}(?![0-9])")


def mask_id_numbers(text: str) -> str:
    """Free text with every ID number in it masked (a cadre may write one into a reason)."""
    return _ID_IN_TEXT.sub(lambda match: mask_id(match.group()), text)


_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[0-9]{2}[- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9])")


def mask_personal_numbers(text: str | None) -> str:
    """Text with every ID number (15 or 18 digits, with X) and every mobile number (11 digits
    starting with 1, maybe written 138-1234-5678) masked: for cells passed back to an office."""
    masked = mask_id_numbers(text or "")
    return _MOBILE_IN_TEXT.sub(
        lambda match: mask_phone("".join(ch for ch in match.group() if ch.isdigit())), masked)
