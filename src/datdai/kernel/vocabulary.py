"""Legacy text that only its column can give away.

Some TCVN3/VNI values read as plausible Vietnamese on their own: VNI "Thò" is a real syllable
(the name is "Thị"), TCVN3 "Hång" and "TÊn" are odd but not impossible, VNI "Taï" looks like
French "Loïc". :func:`datdai.kernel.legacy.detect_legacy` leaves such values alone. A column of
names or addresses knows better: its clean values say which words people are actually called
by. A word is *suspect* in an encoding when decoding it gives a word the column uses at least
``ratio`` times as often (and ``min_count`` times at least). A value is decoded when every word
the decoding changes is suspect in that encoding, and only one of the two encodings fits.
Everything is decided on the column's distinct words, so it costs little on a million rows.

And a column that is mostly in one legacy form (a whole DBF written with .VnTime fonts) is in
that form throughout: when at least ``dominant`` of its non-ASCII values were detected as one
encoding and almost none as the other, every remaining value that decodes in that encoding to
well-formed Vietnamese syllables is decoded too ("Vâ Anh Nam" → "Võ Anh Nam").
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

from datdai.kernel.legacy import TCVN3, VNI, decode_as, is_vietnamese_syllable, restore_name_case

_WORDS = r"[\s,;:.()/\-]+"


@lru_cache(maxsize=200_000)
def _decode_word(word: str, kind: str) -> str:
    return decode_as(word, kind)


def _suspects(counts: dict[str, int], ratio: float, min_count: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {TCVN3: set(), VNI: set()}
    for word, n in counts.items():
        if not word or word.isascii():
            continue
        for kind in (TCVN3, VNI):
            decoded = _decode_word(word, kind)
            if decoded == word or not decoded:
                continue
            m = counts.get(decoded, 0)
            if m >= min_count and m >= ratio * n:
                out[kind].add(word)
    return out


def _dominant_kind(values: pa.Array, kinds: pa.Array, dominant: float) -> str | None:
    non_ascii = pc.sum(pc.invert(pc.fill_null(pc.string_is_ascii(values), True))).as_py() or 0
    if non_ascii == 0:
        return None
    t = pc.sum(pc.equal(kinds, TCVN3)).as_py() or 0
    v = pc.sum(pc.equal(kinds, VNI)).as_py() or 0
    for kind, n, other in ((TCVN3, t, v), (VNI, v, t)):
        if n >= dominant * non_ascii and other <= 0.01 * non_ascii:
            return kind
    return None


def _whole_column(values: pa.Array, kinds: pa.Array, kind: str,
                  restore_case: bool) -> tuple[pa.Array, pa.Array]:
    todo = pc.and_(pc.is_null(kinds), pc.invert(pc.fill_null(pc.string_is_ascii(values), True)))
    rows = pc.indices_nonzero(todo).to_pylist()
    if not rows:
        return values, kinds
    vals, ks = values.to_pylist(), kinds.to_pylist()
    for i in rows:
        decoded = decode_as(vals[i], kind)
        if decoded == vals[i]:
            continue
        words = [w for w in pc.split_pattern_regex(pa.array([decoded.lower()]), _WORDS)[0].as_py()
                 if w and not w.isdigit()]
        if words and all(is_vietnamese_syllable(w) for w in words):
            vals[i] = restore_name_case(decoded) if restore_case else decoded
            ks[i] = kind
    return pa.array(vals, pa.string()), pa.array(ks, pa.string())


def repair_with_column(values: pa.Array, kinds: pa.Array, *, ratio: float = 5.0,
                       min_count: int = 3, dominant: float = 0.5,
                       restore_case: bool = False) -> tuple[pa.Array, pa.Array]:
    """Second pass over a column already repaired value by value (``kinds`` null where nothing
    was found): decode the values the column as a whole gives away."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(kinds, pa.ChunkedArray):
        kinds = kinds.combine_chunks()
    kind = _dominant_kind(values, kinds, dominant)
    if kind is not None:
        values, kinds = _whole_column(values, kinds, kind, restore_case)
    # word counts over the rows, computed on the distinct values (weighted by their counts)
    vc = pc.value_counts(pc.filter(values, pc.is_null(kinds)))
    uniq, n_rows = vc.field("values"), vc.field("counts")
    split = pc.split_pattern_regex(pc.fill_null(uniq, ""), _WORDS)
    words = pa.table({"w": pc.list_flatten(split),
                      "n": pc.take(n_rows, pc.list_parent_indices(split))})
    agg = words.group_by("w").aggregate([("n", "sum")])
    counts = dict(zip(agg["w"].to_pylist(), agg["n_sum"].to_pylist()))
    suspects = _suspects(counts, ratio, min_count)
    every = suspects[TCVN3] | suspects[VNI]
    if not every:
        return values, kinds
    fixes: dict[str, tuple[str, str]] = {}
    hit = pc.is_in(words["w"], value_set=pa.array(sorted(every), pa.string()))
    rows = pc.unique(pc.filter(pc.list_parent_indices(split), hit))
    for text, ws in zip(pc.take(uniq, rows).to_pylist(), pc.take(split, rows).to_pylist()):
        ws = [w for w in ws if w]
        fits = []
        for kind in (TCVN3, VNI):
            moved = [w for w in ws if _decode_word(w, kind) != w]
            if moved and all(w in suspects[kind] for w in moved):
                fits.append((kind, decode_as(text, kind)))
        if len(fits) == 1:
            kind, decoded = fits[0]
            fixes[text] = (restore_name_case(decoded) if restore_case else decoded, kind)
    if not fixes:
        return values, kinds
    mask = pc.and_(pc.is_null(kinds), pc.is_in(values, value_set=pa.array(list(fixes))))
    hit = pc.filter(values, mask).to_pylist()
    values = pc.replace_with_mask(values, mask, pa.array([fixes[v][0] for v in hit], pa.string()))
    kinds = pc.replace_with_mask(kinds, mask, pa.array([fixes[v][1] for v in hit], pa.string()))
    return values, kinds
