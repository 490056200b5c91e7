"""World-café rounds (ワールドカフェ): who sits where in the next round.

The host of each table (テーブルホスト) stays; everyone else moves so that, where it can be
avoided, nobody sits again with someone they already shared a table with (a host included), and
affiliations spread over the tables. Pure: the same seating, hosts and seed give the same answer.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Mapping


def pairs_at(seating: Mapping[int, int | None]) -> set[frozenset[int]]:
    """Every pair of people who sit at the same table now (they have met)."""
    by_table: dict[int, list[int]] = {}
    for person, table in seating.items():
        if table is not None:
            by_table.setdefault(table, []).append(person)
    return {
        frozenset((a, b))
        for people in by_table.values()
        for i, a in enumerate(people)
        for b in people[i + 1 :]
    }


def reshuffle(
    seating: Mapping[int, int | None],
    tables: Collection[int],
    *,
    hosts: Collection[int] = (),
    met: Collection[frozenset[int]] = (),
    affiliations: Mapping[int, str] | None = None,
    seed: int = 0,
) -> dict[int, int]:
    """The next round's table of everyone in ``seating`` (person -> table now, or None).

    Hosts keep their table. The others are placed one by one (those sharing an affiliation
    first), in an order drawn from ``seed``,
    at the table with room where they would meet the fewest people they have met (``met``, and
    everyone at their own table now), then where their affiliation is rarest, then not the table
    they leave, then the emptiest; the remaining ties are drawn from ``seed``. Tables fill evenly
    (no table gets more than its share, rounded up)."""
    order = sorted(tables)
    if not order:
        return {}
    known = set(met) | pairs_at(seating)
    share = math.ceil(len(seating) / len(order))
    rng = random.Random(seed)
    placed: dict[int, list[int]] = {table: [] for table in order}
    result: dict[int, int] = {}
    for host in sorted(hosts):
        table = seating.get(host)
        if table in placed:
            placed[table].append(host)
            result[host] = table
    movers = sorted(person for person in seating if person not in result)
    rng.shuffle(movers)
    labels = affiliations or {}
    # The most constrained first: people whose affiliation others share (they spread while every
    # table still has room), then the rest, each group in the drawn order.
    shared = {label for label in labels.values() if label and list(labels.values()).count(label) > 1}
    movers.sort(key=lambda person: labels.get(person, "") not in shared)
    for person in movers:
        tie = {table: rng.random() for table in order}

        def cost(table: int, person: int = person, tie: dict[int, float] = tie) -> tuple[float, ...]:
            here = placed[table]
            again = sum(1 for other in here if frozenset((person, other)) in known)
            label = labels.get(person, "")
            same = sum(1 for other in here if label and labels.get(other, "") == label)
            stays = 1 if seating.get(person) == table else 0
            return (again, same, stays, len(here), tie[table])

        open_tables = [table for table in order if len(placed[table]) < share] or order
        best = min(open_tables, key=cost)
        placed[best].append(person)
        result[person] = best
    return result


def repeated_pairs(seating: Mapping[int, int], met: Collection[frozenset[int]]) -> set[frozenset[int]]:
    """The pairs in ``seating`` who have met before: what a reshuffle keeps as few as it can."""
    return pairs_at(dict(seating)) & set(met)
