"""The parcel identifier (mã thửa đất): the official one when an office has it, otherwise a
**provisional** key made by a pluggable generator.

The format of the official parcel identifier is not published. Until it is, datdai gives every
parcel a provisional key — by default ``<commune code>-<sheet>-<parcel>`` (``25216-12-1``),
unique in a commune's current map, **not** an official identifier, and shown as "tạm thời"
wherever it is shown. It is also the parcel's key in the field survey's entity list.

An office that has its own scheme plugs a generator in with ``DATDAI_PARCEL_ID_GENERATOR`` =
``package.module:function``, a function ``(commune_code, sheet_no, parcel_no) -> str``. An
official identifier supplied with the data (``parcels.identifier``, e.g. from a delivery) always
wins over the generated key.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from datdai.kernel.errors import InvalidInput

Generator = Callable[[str, int, int], str]
ENV = "DATDAI_PARCEL_ID_GENERATOR"


def provisional_key(commune_code: str, sheet_no: int, parcel_no: int) -> str:
    """The default generator: ``25216-12-1`` (provisional, see the module text)."""
    return f"{commune_code}-{sheet_no}-{parcel_no}"


@cache
def _load(spec: str) -> Generator:
    module, _, name = spec.partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise InvalidInput(f"{ENV}='{spec}': không nạp được hàm sinh mã thửa (module:hàm) / "
                           f"cannot load the generator: {exc}") from exc
    if not callable(fn):
        raise InvalidInput(f"{ENV}='{spec}': không phải hàm / not callable")
    return fn


def generator() -> Generator:
    """The generator in force: ``DATDAI_PARCEL_ID_GENERATOR`` when set, else :func:`provisional_key`."""
    spec = os.environ.get(ENV, "").strip()
    return _load(spec) if spec else provisional_key


@dataclass(frozen=True, slots=True)
class ParcelIdentifier:
    value: str
    official: bool  # False: generated, provisional


def parcel_identifier(official: str | None, commune_code: str, sheet_no: int, parcel_no: int) -> ParcelIdentifier:
    """The official identifier when there is one, else the generated provisional key."""
    if official and official.strip():
        return ParcelIdentifier(official.strip(), True)
    return ParcelIdentifier(str(generator()(commune_code, sheet_no, parcel_no)), False)
