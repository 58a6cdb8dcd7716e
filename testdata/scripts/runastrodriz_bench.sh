#!/bin/bash
# Side-by-side benchmark of drizzlepac's runastrodriz and driz's on copies of one simulated
# association, with a posteriori alignment served by the loopback catalog service.
#
#   bash testdata/scripts/runastrodriz_bench.sh DATASET_DIR WORK_DIR [PORT]
#
# DATASET_DIR: a directory made by `driz simulate` + `driz updatewcs` (ASN, RAW, FLT[, FLC],
# gaia_catalog.csv, ref/ with the reference files and env.sh, truth/). WORK_DIR receives
# dp/ (drizzlepac) and dz/ (driz), each a fresh copy run one after the other, never at the
# same time, with `/usr/bin/time -v` into time.log; then compare_runastrodriz.py writes
# WORK_DIR/compare.json. Needs .venv-ref (drizzlepac 3.11.0) and target/release/runastrodriz.
set -euo pipefail
data=$(cd "$1" && pwd)
work=$(mkdir -p "$2" && cd "$2" && pwd)
port=${3:-8771}
repo=$(cd "$(dirname "$0")/../.." && pwd)
py=$repo/.venv-ref/bin/python
asn=$(basename "$(ls "$data"/*_asn.fits | head -1)")

"$py" "$repo/testdata/scripts/catalog_service.py" "$data" "$port" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 2

run() { # name command...
    local dir=$work/$1
    shift
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -r "$data"/. "$dir"/
    (
        cd "$dir"
        # The simulated headers name their reference files with the jref$/iref$ prefixes.
        export jref=$dir/ref/ iref=$dir/ref/
        export ASTROMETRIC_CATALOG_URL=http://127.0.0.1:$port
        export ASTROMETRY_SERVICE_URL=http://127.0.0.1:$port/astrometryDB/
        # driz centres sources and matches the group fit as drizzlepac does, so the
        # solutions can be compared (its defaults, windowed centroids and the average of
        # each star's detections, are more accurate: docs/compatibility.md).
        export DRIZ_GROUP_MATCH=${DRIZ_GROUP_MATCH:-tweakwcs}
        export DRIZ_CENTROID=${DRIZ_CENTROID:-dao}
        /usr/bin/time -v "$@" "$asn" > run.log 2> time.log || echo "exit $?" >> run.log
    )
    grep -E "Elapsed|Maximum resident" "$dir/time.log" | sed "s/^/$(basename "$dir"): /"
}

run dp "$repo/.venv-ref/bin/runastrodriz"
run dz "$repo/target/release/runastrodriz"
"$py" "$repo/testdata/scripts/compare_runastrodriz.py" "$work/dz" "$work/dp" "$data" --json "$work/compare.json"
