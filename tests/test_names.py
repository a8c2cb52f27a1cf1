"""Names fitted to a system's rules: readable when they fit, a stable hash suffix when they had
to change, and never two originals on one name."""

from __future__ import annotations

from flowc.targets.names import HASH_LENGTH, NameRules, assign

KEBAB = NameRules(limit=20, allowed="a-z0-9-")


def test_names_that_fit_stay_readable() -> None:
    assert KEBAB.fit("train_model") == "train-model"
    assert KEBAB.fit("train/body") == "train-body"
    assert KEBAB.fit("Train") == "train"


def test_changed_or_long_names_get_a_stable_hash_suffix() -> None:
    long = KEBAB.fit("a_very_long_step_name_indeed")
    assert len(long) <= 20 and long.startswith("a-very-long")
    assert long == KEBAB.fit("a_very_long_step_name_indeed")  # stable
    assert KEBAB.fit("_private") == "private"  # only edges and `_` changed: readable
    odd = KEBAB.fit("straße")
    assert odd.startswith("stra-e-") and len(odd) == len("stra-e-") + HASH_LENGTH
    assert KEBAB.ok(long) and KEBAB.ok(odd)


def test_collisions_get_distinct_names() -> None:
    names = assign(KEBAB, ["Train", "train", "other"])
    assert len(set(names.values())) == 3
    assert names["other"] == "other"
    assert all(KEBAB.ok(name) for name in names.values())


def test_taken_names_are_never_given() -> None:
    names = assign(KEBAB, ["main", "x"], taken=["main"])
    assert names["main"] != "main" and names["x"] == "x"
