"""Reading the policy's TOML files (parameters, screening rules) with errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: Path, error: type[Exception], what: str) -> dict[str, Any]:
    """The parsed document; `error` (naming the file and `what` it should be) otherwise."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise error(f"{path}: 无法读取{what}（{exc.strerror or exc}）") from exc
    except UnicodeDecodeError as exc:  # tomllib reads UTF-8 only
        raise error(f"{path}: {what}不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节起），"
                    "请另存为 UTF-8 后再试") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: {what}不是有效的 TOML（{exc}）") from exc
