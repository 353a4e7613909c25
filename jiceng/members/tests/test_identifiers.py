"""Credit codes and ID numbers, against the worked examples of shared VALIDATION.md."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.members.identifiers import (
    CREDIT_CODE_ALPHABET,
    IdentifierError,
    check_credit_code,
    check_id_number,
    credit_code_check_char,
    id_check_char,
    mask_id_number,
)


def test_credit_code_worked_example():
    assert check_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_credit_code_with_a_wrong_check_character_names_the_right_one():
    with pytest.raises(IdentifierError) as exc:
        check_credit_code("91350100M000100Y4Z")
    assert exc.value.code == "invalid_credit_code"
    assert "“3”" in str(exc.value.message)


@pytest.mark.parametrize(
    "raw",
    [
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width, as typed in some input methods
        " 91350100m000100y43 ",
        "91350100 M000100 Y43",
    ],
)
def test_credit_code_is_normalised(raw: str):
    assert check_credit_code(raw) == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("91350100M000100Y4", "17 characters"),
        ("9135010OM000100Y43", "letter O"),
        ("91350100I000100Y43", "letter I"),
        ("913501A0M000100Y43", "letter in the area code"),
    ],
)
def test_malformed_credit_codes_are_refused(raw: str, why: str):
    with pytest.raises(IdentifierError):
        check_credit_code(raw)


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=10, max_size=10), st.integers(0, 999999))
def test_a_computed_check_character_always_validates(tail: str, area: int):
    first17 = f"92{area:06d}" + tail[:9]
    code = first17 + credit_code_check_char(first17)
    assert check_credit_code(code) == code
    # Any other last character fails.
    wrong = next(c for c in CREDIT_CODE_ALPHABET if c != code[-1])
    with pytest.raises(IdentifierError):
        check_credit_code(first17 + wrong)


def test_id_number_worked_examples():
    assert check_id_number("11010519491231002X") == ("11010519491231002X", False)
    assert check_id_number("11010519491231002x") == ("11010519491231002X", False)
    assert check_id_number("440524188001010014") == ("440524188001010014", False)
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


def test_id_number_check_digit_and_birth_date():
    with pytest.raises(IdentifierError) as exc:
        check_id_number("110105194912310021")
    assert "“X”" in str(exc.value.message)
    with pytest.raises(IdentifierError, match="birth date"):
        check_id_number("110105194913310021")  # month 13
    with pytest.raises(IdentifierError, match="birth date"):
        number = "11010530001231002"
        check_id_number(number + id_check_char(number))  # born in the year 3000
    with pytest.raises(IdentifierError):
        check_id_number("1101051949123100")


def test_legacy_15_digit_numbers_are_accepted_and_flagged():
    assert check_id_number("110105491231002") == ("110105491231002", True)


def test_masking():
    assert mask_id_number("110105194912311234") == "110105********1234"
