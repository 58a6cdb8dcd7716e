#!/usr/bin/env bash
# Build the `driz` Python wheel and run its tests (crates/driz-python/tests) against the
# command-line programs and drizzle 3.0.0.
#
# Needs only python3 (>= 3.9) and the Rust toolchain: a virtual environment .venv-py at
# the repository root is created on first use (maturin, pytest, numpy, astropy,
# drizzle==3.0.0), the wheel is built with the cargo profile DRIZ_PY_PROFILE (default
# dev, the profile of `cargo test`, whose `driz` and `runastrodriz` programs the tests
# compare with, so that CI compiles the workspace once; `release` for benchmarks) and
# installed there. Extra arguments go to pytest (e.g. -k kernels).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv="${DRIZ_PY_VENV:-$root/.venv-py}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
profile="${DRIZ_PY_PROFILE:-dev}"
bindir="$CARGO_TARGET_DIR/$([ "$profile" = dev ] && echo debug || echo "$profile")"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.9.4,<2" pytest numpy astropy drizzle==3.0.0

# The programs the tests compare with, then the wheel (one maturin command). The CLI is
# built on its own: a cargo build that includes driz-python would rebuild pyo3 both
# there and in maturin (maturin sets PYO3_* variables) on every run.
cargo build --profile "$profile" --quiet -p driz-cli --bin driz --bin runastrodriz
wheels="$CARGO_TARGET_DIR/wheels"
rm -f "$wheels"/driz-*.whl
"$venv/bin/maturin" build --profile "$profile" --quiet -m crates/driz-python/Cargo.toml -i "$venv/bin/python" --out "$wheels"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/driz-*.whl

# No .pytest_cache or __pycache__ left in the source tree.
PYTHONDONTWRITEBYTECODE=1 DRIZ_BIN_DIR="$bindir" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider crates/driz-python/tests "$@"
