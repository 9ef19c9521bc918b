"""The pure modules never import Streamlit, so analysts can use them from a notebook."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dashboard"
# Streamlit lives only at the UI edge: the entry script, the page scripts and dashboard/ui/.
UI_PARTS = {"ui", "views"}
UI_FILES = {"app.py"}


def _pure_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in UI_PARTS or rel.name in UI_FILES and len(rel.parts) == 1:
            continue
        yield path


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_there_are_pure_modules_to_check():
    names = {p.name for p in _pure_modules()}
    assert {"data.py", "schema.py", "filters.py", "export.py"} <= names


def test_no_pure_module_imports_streamlit():
    offenders = [str(p.relative_to(PACKAGE)) for p in _pure_modules() if "streamlit" in _imports(p)]
    assert offenders == []


# The one st.html call: the static accessibility style sheet, passed as the path of a .css file in the package.
STYLE_MODULE = PACKAGE / "ui" / "accessibility.py"


def test_no_module_renders_html():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path == STYLE_MODULE:
            text = text.replace("st.html(STYLE_SHEET)", "", 1)
        if "unsafe_allow_html=True" in text or "components.html" in text or "st.html(" in text:
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_the_only_html_is_a_static_style_sheet():
    from dashboard.ui import accessibility

    assert accessibility.STYLE_SHEET.suffix == ".css" and accessibility.STYLE_SHEET.parent == PACKAGE / "ui"
    css = accessibility.STYLE_SHEET.read_text(encoding="utf-8")
    # Only style rules: nothing that st.html would draw, load or run.
    assert "<" not in css and "@import" not in css and "url(" not in css


def test_data_layer_works_without_streamlit_loaded():
    import subprocess
    import sys

    code = (
        "import sys; from dashboard.data import load_events, load_places; "
        "e = load_events(); p = load_places(); "
        "assert 'streamlit' not in sys.modules, 'streamlit was imported'; print(len(e), len(p))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent, check=False)
    assert out.returncode == 0, out.stderr
