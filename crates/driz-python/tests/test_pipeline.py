"""driz.updatewcs, driz.astrodrizzle and driz.runastrodriz.process against the command
line on copies of the same simulated inputs: the same files with the same contents."""

import logging
import re
import subprocess

import numpy as np
import pytest
from astropy.io import fits

import driz
from conftest import copy_inputs

# Header keywords that hold the time of the run, not a result.
TIME_KEYWORDS = {
    "DATE",  # FITS file creation time
    "IRAF-TLM",  # time of last modification
}

# Trailer lines carry "HH:MM:SS (DD-Mon-YYYY)" stamps and durations.
STAMP = re.compile(r"\d\d:\d\d:\d\d \(\d\d-[A-Z][a-z]{2}-\d{4}\)")
DURATION = re.compile(r"\d+\.\d+ (seconds|s)\b")


def run_cli(args, cwd, env):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)


def header_cards(header):
    return [(c.keyword, c.value, c.comment) for c in header.cards if c.keyword not in TIME_KEYWORDS]


def assert_same_fits(a, b):
    with fits.open(a) as fa, fits.open(b) as fb:
        assert len(fa) == len(fb), f"{b.name}: {len(fb)} HDUs, command line {len(fa)}"
        for k, (ha, hb) in enumerate(zip(fa, fb)):
            assert header_cards(ha.header) == header_cards(hb.header), f"{b.name}[{k}] header"
            da, db = ha.data, hb.data
            if da is None or db is None:
                assert da is None and db is None, f"{b.name}[{k}] data"
            elif isinstance(da, np.ndarray) and da.dtype.names is None:
                assert da.dtype == db.dtype and da.shape == db.shape, f"{b.name}[{k}] data type/shape"
                assert np.array_equal(da, db, equal_nan=da.dtype.kind == "f"), f"{b.name}[{k}] data"
            else:
                assert da.tobytes() == db.tobytes(), f"{b.name}[{k}] table"


def masked_text(path):
    text = path.read_text(errors="replace")
    return DURATION.sub("<duration>", STAMP.sub("<time>", text))


def assert_same_dirs(cli_dir, py_dir):
    cli_files = sorted(p.relative_to(cli_dir) for p in cli_dir.rglob("*") if p.is_file())
    py_files = sorted(p.relative_to(py_dir) for p in py_dir.rglob("*") if p.is_file())
    assert py_files == cli_files
    fits_files = 0
    for rel in cli_files:
        a, b = cli_dir / rel, py_dir / rel
        if rel.suffix == ".fits":
            assert_same_fits(a, b)
            fits_files += 1
        elif rel.suffix == ".tra":
            # Lines logged from parallel workers (per-chip statistics) come in any order,
            # run to run, from the command line as from Python: compared as a multiset.
            assert sorted(masked_text(b).splitlines()) == sorted(masked_text(a).splitlines()), f"{rel}"
        else:
            assert masked_text(b) == masked_text(a), f"{rel}"
    return fits_files


def test_updatewcs_matches_cli(simulated, pipeline_env, tmp_path, bin_dir):
    cli, py = copy_inputs(simulated, tmp_path / "cli"), copy_inputs(simulated, tmp_path / "py")
    flts = sorted(p.name for p in cli.glob("*_flt.fits"))
    done = run_cli([bin_dir / "driz", "updatewcs", "--force", *flts], cli, pipeline_env)
    assert done.returncode == 0, done.stderr
    reports = driz.updatewcs([py / f for f in flts], force=True)
    assert [r["path"] for r in reports] == [str(py / f) for f in flts]
    assert all(r["wcsname"] and r["chips"] for r in reports)
    assert assert_same_dirs(cli, py) >= 4


def test_astrodrizzle_matches_cli(simulated, pipeline_env, tmp_path, bin_dir, caplog):
    cli, py = copy_inputs(simulated, tmp_path / "cli"), copy_inputs(simulated, tmp_path / "py")
    asn = next(cli.glob("*_asn.fits")).name
    params = dict(build=True, final_pixfrac=0.8, final_scale=0.15, combine_type="median", skysub=True)
    args = [f"--param={k}={v}" for k, v in params.items()]
    done = run_cli([bin_dir / "driz", "astrodrizzle", asn, *args], cli, pipeline_env)
    assert done.returncode == 0, done.stderr
    with caplog.at_level(logging.INFO, logger="driz"):
        outcome = driz.astrodrizzle(asn, workdir=py, **params)
    assert outcome["product"] and outcome["product"].endswith("_drz.fits")
    assert outcome["images"] and outcome["sky"]
    assert any(r.name == "driz.progress" for r in caplog.records), "progress lines in logging"
    assert assert_same_dirs(cli, py) >= 5


def test_runastrodriz_process_matches_cli(simulated, pipeline_env, tmp_path, bin_dir, monkeypatch, caplog):
    cli, py = copy_inputs(simulated, tmp_path / "cli"), copy_inputs(simulated, tmp_path / "py")
    asn = next(cli.glob("*_asn.fits")).name
    # The command line's -i is the Python API's default inmemory=True.
    done = run_cli([bin_dir / "runastrodriz", "-i", asn], cli, pipeline_env)
    assert done.returncode == 0, done.stderr
    monkeypatch.chdir(py)
    with caplog.at_level(logging.INFO, logger="driz"):
        report = driz.runastrodriz.process(asn)
    assert report["products"] and all(p.endswith(".fits") for p in report["products"])
    assert report["trailer"].endswith(".tra") and not report["skipped"]
    assert [v["mode"] for v in report["verifications"]][0] == "default-pipeline"
    # The log lines reach Python's logging; the trailer holds the same lines.
    messages = [r.getMessage() for r in caplog.records if r.name == "driz"]
    assert any("Drizzlepac Processing Version" in m for m in messages)
    assert assert_same_dirs(cli, py) >= 5


@pytest.mark.parametrize("which", ["runastrodriz", "astrodrizzle", "updatewcs"])
def test_missing_input_raises_cli_message(which, tmp_path, bin_dir, pipeline_env, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "nosuch_asn.fits" if which != "updatewcs" else "nosuch_flt.fits"
    if which == "runastrodriz":
        args, prefix, call = [bin_dir / "runastrodriz", name], "runastrodriz: error: ", driz.runastrodriz.process
    elif which == "astrodrizzle":
        args, prefix, call = [bin_dir / "driz", "astrodrizzle", name], "driz: error: ", driz.astrodrizzle
    else:
        args, prefix, call = [bin_dir / "driz", "updatewcs", name], "driz: error: ", lambda n: driz.updatewcs([n])
    done = run_cli(args, tmp_path, pipeline_env)
    assert done.returncode == 1
    expected = [line for line in done.stderr.splitlines() if line.startswith(prefix)]
    assert len(expected) == 1
    with pytest.raises(driz.DrizError) as info:
        call(name)
    assert str(info.value) == expected[0][len(prefix):]
    assert info.value.exit_code == 1
    assert not isinstance(info.value, driz.NoViableDataError)
