"""Split long texts into pieces WeChat delivers (it silently drops replies over ~2,048 bytes)."""

from __future__ import annotations


def _byte_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_split(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for char in line:
        if _byte_len(current + char) > limit:
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces


def split_for_wechat(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut at line ends where possible; never empty."""
    if _byte_len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _byte_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if _byte_len(line) <= limit:
            current = line
        else:
            *full, current = _hard_split(line, limit)
            pieces.extend(full)
    if current.strip():
        pieces.append(current)
    return [piece for piece in pieces if piece.strip()] or [text[:1]]
