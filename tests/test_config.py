"""Deployment settings and documentation that must stay true."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _config():
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_streamlit_config_is_safe_for_a_public_deployment():
    cfg = _config()
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["client"]["showErrorDetails"] == "none"
    assert 1 <= cfg["server"]["maxUploadSize"] <= 10
    assert cfg["browser"]["gatherUsageStats"] is False
    # The maps are drawn on km axes from the shipped boundaries: nothing needs serving as a static file.
    assert cfg["server"].get("enableStaticServing", False) is False


def test_requirements_txt_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    reqs = [ln for ln in lines if ln and not ln.startswith("#")]
    assert sorted(reqs) == sorted(project["dependencies"])


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = re.search(r"## Quickstart(.*?)\n## ", readme, re.S).group(1)
    commands = re.findall(r"```(?:bash|sh)?\n(.*?)\n```", block, re.S)
    assert len(commands) == 2, "the quickstart gives exactly two commands"
    assert commands[0].strip().endswith("streamlit run dashboard/app.py")
    assert commands[1].strip() in ci


def test_readme_documents_the_public_data_api():
    import dashboard.data as data

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in (
        "load_events",
        "load_places",
        "load_statements",
        "load_missiles",
        "load_actors",
        "load_countries",
        "load_regions",
    ):
        assert hasattr(data, name)
        assert name in readme, f"{name} is not documented in the README"


def test_every_data_file_has_a_sources_record():
    import csv

    with (ROOT / "data" / "sources.csv").open(encoding="utf-8") as fh:
        recorded = {row["file"]: row for row in csv.DictReader(fh)}
    files = {p.name for p in (ROOT / "data").iterdir() if p.suffix in (".csv", ".geojson") and p.name != "sources.csv"}
    assert files <= set(recorded), f"no sources record for {files - set(recorded)}"
    for file, row in recorded.items():
        assert row["licence"], f"{file} has no licence"
        assert row["title"] and row["publisher"], f"{file} has no title/publisher"


def test_readme_data_dictionary_names_every_field():
    from dashboard import schema

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table in schema.TABLES.values():
        assert f"data/{table.file}" in readme
        for fld in table.fields:
            assert f"| `{fld.name}` |" in readme, f"{table.name}.{fld.name} is not in the README's data dictionary"


def test_readme_data_dictionary_is_the_one_the_schema_generates():
    from dashboard import reports

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert reports.dictionary_markdown() in readme, "regenerate the README's data dictionary from dashboard/schema.py"


def test_readme_states_the_current_data_version_and_the_headline_rule():
    from dashboard import schema
    from dashboard.data import load_data_version

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"currently **{load_data_version()}**" in readme
    assert schema.HEADLINE_RULE in readme


def test_every_data_file_is_under_one_of_the_allowed_licences():
    import csv

    from dashboard import schema

    with (ROOT / "data" / "sources.csv").open(encoding="utf-8") as fh:
        licences = {row["file"]: row["licence"] for row in csv.DictReader(fh)}
    assert {f: v for f, v in licences.items() if v not in schema.LICENCE_KINDS} == {}


def test_tables_have_no_download_or_copy_of_their_own():
    """st.dataframe's toolbar "Download as CSV" writes formula cells from an upload as they are: it is turned off,
    and every download is one of the app's buttons, which go through dashboard/export.py."""
    assert _config()["client"]["disableDataExport"] is True
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "client.disableDataExport" in readme


def test_readme_shows_each_range_product_in_one_line_of_python():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Ranges, flight times and search from Python(.*?)\n#", readme, re.S).group(1)
    for call in ("people_in_range(", "launch_basket(", "every_system(", "to_kml(", "render_briefing("):
        assert call in block, f"{call} has no example in the README"
    assert "load_cities()" in readme and "packages.txt" in readme


def test_packages_txt_installs_the_browser_that_renders_briefing_images():
    lines = (ROOT / "packages.txt").read_text(encoding="utf-8").split()
    assert lines == ["chromium"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(dep.startswith("kaleido") for dep in project["dependencies"])
