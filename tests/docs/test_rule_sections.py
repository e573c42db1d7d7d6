"""docs/rules.md and the tests agree: every rule section has a worked example that a test checks.

A test names the section it checks with a line `Rule: docs/rules.md#<anchor>` in its docstring (or
a comment); the anchor is the section's heading as GitHub links it. This file fails when a section
has no such test, when a test names a section that is not there, or when a section has no example.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "rules.md"
NAMED = re.compile(r"Rule: docs/rules\.md#([A-Za-z0-9_-]+)")


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    kept = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return kept.replace(" ", "-")


def sections(text: str) -> dict[str, str]:
    """Each `## ` section of the page by its anchor, with its body."""
    found: dict[str, str] = {}
    for part in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = part.partition("\n")
        found[anchor(heading)] = body
    return found


def named_in_tests() -> dict[str, set[str]]:
    """Anchor -> the test files that name it (this file's own examples excluded)."""
    named: dict[str, set[str]] = {}
    for path in (ROOT / "tests").rglob("*.py"):
        if path == Path(__file__).resolve():
            continue
        for name in NAMED.findall(path.read_text(encoding="utf-8")):
            named.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return named


def test_anchors_are_spelled_as_github_links_headings():
    assert anchor("Tracked, counted, billable") == "tracked-counted-billable"
    assert anchor("Who may do what") == "who-may-do-what"
    assert sections("intro\n## One\nbody\n## Two words\nmore\n") == {"one": "body\n", "two-words": "more\n"}


def test_every_rule_section_has_a_test_that_names_it():
    untested = sorted(set(sections(RULES.read_text(encoding="utf-8"))) - set(named_in_tests()))
    assert untested == [], f"sections of docs/rules.md with no test naming them (Rule: docs/rules.md#...): {untested}"


def test_every_section_a_test_names_exists():
    known = set(sections(RULES.read_text(encoding="utf-8")))
    unknown = {name: sorted(files) for name, files in named_in_tests().items() if name not in known}
    assert unknown == {}, f"tests name sections that docs/rules.md does not have: {unknown}"


def test_every_rule_section_has_a_worked_example():
    missing = [name for name, body in sections(RULES.read_text(encoding="utf-8")).items() if "**Example.**" not in body]
    assert missing == [], f"sections of docs/rules.md without an **Example.** paragraph: {missing}"
