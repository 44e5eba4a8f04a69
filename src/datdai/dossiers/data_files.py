"""Reading the services' TOML data files (catalog, calendar overrides): a given path or the
bundled file, with errors that name the file."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any


def read_toml(path: str | Path | None, bundled: str,
              error: type[Exception]) -> tuple[dict[str, Any], str]:
    """(data, name) of ``path``, or of ``datdai/dossiers/data/<bundled>`` when None; a missing,
    unreadable or malformed file raises ``error`` naming it."""
    if path is None:
        name = f"datdai/dossiers/data/{bundled}"
        text = resources.files("datdai.dossiers").joinpath(f"data/{bundled}").read_text("utf-8")
    else:
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise error(f"{name}: không tìm thấy tệp / file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise error(f"{name}: không đọc được tệp / cannot read: {exc}") from None
    try:
        return tomllib.loads(text), name
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{name}: không đúng cú pháp TOML / invalid TOML: {exc}") from None
