#!/usr/bin/env bash
# The main job on bundled example data: simulate a WFC3/IR association (4 dithered
# exposures, seed 1, with synthetic reference files and a known pointing error), then run
# the pipeline on it as the archive does: `runastrodriz <asn>` (distortion WCS, AstroDrizzle
# with its MDRIZTAB parameters and cosmic-ray rejection, verification, a posteriori
# alignment to the simulated Gaia catalog, final products, headerlets, trailer).
# Offline: the reference catalog is read from the simulated file (DRIZ_ASTROMETRIC_CATALOG_FILE)
# and the astrometry database is not asked (ASTROMETRY_APPLY_APRIORI=off).
# Everything lands in ./example (or the directory given).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-example}"
cargo build --release --quiet --bin driz --bin runastrodriz
bin="$PWD/target/release"
rm -rf "$out"
"$bin/driz" simulate --instrument wfc3-ir --exposures 4 --seed 1 --out "$out"
# shellcheck disable=SC1091
source "$out/ref/env.sh"
asn=$(basename "$(ls "$out"/*_asn.fits)")
(
    cd "$out"
    DRIZ_ASTROMETRIC_CATALOG_FILE=gaia_catalog.csv ASTROMETRY_APPLY_APRIORI=off "$bin/runastrodriz" "$asn" >runastrodriz.log
)
product="$out/$(basename "$asn" _asn.fits)_drz.fits"
"$bin/driz" info "$product"
echo "WCS of the exposures after the pipeline:"
for flt in "$out"/*_flt.fits; do
    echo "  $(basename "$flt"): $("$bin/driz" info "$flt" | grep -m1 'WCS primary' | sed 's/ *WCS primary *//')"
done
echo "trailer: $out/$(basename "$asn" _asn.fits).tra"
