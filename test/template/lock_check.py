"""Checks a generated project's locks against what its requirements really need.

Run with the service venv's Python inside a generated project. From the direct requirements
(requirements.in, requirements-dev.in) it walks the installed packages' metadata (the venv
holds the template's full lock) to the transitive closure for this platform, and compares it
with the lock entries whose markers apply here. Prints JSON: per lock, the packages missing
from it, the ones it has but does not need, and pins that differ from the installed version.
"""
from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def requirement_lines(path: Path) -> list[str]:
    """Logical lines of a requirements file: continuations joined, comments and options dropped."""
    text = path.read_text().replace("\\\n", " ")
    lines = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-r", "-c")):
            lines.append(re.sub(r"\s--hash=\S+", "", line).strip())
    return lines


def applies(requirement: Requirement, extra: str = "") -> bool:
    return requirement.marker is None or requirement.marker.evaluate({**default_environment(), "extra": extra})


def closure(direct: list[Requirement]) -> set[str]:
    needed: set[str] = set()
    queue = [r for r in direct if applies(r)]
    seen: set[tuple[str, str]] = set()
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        extras = sorted(requirement.extras) or [""]
        for extra in extras:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            needed.add(name)
            for dependency in metadata.requires(name) or []:
                dep = Requirement(dependency)
                if applies(dep, extra):
                    queue.append(dep)
    return needed


def pins(paths: list[Path]) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in paths:
        for line in requirement_lines(path):
            requirement = Requirement(line)
            if applies(requirement):
                found[canonicalize_name(requirement.name)] = str(requirement.specifier).removeprefix("==")
    return found


def compare(inputs: list[Path], locks: list[Path]) -> dict[str, list[str]]:
    direct = [Requirement(line) for path in inputs for line in requirement_lines(path)]
    needed, locked = closure(direct), pins(locks)
    return {
        "missing": sorted(needed - set(locked)),
        "unneeded": sorted(set(locked) - needed),
        "mismatched": sorted(f"{n}=={v} (installed {metadata.version(n)})" for n, v in locked.items()
                             if n in needed and metadata.version(n) != v),
    }


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    runtime = compare([root / "requirements.in"], [root / "requirements.lock"])
    dev = compare([root / "requirements.in", root / "requirements-dev.in"],
                  [root / "requirements.lock", root / "requirements-dev.lock"])
    print(json.dumps({"runtime": runtime, "dev": dev}))


if __name__ == "__main__":
    main()
