"""Where the shared sample data lives (WeChat samples, crypto vectors, grading cases, exports).

The data sits beside the checkout in ../shared/data (as in CI); FANGPIN_SHARED_DATA points
elsewhere. Without it the modules that need it are skipped with this message, except where
FANGPIN_REQUIRE_SHARED_DATA=1 (CI), where a missing folder is an error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("FANGPIN_SHARED_DATA")
    or Path(__file__).resolve().parents[2] / "shared" / "data"
)


def require_shared_data() -> Path:
    if (SHARED_DATA / "wechat").is_dir():
        return SHARED_DATA
    message = (f"sample data not found at {SHARED_DATA}: put the project's shared/ folder beside "
               "the checkout or set FANGPIN_SHARED_DATA to its data/ folder")
    if os.environ.get("FANGPIN_REQUIRE_SHARED_DATA") == "1":
        raise RuntimeError(message)
    pytest.skip(message, allow_module_level=True)
