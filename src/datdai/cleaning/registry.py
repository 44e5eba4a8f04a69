"""The rule catalog: every module of :mod:`datdai.cleaning.rules` defines one ``RULE``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from datdai.cleaning import rules as rules_pkg
from datdai.cleaning.rule import Rule


@cache
def all_rules() -> tuple[Rule, ...]:
    found: list[Rule] = []
    for info in pkgutil.iter_modules(rules_pkg.__path__):
        module = importlib.import_module(f"{rules_pkg.__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise TypeError(f"{module.__name__} không khai báo RULE / defines no RULE")
        found.append(rule)
    codes = [r.code for r in found]
    dup = {c for c in codes if codes.count(c) > 1}
    if dup:
        raise ValueError(f"mã quy tắc lặp: {sorted(dup)}")
    return tuple(sorted(found, key=lambda r: (r.order, r.code)))


def get_rule(code: str) -> Rule:
    for r in all_rules():
        if r.code == code:
            return r
    raise KeyError(code)
