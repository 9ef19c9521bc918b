"""Uploads: every malformed file gets a clear message, good rows are kept, nothing is lost."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import uploads
from dashboard.data import load_dataset, load_regions
from tests.upload_corpus import CASES


@pytest.fixture(scope="module")
def reference():
    return load_dataset(), load_regions()


def test_the_corpus_covers_at_least_40_files():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_file_gets_its_message_and_keeps_its_good_rows(case, reference):
    ds, regions = reference
    result = uploads.read_upload(case.name, case.data, case.kind, ds, regions)
    said = " ".join(result.messages) + " " + " ".join(result.rejects.get("reason", pd.Series(dtype=str)).astype(str))
    assert case.expect in said, said
    assert len(result.accepted) == case.accepted, (said, result.accepted)
    # Nothing is lost: every data row is either accepted or named in the rejects (or the file is refused whole).
    if result.accepted.shape[0] and "line" in result.rejects:
        assert result.accepted.shape[0] + result.rejects["line"].nunique() >= 1


def test_accepted_rows_are_marked_as_the_readers_and_get_regions(reference):
    ds, regions = reference
    case = next(c for c in CASES if c.name == "acled.csv")
    result = uploads.read_upload(case.name, case.data, "events", ds, regions)
    assert result.detected["format"] == "ACLED export"
    ev = result.accepted.set_index("event_id")
    assert ev.loc["acled-UKR1234", "date"] == pd.Timestamp("2022-02-24")
    assert ev.loc["acled-UKR1234", "region"] == "Black Sea"
    assert ev.loc["acled-UKR1234", "actors"] == ["rus"]
    assert set(ev.loc["acled-UKR1235", "actors"]) == {"rus", "ukr"}
    assert ev.loc["acled-UKR1234", "event_type"] == "armed_conflict"
    assert ev["is_user_data"].all()
    assert "3 fatalities" in ev.loc["acled-UKR1235", "summary"]


def test_user_event_region_comes_from_its_coordinates(reference):
    ds, regions = reference
    from tests.upload_corpus import EV_HEADER, EV_ROW2, _csv

    result = uploads.read_upload("e.csv", _csv(EV_HEADER, EV_ROW2), "events", ds, regions)
    assert result.accepted["region"].tolist() == ["Black Sea"]


def test_user_places_can_be_referenced_by_user_events(reference):
    ds, regions = reference
    from tests.upload_corpus import EV_HEADER, EV_ROW, PL_HEADER, PL_ROW, _csv

    places = uploads.read_upload("p.csv", _csv(PL_HEADER, PL_ROW), "places", ds, regions).accepted
    assert places["region"].tolist() == ["Black Sea"]
    ev = _csv(EV_HEADER, EV_ROW.replace(",sofia,", ",my-site,"))
    assert uploads.read_upload("e.csv", ev, "events", ds, regions).accepted.empty
    assert len(uploads.read_upload("e.csv", ev, "events", ds, regions, user_places=places).accepted) == 1


def test_rejects_carry_line_column_reason_and_the_original_cells(reference):
    ds, regions = reference
    case = next(c for c in CASES if c.name == "impossible_date.csv")
    rejects = uploads.read_upload(case.name, case.data, case.kind, ds, regions).rejects
    row = rejects.iloc[0]
    assert row["line"] == 3 and row["column"] == "date"
    assert row["original_event_id"] == "my-2"


def test_templates_round_trip_through_the_upload(reference):
    ds, regions = reference
    example = {
        "event_id": "my-1", "date": "2020-05-01", "title": "T", "summary": "S", "event_type": "exercise", "actors": "bgr",
        "place_id": "sofia", "source_title": "R", "source_publisher": "P", "source_date": "2020-05-01", "source_url": "https://example.org",
    }
    result = uploads.read_upload("t.csv", uploads.template_csv("events", example), "events", ds, regions)
    assert len(result.accepted) == 1 and result.rejects.empty


def test_exports_read_back_through_the_upload(reference):
    """An exported (formula-neutralised) CSV of the curated places uploads again once the ids are new."""
    ds, regions = reference
    from dashboard.export import to_csv_bytes

    frame = ds.places.drop(columns=["geometry", "region"]).assign(place_id=lambda f: "copy-" + f["place_id"])
    result = uploads.read_upload("export.csv", to_csv_bytes(frame), "places", ds, regions)
    assert len(result.accepted) == len(frame), result.rejects.head()
