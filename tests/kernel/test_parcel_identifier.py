"""The parcel identifier: official when supplied, else the provisional key of the pluggable
generator (default commune-sheet-parcel)."""

from __future__ import annotations

import pytest

from datdai.kernel.errors import InvalidInput
from datdai.kernel.parcel_identifier import ENV, ParcelIdentifier, parcel_identifier


def test_official_wins_else_provisional(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert parcel_identifier("70250120001", "25216", 12, 1) == ParcelIdentifier("70250120001", True)
    assert parcel_identifier(None, "25216", 12, 1) == ParcelIdentifier("25216-12-1", False)
    assert parcel_identifier("  ", "25216", 12, 1).official is False


def test_a_generator_plugged_in(monkeypatch):
    monkeypatch.setenv(ENV, "tests.kernel.test_parcel_identifier:padded")
    assert parcel_identifier(None, "25216", 12, 1) == ParcelIdentifier("25216.012.00001", False)
    monkeypatch.setenv(ENV, "tests.kernel.test_parcel_identifier:missing")
    with pytest.raises(InvalidInput, match=ENV):
        parcel_identifier(None, "25216", 12, 1)


def padded(commune: str, sheet: int, parcel: int) -> str:
    return f"{commune}.{sheet:03d}.{parcel:05d}"
