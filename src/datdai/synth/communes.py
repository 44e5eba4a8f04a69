"""Choosing the communes of the synthetic province from the real reference list."""

from __future__ import annotations

import random
from dataclasses import dataclass

from datdai.kernel.admin_units import old_communes
from datdai.synth.config import MIN_COMMUNES, PARCELS_PER_COMMUNE
from datdai.synth.population import Place

# commune class → share of its parcels per sheet kind (geometry.SHEET_KINDS)
SHEET_MIX: dict[str, dict[str, float]] = {
    "phuong": {"urban": 0.75, "town": 0.25},
    "thitran": {"town": 0.5, "village": 0.25, "farm": 0.25},
    "xa": {"village": 0.35, "farm": 0.55, "forest5": 0.10},
    "xa_rung": {"village": 0.15, "farm": 0.30, "forest5": 0.30, "forest10": 0.25},
}
_WEIGHT = {"phuong": 1.2, "thitran": 1.0, "xa": 1.0, "xa_rung": 0.9}
STREETS = (
    "Đường Hùng Vương", "Đường Trần Hưng Đạo", "Đường Lê Duẩn", "Đường Phú Riềng Đỏ",
    "Đường Nguyễn Huệ", "Đường Lê Lợi", "Đường Quang Trung", "Đường Trường Chinh",
    "Đường Nguyễn Văn Linh", "Đường Hai Bà Trưng", "Quốc lộ 14", "Quốc lộ 13",
    "Đường Điện Biên Phủ", "Đường Lý Thường Kiệt", "Đường Tôn Đức Thắng", "Đường ĐT 741",
)
_SOC = ("Sóc Bom Bo", "Sóc Lớn", "Sóc Bưng Đìa", "Sóc Ruộng", "Sóc Giếng", "Sóc Bù Ka")


@dataclass(slots=True)
class CommunePlan:
    code: str
    klass: str  # phuong / thitran / xa / xa_rung
    n_parcels: int
    place: Place
    lat: float
    lon: float
    is_urban: bool
    streets: tuple[str, ...] = ()


def _with_kind(name: str, kind: str) -> str:
    return name if name.startswith(("Tỉnh", "Thành phố")) else f"{kind} {name}"


def select_communes(rng: random.Random, province: str, n_parcels: int) -> list[CommunePlan]:
    """Communes for ``n_parcels`` parcels: one per ~1,500 parcels (at least 3), mixing urban
    wards, a township and rural communes, with the largest rural commune as the forest one."""

    units = sorted(old_communes(province), key=lambda u: u.code)
    if not units:
        raise ValueError(f"không có danh sách xã của tỉnh '{province}' / no communes")
    k = min(len(units), max(MIN_COMMUNES, int(round(n_parcels / PARCELS_PER_COMMUNE))))
    wards = [u for u in units if u.kind == "Phường"]
    towns = [u for u in units if u.kind == "Thị trấn"]
    rural = [u for u in units if u.kind not in ("Phường", "Thị trấn")]

    chosen: list[tuple[object, str]] = []
    if rural:
        forest = max(rural, key=lambda u: _bbox_area(u.bounds))
        chosen.append((forest, "xa_rung"))
        rural = [u for u in rural if u.code != forest.code]
    n_wards = min(len(wards), max(1, int(round(k * 0.2))))
    for u in rng.sample(wards, n_wards):
        chosen.append((u, "phuong"))
    if towns and len(chosen) < k:
        chosen.append((rng.choice(towns), "thitran"))
    rest = rng.sample(rural, min(len(rural), max(0, k - len(chosen))))
    chosen += [(u, "xa") for u in rest]
    if len(chosen) < k:  # a province short of rural communes: take what is left
        left = [u for u in units if u.code not in {c.code for c, _ in chosen}]
        for u in rng.sample(left, min(len(left), k - len(chosen))):
            chosen.append((u, "phuong" if u.kind == "Phường" else
                           "thitran" if u.kind == "Thị trấn" else "xa"))
    chosen.sort(key=lambda t: t[0].code)

    weights = [_WEIGHT[kl] for _, kl in chosen]
    counts = _split(n_parcels, weights)
    plans = []
    for (u, kl), n in zip(chosen, counts):
        if kl in ("phuong", "thitran"):
            villages = tuple(f"Khu phố {i}" for i in range(1, rng.randint(4, 9) + 1))
            streets = tuple(rng.sample(STREETS, 4))
        else:
            word = "Thôn" if rng.random() < 0.4 else "Ấp"
            villages = tuple(f"{word} {i}" for i in range(1, rng.randint(5, 12) + 1))
            if rng.random() < 0.3:
                villages += (rng.choice(_SOC),)
            streets = ()
        place = Place(
            code=u.code, name=u.name, district=u.district_name,
            province=_with_kind(u.province_name, "Tỉnh"), new_name=u.new_name,
            new_province=_with_kind(u.new_province_name, "Tỉnh"), villages=villages,
        )
        plans.append(CommunePlan(code=u.code, klass=kl, n_parcels=n, place=place,
                                 lat=float(u.lat), lon=float(u.lon), is_urban=bool(u.is_urban),
                                 streets=streets))
    return plans


def _bbox_area(bounds) -> float:
    if not bounds:
        return 0.0
    return (bounds[2] - bounds[0]) * (bounds[3] - bounds[1])


def _split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights summing exactly to total (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out
