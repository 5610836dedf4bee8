from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from policy.idnumber import (
    IdCheck,
    age_on,
    birth_date_of,
    check_digit,
    check_id_number,
    fold_x_lookalikes,
    normalize_id_text,
    sex_of,
    upgrade_15_to_18,
)

TODAY = date(2026, 11, 20)


def reference_check_digit(first17: str) -> str:
    """Independent GB 11643 check: (12 - sum(a_i * 2^(17-i) mod 11) mod 11) mod 11, 10 -> X."""
    weighted = sum(int(digit) * (2 ** (17 - index) % 11) for index, digit in enumerate(first17))
    value = (12 - weighted % 11) % 11
    return "X" if value == 10 else str(value)


def valid_id(body: str) -> str:
    return body + reference_check_digit(body)


MALE_1990 = valid_id("53012819900101123")  # 17th digit 3: male
FEMALE_1965 = valid_id("53012819650718690")  # 17th digit 0: female
X_ENDING = next(
    valid_id(f"5301281963070682{n}")
    for n in range(10)
    if reference_check_digit(f"5301281963070682{n}") == "X"
)
OLD_15 = MALE_1990[:6] + MALE_1990[8:17]  # drop the century "19" and the check digit
FULLWIDTH_DIGITS = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def wrong_last_char(id18: str) -> str:
    return id18[:17] + ("0" if id18[17] != "0" else "1")


def test_reference_helper_agrees_with_published_example() -> None:
    assert reference_check_digit("11010519491231002") == "X"
    assert X_ENDING.endswith("X")


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        (MALE_1990[:17], MALE_1990[17]),
        (FEMALE_1965[:17], FEMALE_1965[17]),
        (X_ENDING[:17], "X"),
    ],
)
def test_check_digit(first17: str, expected: str) -> None:
    assert check_digit(first17) == expected


@pytest.mark.parametrize("bad", ["", "1234567890123456", "123456789012345678", "1234567890123456X"])
def test_check_digit_rejects_wrong_input(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 530128 19900101 1234 ", "530128199001011234"),
        ("530128\t199001011234\n", "530128199001011234"),
        ("530128\u00a0199001011234", "530128199001011234"),
        ("\u3000530128199001011234\u3000", "530128199001011234"),
        ("5301\u200b28199001011234\ufeff", "530128199001011234"),
        ("５３０１２８１９９００１０１１２３４", "530128199001011234"),
        ("53012819630706829x", "53012819630706829X"),
        ("53012819630706829ｘ", "53012819630706829X"),
        ("'530128199001011234", "530128199001011234"),
        ('"530128199001011234"', "530128199001011234"),
        ("“530128199001011234”", "530128199001011234"),
        ('="530128199001011234"', "530128199001011234"),
        ("", ""),
    ],
)
def test_normalize_id_text(raw: str, expected: str) -> None:
    assert normalize_id_text(raw) == expected


def test_upgrade_15_to_18_restores_the_original() -> None:
    assert upgrade_15_to_18(OLD_15) == MALE_1990
    assert upgrade_15_to_18("530128990628801") == valid_id("53012819990628801")


@pytest.mark.parametrize("bad", ["53012899062880", "5301289906288012", "53012899062880X"])
def test_upgrade_15_to_18_rejects_wrong_input(bad: str) -> None:
    with pytest.raises(ValueError):
        upgrade_15_to_18(bad)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (MALE_1990, MALE_1990),
        (X_ENDING, X_ENDING),
        (X_ENDING.lower(), X_ENDING),
        (f"{MALE_1990[:6]} {MALE_1990[6:14]}\t{MALE_1990[14:]}", MALE_1990),
        (f" {MALE_1990}\t", MALE_1990),
        (MALE_1990.translate(FULLWIDTH_DIGITS), MALE_1990),
        (f"'{FEMALE_1965}", FEMALE_1965),
        (OLD_15, MALE_1990),
        (f" {OLD_15[:6]} {OLD_15[6:]} ", MALE_1990),
        (int(MALE_1990), MALE_1990),
        (int(OLD_15), MALE_1990),
        (float(OLD_15), MALE_1990),  # 15 digits survive a float exactly
        ("11010519491231002x", "11010519491231002X"),
    ],
)
def test_check_id_number_accepts(raw: str | int | float, normalized: str) -> None:
    assert check_id_number(raw, today=TODAY) == IdCheck(True, normalized, None, None)


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        (None, "empty", "没有收到"),
        ("", "empty", "没有收到"),
        ("  \t ", "empty", "没有收到"),
        (float("nan"), "empty", "没有收到"),
        ("5.30128E+17", "excel_float", "科学计数法"),
        ("5.30128e+17", "excel_float", "后几位已丢失"),
        ("1.23457E+17", "excel_float", "科学计数法"),
        ("5.30128199001011234e17", "excel_float", "科学计数法"),
        (5.301281990010112e17, "excel_float", "科学计数法"),
        (float(MALE_1990), "excel_float", "后几位已丢失"),
        ("530128199001011000.0", "excel_float", "后几位已丢失"),
        (MALE_1990[:17], "wrong_length", "您输入了17位"),
        (MALE_1990 + "1", "wrong_length", "您输入了19位"),
        (MALE_1990[:16], "wrong_length", "少了2位"),
        ("5301281990", "wrong_length", "应是18位"),
        ("530128O99001011234", "not_digits", "第7位“O”"),
        ("530128-19900101-1234", "not_digits", "第7位“-”"),
        ("53012819900101123Y", "not_digits", "第18位“Y”"),
        ("5301281990X1011234", "not_digits", "第11位“X”"),
        ("53012899062880X", "not_digits", "第15位“X”"),
        ("身份证530128199001011234", "not_digits", "第1位“身”"),
        (valid_id("53012819901301123"), "bad_birth_date", "第7到14位是出生日期"),
        (valid_id("53012819900230123"), "bad_birth_date", "“19900230”不是有效日期"),
        (valid_id("53012818991231123"), "bad_birth_date", "不是有效日期"),
        (valid_id("53012820270101123"), "bad_birth_date", "不是有效日期"),
        (valid_id("53012820261121123"), "bad_birth_date", "不是有效日期"),  # tomorrow
        ("530128901301123", "bad_birth_date", "第7到12位是出生日期"),
        ("530128900230123", "bad_birth_date", "不是有效日期"),
        (wrong_last_char(MALE_1990), "bad_check_digit", "最后一位校验码不对"),
        (MALE_1990[:17] + "X", "bad_check_digit", "请核对每一位数字"),
        (MALE_1990[:15] + "7" + MALE_1990[16:], "bad_check_digit", "校验码"),
        (X_ENDING[:17] + "0", "bad_check_digit", "校验码"),
    ],
)
def test_check_id_number_rejects_with_a_reason(
    raw: str | float | None, code: str, words: str
) -> None:
    result = check_id_number(raw, today=TODAY)
    assert (result.ok, result.normalized, result.problem_code) == (False, None, code)
    assert result.problem is not None
    assert words in result.problem


def test_birth_on_today_is_accepted() -> None:
    born_today = valid_id("53012820261120123")
    assert check_id_number(born_today, today=TODAY).ok


def test_never_guesses_a_correction() -> None:
    almost = wrong_last_char(FEMALE_1965)
    result = check_id_number(almost, today=TODAY)
    assert result.normalized is None
    assert FEMALE_1965 not in (result.problem or "")


@pytest.mark.parametrize(
    ("id_number", "born", "sex"),
    [
        (MALE_1990, date(1990, 1, 1), "男"),
        (FEMALE_1965, date(1965, 7, 18), "女"),
        ("11010519491231002X", date(1949, 12, 31), "女"),
        (OLD_15, date(1990, 1, 1), "男"),
    ],
)
def test_birth_date_and_sex(id_number: str, born: date, sex: str) -> None:
    assert birth_date_of(id_number) == born
    assert sex_of(id_number) == sex


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (date(1990, 1, 1), 0),
        (date(2025, 12, 31), 35),
        (date(2026, 1, 1), 36),
        (date(2026, 11, 20), 36),
    ],
)
def test_age_on(on: date, age: int) -> None:
    assert age_on(MALE_1990, on) == age


def test_age_on_leap_day_birthday() -> None:
    leap = valid_id("53012820000229123")
    assert age_on(leap, date(2026, 2, 28)) == 25
    assert age_on(leap, date(2026, 3, 1)) == 26


def test_birth_date_of_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        birth_date_of("12345")


area_codes = st.sampled_from(["110105", "530128", "530102", "440524", "652101", "320102"])
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@given(area=area_codes, born=birth_dates, sequence=sequences)
def test_valid_bodies_pass(area: str, born: date, sequence: str) -> None:
    body = f"{area}{born:%Y%m%d}{sequence}"
    assert check_digit(body) == reference_check_digit(body)
    result = check_id_number(body + check_digit(body), today=TODAY)
    assert result.ok
    assert result.normalized == body + reference_check_digit(body)
    assert birth_date_of(body + check_digit(body)) == born


@given(
    area=area_codes,
    born=birth_dates,
    sequence=sequences,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from("0123456789X"),
)
def test_any_single_character_change_is_rejected(
    area: str, born: date, sequence: str, position: int, replacement: str
) -> None:
    body = f"{area}{born:%Y%m%d}{sequence}"
    original = body + check_digit(body)
    changed = original[:position] + replacement + original[position + 1 :]
    assume(changed != original)
    assert not check_id_number(changed, today=TODAY).ok


@pytest.mark.parametrize("x_like", ["×", "✕", "✖", "╳", "Χ", "Х", "Ｘ", "ｘ", "x"])
def test_look_alikes_of_x_count_as_x(x_like: str) -> None:
    """An input method's multiplication sign for the check character X is not a 17-digit ID."""
    typed = X_ENDING[:-1] + x_like
    assert check_id_number(typed, today=TODAY) == IdCheck(True, X_ENDING, None, None)
    assert fold_x_lookalikes(typed) in (X_ENDING, X_ENDING[:-1] + "x")


def test_look_alike_of_x_is_still_checked() -> None:
    assert not MALE_1990.endswith("X")
    assert check_id_number(MALE_1990[:-1] + "×", today=TODAY).problem_code == "bad_check_digit"
