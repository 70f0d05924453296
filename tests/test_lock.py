"""The dependencies are locked: every requirement of pyproject.toml is pinned, with hashes, to a version it allows,
and the README's commands (and so CI) install from the lock with hashes required."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$", re.MULTILINE)


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """Package → (version, number of hashes) in a lock file (one version per package and marker)."""
    text = (REPO / "requirements" / lock).read_text()
    found: dict[str, tuple[str, int]] = {}
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    for block in blocks:
        match = PIN.match(block.splitlines()[0]) if block.strip() else None
        if match:
            found[canonicalize_name(match[1])] = (match[2], block.count("--hash=sha256:"))
    return found


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("runtime.lock", PROJECT["dependencies"]),
        (
            "test.lock",
            PROJECT["dependencies"] + [r for extra in PROJECT["optional-dependencies"].values() for r in extra],
        ),
    ],
)
def test_every_requirement_is_pinned_with_hashes_to_a_version_it_allows(lock: str, requirements: list[str]) -> None:
    locked = pins(lock)
    for text in requirements:
        requirement = Requirement(text.split("#")[0])
        if requirement.name == "sijpath":
            continue  # an extra including another (test includes spark): that one's requirements are checked
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in requirements/{lock}"
        version, hashes = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{name}=={version} vs {requirement}"
        assert hashes >= 1, f"{name} has no hash in requirements/{lock}"


def test_the_build_backend_is_locked_too_so_nothing_is_fetched_unchecked() -> None:
    assert "setuptools" in pins("test.lock")
    assert "setuptools" in pins("runtime.lock")


@pytest.mark.parametrize(("script", "lock"), [("scripts/test", "test.lock"), ("scripts/demo", "runtime.lock")])
def test_the_readme_commands_install_only_from_the_lock_with_hashes_required(script: str, lock: str) -> None:
    text = (REPO / script).read_text()
    assert f"--require-hashes -r requirements/{lock}" in text
    assert "--no-deps --no-build-isolation -e ." in text
    assert not re.search(r"pip install[^\n]*-e '?\.\[", text), "an unlocked install of the extras"


def test_ci_runs_the_test_script() -> None:
    assert "exec bash scripts/test" in (REPO / ".ci" / "run").read_text()
