import pytest

from badges.codes import CODE_RE, MalformedCode, TamperedCode, new_code, parse_code


def test_new_code_parses_back_to_its_event():
    code = new_code(event_id=123456)

    parsed = parse_code(code)

    assert parsed.event_id == 123456
    assert CODE_RE.match(code)
    assert len(code) <= 45


def test_new_codes_differ():
    assert len({new_code(event_id=1) for _ in range(1000)}) == 1000


def test_parse_code_accepts_lower_case_and_spaces():
    code = new_code(event_id=7)

    assert parse_code(f"  {code.lower()} ").event_id == 7


def test_every_single_character_change_is_refused():
    code = new_code(event_id=42)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-01"

    for position, original in enumerate(code):
        for replacement in alphabet:
            if replacement == original:
                continue
            changed = code[:position] + replacement + code[position + 1 :]
            with pytest.raises((MalformedCode, TamperedCode)):
                parse_code(changed)


@pytest.mark.parametrize("raw", ["", "hello", "https://example.org/", "1-ABC-DEF", "X" * 500])
def test_made_up_codes_are_malformed(raw):
    with pytest.raises(MalformedCode):
        parse_code(raw)


def test_forged_check_is_tampered():
    event_part, secret, _check = new_code(event_id=5).split("-")

    with pytest.raises(TamperedCode):
        parse_code(f"{event_part}-{secret}-AAAAAAAAAA")
