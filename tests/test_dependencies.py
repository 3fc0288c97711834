"""requirements.lock (what CI and `make` install) must pin exactly the versions pyproject.toml asks for."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lock_matches_the_direct_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    locked = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            locked[_normalise(name)] = version.strip()
    for requirement in wanted:
        name, version = requirement.split("==")
        name = _normalise(name.split("[")[0])
        assert locked.get(name) == version, (
            f"{name}: pyproject pins {version}, the lock has {locked.get(name)}"
        )
