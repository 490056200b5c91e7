"""The ten districts as the city's plan lists them (町田市地域ホッとプラン), and the city-wide scope.

A migration inserts these rows, so every database has them; ids are stable slugs used in URLs.
"""

CITY_WIDE_ID = "city"

DISTRICTS: list[tuple[str, str, str]] = [
    ("minami", "南地区", "Minami"),
    ("kogasaka-naruse", "高ヶ坂・成瀬地区", "Kōgasaka-Naruse"),
    ("machida-1", "町田第一地区", "Machida Daiichi"),
    ("machida-2", "町田第二地区", "Machida Daini"),
    ("tamagawagakuen-minamiooya", "玉川学園・南大谷地区", "Tamagawa-gakuen-Minami-Ōya"),
    ("kiso", "木曽地区", "Kiso"),
    ("tadao", "忠生地区", "Tadao"),
    ("tsurukawa", "鶴川地区", "Tsurukawa"),
    ("oyama", "小山地区", "Oyama"),
    ("aihara", "相原地区", "Aihara"),
]


def district_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"id": id_, "name": name, "reading": reading, "position": i + 1, "is_city_wide": False}
        for i, (id_, name, reading) in enumerate(DISTRICTS)
    ]
    rows.append(
        {"id": CITY_WIDE_ID, "name": "市全域", "reading": "City-wide", "position": 99, "is_city_wide": True}
    )
    return rows


_READINGS = {name: reading for _, name, reading in DISTRICTS} | {"市全域": "City-wide"}


def district_label(name: str) -> str:
    """A district's name in the viewer's language: 鶴川地区 / Tsurukawa district.

    The Japanese name is the data (stored, exported); English shows the romanisation.
    """
    from server.i18n import N_, get_locale  # late: i18n reads config only

    if get_locale() == "ja" or name not in _READINGS:
        return name
    if name == "市全域":
        return str(N_("市全域"))
    return str(N_("%(name)s地区", name=_READINGS[name]))
