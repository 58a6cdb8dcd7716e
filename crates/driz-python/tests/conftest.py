"""Shared fixtures: the `driz`/`runastrodriz` programs and simulated WFC3/IR data."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _bin_dir():
    """DRIZ_BIN_DIR, else the newest release build of the command line in a target dir."""
    given = os.environ.get("DRIZ_BIN_DIR")
    if given:
        return Path(given)
    candidates = [REPO / "target" / "release"]
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.insert(0, Path(os.environ["CARGO_TARGET_DIR"]) / "release")
    for c in candidates:
        if (c / "driz").exists() and (c / "runastrodriz").exists():
            return c
    pytest.fail("no driz/runastrodriz programs: build them (cargo build --release -p driz-cli) or set DRIZ_BIN_DIR")


@pytest.fixture(scope="session")
def bin_dir():
    return _bin_dir()


@pytest.fixture(scope="session")
def simulated(tmp_path_factory, bin_dir):
    """`driz simulate --instrument wfc3-ir --exposures 2 --seed 3 --small`: the directory
    (reference files stay in its ref/, shared by every copy through $iref)."""
    out = tmp_path_factory.mktemp("sim") / "sim"
    subprocess.run(
        [bin_dir / "driz", "simulate", "--instrument", "wfc3-ir", "--exposures", "2", "--seed", "3", "--small",
         "--out", out],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture()
def pipeline_env(simulated, monkeypatch):
    """The environment of scripts/example.sh: $iref and an offline reference catalog."""
    monkeypatch.setenv("iref", str(simulated / "ref") + "/")
    monkeypatch.setenv("DRIZ_ASTROMETRIC_CATALOG_FILE", "gaia_catalog.csv")
    monkeypatch.setenv("ASTROMETRY_APPLY_APRIORI", "off")
    return dict(os.environ)


def copy_inputs(simulated, dest):
    """The simulated exposures, association, RAW files and catalog (no ref/, no truth)."""
    dest.mkdir(parents=True)
    for f in simulated.iterdir():
        if f.is_file() and (f.suffix == ".fits" or f.name == "gaia_catalog.csv"):
            shutil.copy2(f, dest / f.name)
    return dest
