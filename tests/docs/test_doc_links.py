"""Links into the documentation lead somewhere: files exist, and named sections are there.

Covers the links in README.md and docs/, and every `docs/<page>.md#section` that code, tests or
templates cite in a comment.
"""

import re
from pathlib import Path

from tests.docs.test_rule_sections import anchor

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
CITED = re.compile(r"docs/([\w/.-]+\.md)#([A-Za-z0-9_-]+)")
SOURCES = ("bot", "diary", "storage", "agent", "tests", "bench", "docs")


def headings(page: Path) -> set[str]:
    return {anchor(line.lstrip("#")) for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("#")}


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, section = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or (section and linked.suffix == ".md" and section not in headings(linked)):
            broken.append(target)
    return broken


def test_links_in_the_readme_and_docs_lead_to_files_and_sections_that_exist():
    broken = {str(page.relative_to(ROOT)): found for page in PAGES if (found := broken_links(page))}
    assert broken == {}


def test_every_section_cited_in_the_code_exists():
    missing = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".md", ".html") or path == Path(__file__).resolve():
                continue
            for page, section in CITED.findall(path.read_text(encoding="utf-8")):
                target = ROOT / "docs" / page
                if not target.exists() or section not in headings(target):
                    missing.append(f"{path.relative_to(ROOT)}: docs/{page}#{section}")
    assert missing == []


CODE_PATH = re.compile(r"`((?:bot|diary|storage|agent|tests|bench|docs)/[\w/.-]*\w/?)")


def test_every_file_the_docs_name_exists():
    """A renamed module must take its mentions in docs/ and the README along."""
    missing = {}
    for page in PAGES:
        gone = [path for path in CODE_PATH.findall(page.read_text(encoding="utf-8")) if not _exists(path)]
        if gone:
            missing[str(page.relative_to(ROOT))] = gone
    assert missing == {}


def _exists(path: str) -> bool:
    """A file or folder, or `module.function` (bot/services/ingest.record_uploads)."""
    return (ROOT / path).exists() or (ROOT / f"{path.rsplit('.', 1)[0]}.py").exists()


GONE = re.compile(r"DESIGN\s*§|DESIGN's|DESIGN\.md|design notes")


def test_nothing_cites_a_document_the_repository_does_not_have():
    """The rules are cited by their docs/rules.md section, never by a file outside the project."""
    citing = []
    for path in [ROOT / "README.md", *(p for folder in SOURCES for p in (ROOT / folder).rglob("*"))]:
        if path.suffix in (".py", ".md", ".html", ".yml", ".toml") and path != Path(__file__).resolve():
            citing += [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                       if GONE.search(line)]
    assert citing == []
