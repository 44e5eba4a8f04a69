"""Candidate pairs for the probabilistic stage: several independent blocking keys, none of which
may grow with how common a value is.

Each rule pairs an owner with the citizens that share all of its key columns. A key value that
more than :data:`CAP` citizens share (the given name "anh" with a birth year, in a register of
millions) is not used by that rule — the pairs it would give are too many and each tells little
— and the owners concerned are reached through the other rules, which combine the name with the
birth date, the commune, the house number or the ID number's digits. The cost of each rule is
therefore at most :data:`CAP` pairs per owner, whatever the data.

The run reports the pairs each rule gave, the owners left without any candidate, and the
blocking recall measured on the pairs the ID stages found: the share of those true pairs the
rules would have proposed (:func:`label_recall`).
"""

from __future__ import annotations

from dataclasses import dataclass

CAP = 30  # citizens sharing a key value, beyond which a rule does not use that value


@dataclass(frozen=True)
class Rule:
    code: str
    text: str  # Vietnamese, for the run's summary
    on: tuple[tuple[str, str], ...]  # (owner column, citizen column)


def _same(*cols: str) -> tuple[tuple[str, str], ...]:
    return tuple((c, c) for c in cols)


DATE = ("nam", "thang", "ngay")
RULES = (
    Rule("ten", "họ tên", _same("ten_khoa")),
    Rule("ten_nam", "họ tên + năm sinh", _same("ten_khoa", "nam")),
    Rule("ten_xa", "họ tên + xã thường trú", (*_same("ten_khoa"), ("a1_xa", "a1_xa"))),
    Rule("ten_xa_o", "họ tên + xã nơi ở", (*_same("ten_khoa"), ("a1_xa", "a2_xa"))),
    Rule("ten_sap_nam", "các tiếng của họ tên (mọi thứ tự) + năm sinh", _same("ten_sap", "nam")),
    Rule("ho_tenrieng", "họ + tên", _same("ho", "ten")),
    Rule("ho_ten_nam", "họ + tên + năm sinh", _same("ho", "ten", "nam")),
    Rule("ho_dem_nam", "họ + tên đệm + năm sinh", _same("ho", "dem", "nam")),
    Rule("dem_ten_nam", "tên đệm + tên + năm sinh", _same("dem", "ten", "nam")),
    Rule("tenrieng_nam", "tên + năm sinh", _same("ten", "nam")),
    Rule("tenrieng_nam_xa", "tên + năm sinh + xã", (*_same("ten", "nam"), ("a1_xa", "a1_xa"))),
    Rule("ho_nam_xa", "họ + năm sinh + xã", (*_same("ho", "nam"), ("a1_xa", "a1_xa"))),
    Rule("ngay_sinh", "ngày sinh", _same(*DATE)),
    Rule("ho_ngay_sinh", "họ + ngày sinh", _same("ho", *DATE)),
    Rule("tenrieng_ngay_sinh", "tên + ngày sinh", _same("ten", *DATE)),
    Rule("ho_so_nha", "họ + số nhà", _same("ho", "a1_so")),
    Rule("tenrieng_so_nha", "tên + số nhà", _same("ten", "a1_so")),
    Rule("dia_chi", "đầu địa chỉ thường trú", (("a1_dau", "a1_dau"),)),
    Rule("dia_chi_o", "đầu địa chỉ nơi ở", (("a1_dau", "a2_dau"),)),
    # the address's words without its numbers (a house number mistyped or changed) + birth year
    Rule("pho_nam", "chữ của địa chỉ thường trú + năm sinh", (("a1_pho", "a1_pho"), ("nam", "nam"))),
    Rule("pho_o_nam", "chữ của địa chỉ nơi ở + năm sinh", (("a1_pho", "a2_pho"), ("nam", "nam"))),
    Rule("ho_pho", "họ + chữ của địa chỉ thường trú", (("ho", "ho"), ("a1_pho", "a1_pho"))),
    Rule("cccd_duoi", "6 số cuối CCCD", _same("cccd_duoi")),
    Rule("cccd_dau", "9 số đầu CCCD", _same("cccd_dau")),
    Rule("cmnd_duoi", "5 số cuối CMND + tên", _same("cmnd_duoi", "ten")),
    Rule("cmnd_dau", "5 số đầu CMND + tên", _same("cmnd_dau", "ten")),
)


def _on(rule: Rule, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{a} = {right}.{b}" for a, b in rule.on)


def _big(rule: Rule) -> str:
    return f"blk_big_{rule.code}"


def block(be, owners: str, citizens: str, cap: int = CAP, extra: str | None = None,
          also: str | None = None) -> dict:
    """Create table ``cand`` (``uid_l``, ``uid_r``, ``bl``: bit k set when rule k proposed the
    pair) for the owners of table ``owners`` against ``citizens``; ``extra`` names a table of
    further pairs (``uid_l``, ``uid_r``) to score (the ID stages' disputed pairs, bit 62).
    The key values too common to use are counted only among the values the owners (and the
    owners of table ``also``, whose recall :func:`label_recall` measures) carry.
    Returns per-rule pair counts and the number of owners without candidates."""
    parts = []
    seekers = owners if also is None else f"(SELECT * FROM {owners} UNION ALL SELECT * FROM {also})"
    for k, rule in enumerate(RULES):
        right_cols = [b for _, b in rule.on]
        nonnull = " AND ".join(f"r.{c} IS NOT NULL" for c in right_cols)
        wanted = ", ".join(f"{a} AS {b}" for a, b in rule.on)
        be.create(_big(rule), f"""SELECT {', '.join(f'r.{c}' for c in right_cols)}
            FROM {citizens} r SEMI JOIN (SELECT DISTINCT {wanted} FROM {seekers}) s
                ON {' AND '.join(f'r.{c} = s.{c}' for c in right_cols)}
            WHERE {nonnull} GROUP BY {', '.join(f'r.{c}' for c in right_cols)}
            HAVING count(*) > {cap}""")
        big_on = " AND ".join(f"l.{a} = b.{b}" for a, b in rule.on)
        parts.append(f"""SELECT l.uid AS uid_l, r.uid AS uid_r, {1 << k} AS bl
            FROM (SELECT * FROM {owners} l ANTI JOIN {_big(rule)} b ON {big_on}) l
            JOIN {citizens} r ON {_on(rule, 'l', 'r')}""")
    if extra:
        parts.append(f"SELECT uid_l, uid_r, {1 << 62} AS bl FROM {extra}")
    be.create("cand_all", "\nUNION ALL\n".join(parts))
    be.create("cand", "SELECT uid_l, uid_r, bit_or(bl) AS bl FROM cand_all GROUP BY uid_l, uid_r")
    counts = {}
    sums = ", ".join(f"sum(CASE WHEN bl & {1 << k} <> 0 THEN 1 ELSE 0 END) AS r{k}"
                     for k in range(len(RULES)))
    row = be.row(f"SELECT count(*), {sums} FROM cand")
    for k, rule in enumerate(RULES):
        counts[rule.code] = int(row[k + 1] or 0)
    n_owners = int(be.scalar(f"SELECT count(*) FROM {owners}") or 0)
    with_cand = int(be.scalar("SELECT count(DISTINCT uid_l) FROM cand") or 0)
    return {"cap_ung_vien": int(row[0] or 0), "theo_quy_tac": counts,
            "dong_can_tim": n_owners, "dong_khong_co_ung_vien": n_owners - with_cand,
            "gioi_han_moi_khoa": cap}


def label_recall(be, labels: str, owners: str, citizens: str) -> dict | None:
    """The blocking recall measured on known true pairs ``labels`` (``uid_l``, ``uid_r``: the
    ID stages' matches): the share the rules would propose, overall and per rule. None when
    there are no labels."""
    n = int(be.scalar(f"SELECT count(*) FROM {labels}") or 0)
    if n == 0:
        return None
    joins, hits = [], []
    for k, rule in enumerate(RULES):
        on = " AND ".join(f"l.{a} = b{k}.{b}" for a, b in rule.on)
        joins.append(f"LEFT JOIN {_big(rule)} b{k} ON {on}")
        hit = f"({_on(rule, 'l', 'r')} AND b{k}.{rule.on[0][1]} IS NULL)"
        hits.append(f"coalesce({hit}, false)")
    per_rule = ", ".join(f"sum(CASE WHEN {h} THEN 1 ELSE 0 END)" for h in hits)
    any_hit = " OR ".join(hits)
    row = be.row(f"""SELECT sum(CASE WHEN {any_hit} THEN 1 ELSE 0 END), {per_rule}
        FROM {labels} x JOIN {owners} l ON l.uid = x.uid_l JOIN {citizens} r ON r.uid = x.uid_r
        {' '.join(joins)}""")
    return {"cap_da_biet": n, "do_phu": (row[0] or 0) / n,
            "theo_quy_tac": {rule.code: (row[k + 1] or 0) / n for k, rule in enumerate(RULES)}}
