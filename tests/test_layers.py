"""The layering in docs/architecture.md, checked on the source: ``index`` never imports ``qa``;
the answering core never imports an interface (cli, ui) or the evaluation; nothing in ``qa``
imports the root ``app.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

OUTER = ("qa.cli", "qa.clikit", "qa.settings_view", "qa.ui", "qa.eval")


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            prefix = ".".join(base) if node.level else ""
            module = ".".join(p for p in (prefix, node.module or "") if p)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _modules(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("index"), ids=lambda p: p.name)
def test_index_never_imports_qa(path):
    assert not [n for n in _imports(path) if n == "qa" or n.startswith("qa.")]


def _core() -> list[Path]:
    outer = {"cli.py", "clikit.py", "settings_view.py", "__main__.py"}
    return [p for p in sorted((REPO / "qa").glob("*.py")) if p.name not in outer]


@pytest.mark.parametrize("path", _core(), ids=lambda p: p.name)
def test_the_core_imports_no_interface_and_no_evaluation(path):
    bad = [n for n in _imports(path) if n.startswith(OUTER) or n == "app"]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", _modules("qa"), ids=lambda p: str(p.relative_to(REPO)))
def test_nothing_in_qa_imports_the_root_app(path):
    assert "app" not in _imports(path)


def test_the_import_reader_resolves_relative_imports():
    names = _imports(REPO / "qa" / "ui" / "web.py")
    assert "qa.api" in names and "qa.ui.html" in names


def _touches_reader(path: Path) -> bool:
    """Whether ``path`` reads an attribute named ``reader`` (the backend inside ``Index``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.Attribute) and n.attr == "reader" for n in ast.walk(tree))


@pytest.mark.parametrize("path", _modules("qa"), ids=lambda p: str(p.relative_to(REPO)))
def test_qa_reaches_the_store_only_through_index(path):
    """``index.search.Index`` is the one way into the store: no backend module, no ``.reader``."""
    stores = [n for n in _imports(path) if n.startswith(("index.store", "index.milvus"))]
    assert not stores, f"{path.name} imports {stores}"
    assert not _touches_reader(path), f"{path.name} reaches into Index.reader"


def test_the_store_check_sees_a_reader_access(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(index):\n    return index.reader.chunks([1])\n")
    assert _touches_reader(bad)
    assert not _touches_reader(REPO / "qa" / "retrieve.py")


def test_rank_fusion_lives_only_in_index():
    """One reciprocal-rank fusion (index/lexical.py); qa calls ``Index.fuse``."""
    defs = [
        p
        for p in _modules("qa") + _modules("index")
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(n, ast.FunctionDef) and "fusion" in n.name
    ]
    assert [p.relative_to(REPO).as_posix() for p in defs] == ["index/lexical.py"]
