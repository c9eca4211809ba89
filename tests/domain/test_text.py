"""One normalisation for references, and control characters kept out of input and output."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.errors import BadInput
from pos_app.domain.text import (
    reference_key,
    refuse_controls,
    spreadsheet_safe,
    strip_controls,
    terminal_safe,
)
from tests.helpers.references import references, variants


@given(st.data(), references)
def test_every_spelling_of_a_reference_has_the_same_key(data, reference):
    variant = data.draw(variants(reference))
    assert reference_key(variant) == reference_key(reference) == reference.casefold()


@pytest.mark.parametrize(
    "spelling",
    ["QK71XR", "qk71xr", "qk71xr\u200b", "ＱＫ７１ｘｒ", " qk 71\u00a0xr\ufeff", "q\u034fk71xr"],
)
def test_the_issue_s_spellings_of_one_mobile_money_id_are_one_key(spelling):
    assert reference_key(spelling) == "qk71xr"


@given(st.text())
def test_the_key_of_a_key_is_itself(text):
    assert reference_key(reference_key(text)) == reference_key(text)


def test_different_references_keep_different_keys():
    assert reference_key("QK71XR") != reference_key("QK71XS")


@pytest.mark.parametrize(
    "text", ["Zoë\x1bp\x00\x19", "bell\x07", "tab\there", "line\nbreak", "del\x7f", "csi\x9b31m"]
)
def test_control_characters_are_refused_at_input_as_invalid_text(text):
    with pytest.raises(BadInput) as refused:
        refuse_controls(text, what="patient's name")
    assert refused.value.code == "invalid_text"
    assert "patient's name" in refused.value.message


def test_text_without_controls_passes_unchanged():
    assert refuse_controls("Wanjirũ Kamau-O'Neil", what="name") == "Wanjirũ Kamau-O'Neil"


def test_renderers_strip_controls_and_the_terminal_keeps_its_line_breaks():
    assert strip_controls("Zoë\x1bp\x00\x19\xfa\x07") == "Zoëpú"
    assert terminal_safe("a\x1b]0;owned\x07\nb\x9b2J") == "a]0;owned\nb2J"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-150.00", "-150.00"),
        ("+7", "+7"),
        ("Radiology", "Radiology"),
        ("", ""),
    ],
)
def test_a_csv_cell_that_starts_like_a_formula_gets_an_apostrophe(cell, safe):
    assert spreadsheet_safe(cell) == safe
