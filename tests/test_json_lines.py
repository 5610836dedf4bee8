"""decoded_lines: whatever it returns is what json.loads returns for each line; anything it
cannot vouch for is None (the caller then goes line by line)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.grade_command import LineGrader
from bot.json_lines import decoded_lines
from policy.parameters import load_parameter_file

HOUSEHOLD = {"year": 2026, "category": "脱贫户", "members": [{"labour": "normal"}],
             "income": {"wage": 9000, "production": 0, "transfer": 0, "property": 0},
             "rigid_expense": 0}


def test_plain_lines_decode_as_json_loads_does():
    lines = [json.dumps(HOUSEHOLD, ensure_ascii=False).encode() + b"\n",
             b'{"a": [1, 2.5, null, true], "b": "\\u8131\\n"}\n', b"[1]\n", b'"x"\n', b"7"]
    assert decoded_lines(lines) == [json.loads(line) for line in lines]
    assert decoded_lines([line.decode() for line in lines]) == [json.loads(line) for line in lines]


@pytest.mark.parametrize("line", [
    b" {}\n",  # leading whitespace: json.loads accepts it, the scanner alone does not
    b"{} \n",  # trailing whitespace
    b"{}\r\n",  # CRLF
    b"\xef\xbb\xbf{}\n",  # UTF-8 BOM (json.loads on bytes accepts it)
    "{}\n".encode("utf-16"),  # another encoding
    b'"\xed\xa0\x80"\n',  # an encoded surrogate (json.loads on bytes decodes it)
    b"{} {}\n",  # extra data
    b'{"a": \n',  # incomplete
    b"\n",  # blank
    b"",
    b"\x00",
    b"NaN1\n",
])
def test_irregular_line_sends_the_batch_line_by_line(line):
    assert decoded_lines([b"{}\n", line, b"{}\n"]) is None


def test_a_value_spread_over_two_lines_is_not_taken_as_one():
    assert decoded_lines([b'{"a":\n', b"1}\n"]) is None


@given(st.lists(st.one_of(
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                 | st.text(max_size=5),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=6)
    .map(lambda v: json.dumps(v, ensure_ascii=False) + "\n"),
    st.text(max_size=12),
), min_size=1, max_size=4), st.booleans())
def test_any_result_equals_json_loads_line_by_line(texts, as_bytes):
    lines = [t.encode("utf-8", "surrogatepass") for t in texts] if as_bytes else texts
    decoded = decoded_lines(lines)
    if decoded is not None:
        assert decoded == [json.loads(line) for line in lines]


def test_grading_gives_the_same_output_whichever_way_a_line_is_decoded():
    """CRLF, BOM and padded lines go the json.loads way and are graded like the plain ones."""
    plain = json.dumps(HOUSEHOLD, ensure_ascii=False).encode()
    grader = LineGrader(load_parameter_file(None))
    expected = grader.encoded_line(plain + b"\n", 1)
    variants = [b"\xef\xbb\xbf" + plain + b"\n", plain + b"\r\n", b"  " + plain + b" \n",
                plain + b"\n"]
    out = b"".join(LineGrader(load_parameter_file(None)).encoded_chunks(variants))
    assert out == expected * len(variants)
