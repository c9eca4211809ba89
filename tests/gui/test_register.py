"""Registering a walk-in patient from the window (Ctrl+N), keyboard only."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from pos_app.gui.register_dialog import parse_dob, split_search
from pos_app.services.patients import show_patient
from tests.gui.conftest import activate, press, type_into

TODAY = date(2025, 6, 1)


def _open_register(qtbot, till):
    press(qtbot, till.controller.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: till.controller.register_dialog is not None)
    dialog = till.controller.register_dialog
    activate(qtbot, dialog)
    return dialog


def test_ctrl_n_registers_the_walk_in_searched_for_and_opens_them(qtbot, till):
    window = till.controller.window
    qtbot.keyClicks(window.search_edit, "Zawadi Mwangi")
    qtbot.waitUntil(window.search_hint.isVisible)
    dialog = _open_register(qtbot, till)
    assert dialog.edits["name"].text() == "Zawadi Mwangi"
    assert dialog.focusWidget() is dialog.edits["mrn"], "the first empty field takes the keys"
    assert not dialog.confirm_button.isEnabled()
    qtbot.keyClicks(dialog.edits["mrn"], "WALK001")
    type_into(qtbot, dialog.edits["phone"], "0722 555 010")
    type_into(qtbot, dialog.edits["dob"], "14/03/2019")
    qtbot.keyClick(dialog.edits["dob"], Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            till.controller.detail is not None and till.controller.detail.patient.mrn == "WALK001"
        )
    )
    assert not dialog.isVisible()
    assert window.name_label.text() == "Zawadi Mwangi"
    saved = show_patient(till.books.app.uow(), actor=till.books.cashier, mrn="WALK001").patient
    assert (saved.name, saved.phone, saved.dob) == (
        "Zawadi Mwangi",
        "0722 555 010",
        date(2019, 3, 14),
    )


def test_a_taken_mrn_is_refused_in_place_and_nothing_is_lost(qtbot, till):
    till.books.patient("MRN900", name="Someone Else")
    dialog = _open_register(qtbot, till)
    qtbot.keyClicks(dialog.edits["mrn"], "MRN900")
    type_into(qtbot, dialog.edits["name"], "Baraka Ouma")
    qtbot.keyClick(dialog.edits["name"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "already exists" in dialog.message_label.text())
    assert dialog.isVisible() and dialog.edits["name"].text() == "Baraka Ouma"
    assert till.books.count("patients") == 1


def test_an_unreadable_date_of_birth_keeps_register_disabled_and_says_why(qtbot, till):
    dialog = _open_register(qtbot, till)
    qtbot.keyClicks(dialog.edits["mrn"], "WALK002")
    type_into(qtbot, dialog.edits["name"], "Neema Chebet")
    assert dialog.confirm_button.isEnabled()
    type_into(qtbot, dialog.edits["dob"], "31/02/2019")
    assert not dialog.confirm_button.isEnabled()
    assert "2019-03-14 or 14/03/2019" in dialog.message_label.text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("2019-03-14", date(2019, 3, 14)),
        (" 14/03/2019 ", date(2019, 3, 14)),
    ],
)
def test_dates_of_birth_as_cashiers_type_them(text, expected):
    assert parse_dob(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2030-01-01", "14-03-2019", "yesterday", "2019-02-30"])
def test_dates_of_birth_that_are_refused(text):
    with pytest.raises(ValueError):
        parse_dob(text, TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zawadi", {"name": "Zawadi"}),
        ("mrn204", {"mrn": "MRN204"}),
        ("0722 555010", {"phone": "0722 555010"}),
        ("  ", {}),
    ],
)
def test_what_was_searched_for_goes_to_its_field(text, expected):
    assert split_search(text) == expected
