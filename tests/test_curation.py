"""The curation rules: broken invariants and stale links are found, named, and reported by `--check`."""

from __future__ import annotations

import pytest

from dashboard import curation, data, schema
from tests import fixtures


@pytest.mark.parametrize(
    ("url", "mirror"),
    [
        ("https://wiki.studentb.eu/view_html.php?q=Baltic_Sea", "wiki.studentb.eu"),
        ("http://ukobiw.net./archives/la-xpm-1989-10-28-mn-669-story.html", "ukobiw.net"),
        ("http://cache.nohib.com./archives/x.html", "nohib.com"),
        ("https://www.wikiwand.com/en/Kerch_Strait", "wikiwand.com"),
        ("https://en.wikipedia.org/wiki/Kerch_Strait", None),
        ("https://www.latimes.com/archives/x.html", None),
        ("https://notwikiwand.com/page", None),
    ],
)
def test_mirror_sites_are_recognised_by_domain(url, mirror):
    assert curation.mirror_of(url) == mirror


def _dataset(tmp_path, **tables):
    folder = fixtures.write_dataset(tmp_path / "data")
    for name, rows in tables.items():
        fixtures.write_table(folder, name, rows)
    return folder, data.load_dataset(folder)


def test_the_fixture_data_keeps_every_rule(tmp_path):
    _, ds = _dataset(tmp_path)
    assert curation.invariant_problems(ds) == []
    assert curation.stale_links(ds) == []


def test_a_status_that_contradicts_the_range_is_named(tmp_path):
    missiles = fixtures.missiles()
    missiles[1].update(inf_status=schema.INF_STATUS_OUTSIDE_BAND, range_km_min="500", range_km_max="500")
    claims = [dict(c, range_km="500") if c["system_id"] == "pershing2" else c for c in fixtures.range_claims()]
    _, ds = _dataset(tmp_path, missiles=missiles, range_claims=claims)
    found = [str(p) for p in curation.invariant_problems(ds)]
    assert found == [
        "data/missiles.csv: 'pershing2': inf_status says outside the band but its headline range (500 km) is "
        "shorter-range (500–1,000 km)"
    ]


def test_a_ring_drawn_at_a_press_figure_over_a_reference_one_is_named(tmp_path):
    missiles = fixtures.missiles()
    claims = fixtures.range_claims() + [
        {
            **fixtures.range_claims()[0],
            "claim_id": "9m729-outlet",
            "claimant": "One outlet",
            "source_kind": "press",
            "range_km": "5500",
        }
    ]
    missiles[0].update(range_km_max="5500")
    _, ds = _dataset(tmp_path, missiles=missiles, range_claims=claims)
    found = [str(p) for p in curation.invariant_problems(ds)]
    assert found == ["data/missiles.csv: '9m729': range_km_max is 5,500 km but the headline rule gives 2,500 km"]


def test_a_floor_stored_as_an_exact_figure_is_named(tmp_path):
    claims = [dict(c, is_lower_bound="true") if c["claim_id"] == "9m729-west" else c for c in fixtures.range_claims()]
    _, ds = _dataset(tmp_path, range_claims=claims)
    found = [str(p) for p in curation.invariant_problems(ds)]
    assert found == ["data/missiles.csv: '9m729': range_km_max is 2,500 km but the headline rule gives more than 2,500 km"]


def test_an_event_id_that_does_not_begin_with_its_date_is_named(tmp_path):
    events = fixtures.events()
    events[0] = {**events[0], "date": "2001-01-01"}
    _, ds = _dataset(tmp_path, events=events)
    found = [str(p) for p in curation.id_date_problems(ds)]
    assert len(found) == 1 and "does not begin with its date, 2001-01-01" in found[0]


def test_check_reports_stale_links_as_warnings_and_broken_rules_as_failures(tmp_path, capsys):
    places = [
        dict(p, source_url="https://wiki.studentb.eu/view_html.php?q=X") if i == 0 else p for i, p in enumerate(fixtures.places())
    ]
    folder, _ = _dataset(tmp_path, places=places)
    assert data.main(["--check", "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "stale link: data/places.csv, column 'source_url'" in out and "wiki.studentb.eu, a mirror site" in out
    assert "OK (1 stale link(s) to replace)" in out
    missiles = fixtures.missiles()
    missiles[0].update(range_km_min="100")
    fixtures.write_table(folder, "missiles", missiles)
    assert data.main(["--check", "--data-dir", str(folder)]) == 1
    assert "'9m729': range_km_min is 100.0 km but its lowest claim is 480.0 km" in capsys.readouterr().err


def test_headline_rule_prefers_reference_works_then_the_operator_then_the_rest():
    assert schema.headline_claims([]) is None
    assert schema.headline_claims([("press", 5500.0, False), ("reference", 2800.0, False), ("operator", 4500.0, False)]) == (
        2800.0,
        False,
    )
    assert schema.headline_claims([("press", 5500.0, False), ("operator", 3000.0, False)]) == (3000.0, False)
    assert schema.headline_claims([("press", 2000.0, False), ("other_government", 1800.0, False)]) == (2000.0, False)
    # An exact figure beats a floor of the same value; a floor alone stays a floor.
    assert schema.headline_claims([("operator", 1000.0, True), ("operator", 1000.0, False)]) == (1000.0, False)
    assert schema.headline_claims([("operator", 1000.0, True)]) == (1000.0, True)
    assert schema.range_label(1000.0, True) == "more than 1,000 km" and schema.range_label(2500.0) == "2,500 km"
