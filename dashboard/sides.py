"""Which side an actor stands on (NATO, Russia or Other), and so the side of a place's or system's operator.

The actors table holds each actor's side; an id the table does not know, and a missing operator, count as Other.
"""

from __future__ import annotations

import pandas as pd

SIDES = ("NATO", "Russia", "Other")
OTHER = "Other"


def actor_sides(actors: pd.DataFrame) -> dict[str, str]:
    """actor_id → side, from the actors table (for lookups with `.get(actor_id, OTHER)`)."""
    return dict(zip(actors["actor_id"], actors["side"], strict=True))


def side_of(operators: pd.Series, actors: pd.DataFrame) -> pd.Series:
    """The side of each actor id in `operators` (aligned with it); unknown or missing ids count as Other."""
    return operators.map(actor_sides(actors)).fillna(OTHER).astype(str)
