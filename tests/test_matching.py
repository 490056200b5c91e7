"""Matching (マッチング): proposals of offer/want × concern pairs."""

from __future__ import annotations

from server.matching.proposals import propose

BOARD = [
    (1, "offer", "車で病院への送迎ができます"),
    (2, "offer", "料理が得意です"),
    (3, "want", "パソコン教室を開きたい"),
    (4, "concern", "通院の足がなくて困っている"),
    (5, "concern", "スマホの使い方がわからない"),
    (6, "concern", "夜道が暗くて怖い"),
    (7, "idea", "送迎の仕組みをつくる"),
]


def test_an_offer_of_transport_answers_a_concern_about_getting_to_hospital() -> None:
    found = propose(BOARD)
    pairs = [(p.offer_id, p.concern_id) for p in found]
    assert (1, 4) in pairs
    assert (3, 5) in pairs
    best_for_hospital = next(p for p in found if p.concern_id == 4)
    assert best_for_hospital.offer_id == 1
    assert best_for_hospital.shared or best_for_hospital.theme  # says why
    assert found == sorted(found, key=lambda p: -p.score)


def test_unrelated_pairs_ideas_and_decided_pairs_are_not_proposed() -> None:
    found = propose(BOARD, exclude={(1, 4)})
    pairs = {(p.offer_id, p.concern_id) for p in found}
    assert (1, 4) not in pairs  # decided already
    assert (2, 6) not in pairs and (2, 5) not in pairs  # cooking does not light a dark road or teach phones
    assert all(o != 7 and c != 7 for o, c in pairs)  # ideas are neither side
    assert propose([(1, "offer", "車を出せます")]) == []
    assert propose([(1, "concern", "通院できない"), (2, "idea", "送迎")]) == []
