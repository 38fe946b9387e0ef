"""pyproject.toml declares every third-party package the code imports, and the lock pins what it declares.

Offline: reads the source with `ast`, pyproject.toml and the locks in requirements/; nothing is resolved.
"""

import ast
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# What .venv installs (runtime and test), and its runtime subset that the Dockerfile installs.
LOCK = ROOT / "requirements" / "lock.txt"
IMAGE_LOCK = ROOT / "requirements" / "runtime-lock.txt"
# What `make setup AGENTS=1` (CI) installs: the same resolution with the optional `agents` extra added.
AGENTS_LOCK = ROOT / "requirements" / "agents-lock.txt"
# Never installed: litellm (crewai's optional router), whose releases 1.82.7 and 1.82.8 stole credentials.
BANNED = {"litellm"}
# Code that is not installed with the package but still runs here: the suite and the benchmarks.
DEVELOPMENT_FOLDERS = ("tests", "bench")
# The lock must serve each of these.
TARGET_PYTHONS = ("3.11", "3.12")
TARGET_MACHINES = ("x86_64", "aarch64")
# One pinned line of the lock: `name==version`, maybe `; marker`, then ` \` before its hashes.
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$")


def _requirements(strings: list[str]) -> list[Requirement]:
    return [Requirement(text) for text in strings]


RUNTIME = _requirements(PYPROJECT["project"]["dependencies"])
EXTRAS = {name: _requirements(texts) for name, texts in PYPROJECT["project"]["optional-dependencies"].items()}
BUILD = _requirements(PYPROJECT["build-system"]["requires"])


def _names(requirements: list[Requirement]) -> set[str]:
    return {canonicalize_name(requirement.name) for requirement in requirements}


def _first_party_roots() -> dict[str, bool]:
    """Top-level first-party names, each with whether it is installed (True) or development-only."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    roots = {module: True for module in setuptools["py-modules"]}
    for pattern in setuptools["packages"]["find"]["include"]:
        roots[pattern.rstrip("*").split(".")[0]] = True
    roots.update((folder, False) for folder in DEVELOPMENT_FOLDERS)
    return roots


def _source_files(root: str) -> list[Path]:
    path = ROOT / root
    return [path.with_suffix(".py")] if (ROOT / f"{root}.py").is_file() else sorted(path.rglob("*.py"))


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(name, ast.Name) and name.id in {"ImportError", "ModuleNotFoundError"} for name in names)


def imported_roots(source: str) -> dict[str, bool]:
    """Top-level absolute imports of a module, each with whether it is optional.

    An import is optional when a `try` whose handler catches ImportError guards it.
    """
    found: dict[str, bool] = {}

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, ast.Try) and any(_catches_import_error(handler) for handler in node.handlers):
            for child in node.body:
                visit(child, True)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, guarded)
            return
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        for module in modules:
            root = module.split(".")[0]
            found[root] = found.get(root, True) and guarded
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(ast.parse(source), False)
    return found


@cache
def _providers() -> dict[str, list[str]]:
    return packages_distributions()


def distributions_of(import_name: str) -> set[str]:
    """The distributions that provide an import name; one not installed here is taken to be its own name."""
    provided = _providers().get(import_name)
    return {canonicalize_name(name) for name in provided} if provided else {canonicalize_name(import_name)}


# Modules that belong to an optional extra: imported only once the extra is known to be installed
# (agents.config.unavailable_reason; a test module skips itself first), so they may import its packages unguarded.
EXTRA_MODULES = {"agents/crew.py": "agents", "tests/test_issue16_attacks.py": "agents"}


def undeclared_imports() -> list[str]:
    """Each third-party import the declarations in pyproject.toml do not cover, with the file that makes it."""
    first_party = _first_party_roots()
    runtime = _names(RUNTIME)
    test = runtime | _names(EXTRAS["test"])
    optional = set().union(*(_names(requirements) for requirements in EXTRAS.values()))
    problems = []
    for root, installed in first_party.items():
        for path in _source_files(root):
            for module, guarded in imported_roots(path.read_text(encoding="utf-8")).items():
                if module in sys.stdlib_module_names or module in first_party:
                    continue
                allowed = runtime if installed else test
                if guarded:
                    allowed = allowed | optional
                extra = EXTRA_MODULES.get(path.relative_to(ROOT).as_posix())
                if extra is not None:
                    allowed = allowed | _names(EXTRAS[extra])
                if not distributions_of(module) & allowed:
                    where = "[project.dependencies]" if installed else "[project.dependencies] or the test extra"
                    where += " nor an optional extra" if guarded else ""
                    problems.append(f"{path.relative_to(ROOT)} imports {module!r}, which {where} does not declare")
    return sorted(problems)


@dataclass(frozen=True)
class Pin:
    """One pinned entry of a lock file."""

    version: Version
    marker: str | None
    hashes: frozenset[str]
    asked_by_pyproject: bool


def lock_pins(text: str) -> dict[str, list[Pin]]:
    """A lock's pins by name: version, marker, hashes, and whether its `via` names pyproject.toml."""
    pins: dict[str, list[Pin]] = {}
    for entry in re.split(r"^(?=\S)", text, flags=re.MULTILINE):  # an entry: a pin line and its indented lines
        first_line, _, rest = entry.partition("\n")
        if match := PIN.match(first_line):
            pins.setdefault(canonicalize_name(match["name"]), []).append(Pin(
                Version(match["version"]), match["marker"], frozenset(re.findall(r"--hash=(\S+)", rest)),
                "migration-platform (pyproject.toml)" in rest,
            ))
    return pins


def target_environments() -> list[dict[str, str]]:
    environments = []
    for python in TARGET_PYTHONS:
        for machine in TARGET_MACHINES:
            environment = default_environment()
            environment.update(
                python_version=python, python_full_version=f"{python}.0", platform_machine=machine,
                sys_platform="linux", platform_system="Linux", os_name="posix",
                implementation_name="cpython", platform_python_implementation="CPython",
            )
            environments.append(environment)
    return environments


def unpinned_requirements(requirements: list[Requirement], lock_text: str) -> list[str]:
    """Each requirement that the lock does not pin, or pins outside its range, in some target environment."""
    pins = lock_pins(lock_text)
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        for environment in target_environments():
            if requirement.marker and not requirement.marker.evaluate(environment):
                continue
            chosen = [
                pin.version for pin in pins.get(name, [])
                if pin.marker is None or Marker(pin.marker).evaluate(environment)
            ]
            where = f"Python {environment['python_version']} on {environment['platform_machine']}"
            if not chosen:
                problems.append(f"{requirement} is not pinned in the lock for {where}")
            elif not any(requirement.specifier.contains(version, prereleases=True) for version in chosen):
                problems.append(f"{requirement}: the lock pins {name}=={chosen[0]} for {where}")
    return sorted(set(problems))


def stale_pins(lock_text: str, declared: list[Requirement]) -> list[str]:
    """Names the lock took from pyproject.toml that are no longer among the declared requirements."""
    asked = {name for name, pins in lock_pins(lock_text).items() if any(pin.asked_by_pyproject for pin in pins)}
    return sorted(asked - _names(declared))


def pins_not_in(subset_text: str, lock_text: str) -> list[str]:
    """Each pin of one lock that the other does not hold with the same version and hashes."""
    held = {(name, pin.version, pin.hashes) for name, pins in lock_pins(lock_text).items() for pin in pins}
    return sorted(
        f"{name}=={pin.version}" for name, pins in lock_pins(subset_text).items() for pin in pins
        if (name, pin.version, pin.hashes) not in held
    )


def test_every_third_party_import_is_declared() -> None:
    assert undeclared_imports() == []


@pytest.mark.parametrize(
    ("lock", "declared"),
    [(LOCK, RUNTIME + EXTRAS["test"] + BUILD), (IMAGE_LOCK, RUNTIME + BUILD),
     (AGENTS_LOCK, RUNTIME + EXTRAS["test"] + EXTRAS["agents"] + BUILD)],
    ids=["lock", "runtime-lock", "agents-lock"],
)
def test_each_lock_pins_what_pyproject_declares_and_nothing_it_dropped(lock: Path, declared: list[Requirement]) -> None:
    # BUILD: the project is installed with --no-build-isolation, so the lock's setuptools builds it.
    text = lock.read_text(encoding="utf-8")
    assert unpinned_requirements(declared, text) == [], f"pyproject.toml and {lock.name} disagree: run `make lock`"
    assert stale_pins(text, declared) == [], f"{lock.name} pins a dependency pyproject.toml dropped: run `make lock`"


def test_the_image_installs_the_locks_own_pins() -> None:
    assert pins_not_in(IMAGE_LOCK.read_text(encoding="utf-8"), LOCK.read_text(encoding="utf-8")) == []


def test_the_agents_lock_keeps_every_pin_of_the_lock_and_no_lock_holds_litellm() -> None:
    assert pins_not_in(LOCK.read_text(encoding="utf-8"), AGENTS_LOCK.read_text(encoding="utf-8")) == []
    for lock in (LOCK, IMAGE_LOCK, AGENTS_LOCK):
        assert not BANNED & set(lock_pins(lock.read_text(encoding="utf-8"))), f"{lock.name} pins litellm"


def test_the_locks_leave_the_optional_extras_out() -> None:
    optional = _names(EXTRAS["agents"]) | _names(EXTRAS["embeddings"])
    for lock in (LOCK, IMAGE_LOCK):
        assert not optional & set(lock_pins(lock.read_text(encoding="utf-8"))), f"{lock.name} holds an optional extra"


# The checks above must see a disagreement when there is one.

LOCK_EXCERPT = """\
typer==0.29.2 \\
    --hash=sha256:00
    # via migration-platform (pyproject.toml)
numpy==2.4.6 ; python_full_version < '3.12' \\
    --hash=sha256:00
    # via
    #   contourpy
    #   migration-platform (pyproject.toml)
numpy==2.5.5 ; python_full_version >= '3.12' \\
    --hash=sha256:00
crewai==1.20.0 \\
    --hash=sha256:00
    # via migration-platform (pyproject.toml)
"""


def test_a_requirement_the_lock_pins_in_range_everywhere_passes() -> None:
    assert unpinned_requirements(_requirements(["typer>=0.15", "numpy>=2.4"]), LOCK_EXCERPT) == []


def test_a_requirement_missing_from_the_lock_is_reported() -> None:
    problems = unpinned_requirements(_requirements(["rich>=13"]), LOCK_EXCERPT)
    assert len(problems) == len(TARGET_PYTHONS) * len(TARGET_MACHINES)
    assert problems[0] == "rich>=13 is not pinned in the lock for Python 3.11 on aarch64"


def test_a_pin_outside_the_declared_range_is_reported_for_the_python_it_serves() -> None:
    assert unpinned_requirements(_requirements(["numpy>=2.5"]), LOCK_EXCERPT) == [
        "numpy>=2.5: the lock pins numpy==2.4.6 for Python 3.11 on aarch64",
        "numpy>=2.5: the lock pins numpy==2.4.6 for Python 3.11 on x86_64",
    ]


def test_a_requirement_limited_by_a_marker_is_checked_only_where_it_applies() -> None:
    assert unpinned_requirements(_requirements(["rich>=13; python_version >= '3.13'"]), LOCK_EXCERPT) == []


def test_a_pin_taken_from_a_removed_dependency_is_reported() -> None:
    assert stale_pins(LOCK_EXCERPT, _requirements(["typer", "numpy"])) == ["crewai"]


def test_a_pin_of_the_image_lock_that_differs_from_the_lock_is_reported() -> None:
    other_hash = LOCK_EXCERPT.replace("typer==0.29.2 \\\n    --hash=sha256:00", "typer==0.29.2 \\\n    --hash=sha256:01")
    other_version = LOCK_EXCERPT.replace("numpy==2.5.5", "numpy==2.5.6")
    assert pins_not_in(LOCK_EXCERPT, LOCK_EXCERPT) == []
    assert pins_not_in(other_hash, LOCK_EXCERPT) == ["typer==0.29.2"]
    assert pins_not_in(other_version, LOCK_EXCERPT) == ["numpy==2.5.6"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import numpy.linalg as la\nfrom PIL import Image\n", {"numpy": False, "PIL": False}),
        ("from . import sibling\nfrom .x import y\n", {}),
        ("def f():\n    import yaml\n", {"yaml": False}),
        ("try:\n    import yaml\nexcept ImportError:\n    yaml = None\n", {"yaml": True}),
        ("try:\n    import yaml\nexcept (ValueError, ModuleNotFoundError):\n    pass\n", {"yaml": True}),
        ("try:\n    import yaml\nexcept ValueError:\n    pass\n", {"yaml": False}),
        ("import yaml\ntry:\n    import yaml\nexcept ImportError:\n    pass\n", {"yaml": False}),
    ],
)
def test_imports_are_found_with_whether_they_are_optional(source: str, expected: dict[str, bool]) -> None:
    assert imported_roots(source) == expected


def test_an_import_name_maps_to_its_distribution() -> None:
    assert distributions_of("PIL") == {"pillow"}
    assert distributions_of("python_calamine") == {"python-calamine"}
    assert distributions_of("not_installed_here") == {"not-installed-here"}
