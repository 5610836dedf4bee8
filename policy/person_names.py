"""Whether two spellings of a person's name are the same name."""

from __future__ import annotations

import unicodedata

_NAME_DOTS = "·•.．‧・"  # the middle dot of names such as 阿依古丽·买买提, as typed


def same_name(given: str, registered: str) -> bool:
    """Whether `given` is the `registered` name, up to width, spaces and the middle dot; an
    empty `given` is not a different name."""
    return not given or _name_key(given) == _name_key(registered)


def _name_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if not ch.isspace() and ch not in _NAME_DOTS)
