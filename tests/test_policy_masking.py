import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.masking import mask_id, mask_name, mask_personal_numbers, mask_phone


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("530128199001011234", "530128********1234"),
        ("53012819630706829X", "530128********829X"),
        (" 530128199001011234 ", "530128********1234"),
        ("530128900101123", "530**********23"),
        ("5301281990", "530*****90"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id(id_number: str | None, masked: str) -> None:
    assert mask_id(id_number) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三华", "张*华"),
        ("王云", "王*"),
        ("欧阳锋", "欧*锋"),
        ("欧阳小锋", "欧**锋"),
        ("买买提·吐尔逊", "买*****逊"),
        (" 李强 ", "李*"),
        ("张", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0871-12345678", "0871-****5678"),
        ("010-1234567", "010-****567"),
        ("087112345678", "********5678"),
        ("12345", "***45"),
        ("123", "**3"),
        ("00-", "**-"),
        ("1", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_mask_id_hides_the_birth_date_and_sequence(id18: str) -> None:
    masked = mask_id(id18)
    assert len(masked) == 18
    assert masked[6:14] == "*" * 8
    assert (masked[:6], masked[14:]) == (id18[:6], id18[14:])


@given(st.text(min_size=0, max_size=40))
def test_masking_never_reveals_more_than_half(text: str) -> None:
    for masked in (mask_id(text), mask_name(text), mask_phone(text)):
        stripped = text.strip()
        assert len(masked) == len(stripped)
        if len(stripped) >= 2:
            assert masked.count("*") >= len(stripped) // 3


def test_id_numbers_inside_free_text_are_masked():
    from policy.masking import mask_id_numbers

    text = "核实：53012819820526591X，旧号530128820526591，户号53012820000000，电话13812345678"
    masked = mask_id_numbers(text)
    assert "53012819820526591X" not in masked and "530128820526591" not in masked
    assert "530128********591X" in masked
    assert "53012820000000" in masked and "13812345678" in masked  # not ID numbers


def test_personal_numbers_are_masked_anywhere_in_a_cell() -> None:
    cell = "户主53012819820526591X，电话138-1234-5678，旧证号530128820526591，住院2万"
    masked = mask_personal_numbers(cell)
    assert "53012819820526591X" not in masked and "530128820526591" not in masked
    assert "138****5678" in masked and masked.endswith("住院2万")
    assert mask_personal_numbers(None) == "" and mask_personal_numbers("红龙村7组") == "红龙村7组"
