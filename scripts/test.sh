#!/usr/bin/env bash
# The whole test suite (what CI runs, `.ci/run`): the Rust workspace, then the Python
# package built from it and its pytest suite (scripts/python-tests.sh, which reuses the
# programs `cargo test` built). Needs the Rust toolchain, a C compiler and python3 >= 3.9
# with pip (the Python test dependencies are installed into .venv-py).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace
bash scripts/python-tests.sh
