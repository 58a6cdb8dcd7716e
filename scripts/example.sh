#!/usr/bin/env bash
# The main job on bundled example data: simulate a WFC3/IR association (4 dithered
# exposures, seed 1, with its synthetic reference files), give each exposure its
# pipeline-default distortion WCS (driz updatewcs), run AstroDrizzle on the association
# (driz astrodrizzle: MDRIZTAB parameters, static mask, sky, separate drizzle, median,
# blot, cosmic rays, final drizzle), write the exposures' headerlets, and describe the
# product. Everything lands in ./example (or the directory given).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-example}"
cargo build --release --quiet --bin driz
driz=target/release/driz
rm -rf "$out"
"$driz" simulate --instrument wfc3-ir --exposures 4 --seed 1 --out "$out"
# shellcheck disable=SC1091
source "$out/ref/env.sh"
flts=("$out"/*_flt.fits)
"$driz" updatewcs "${flts[@]}"
asn=$(ls "$out"/*_asn.fits)
product="$out/$(basename "$asn" _asn.fits)_drz.fits"
"$driz" astrodrizzle --dir "$out" --param build=True --param clean=True "$(basename "$asn")"
for flt in "${flts[@]}"; do
    "$driz" headerlet write "$flt"
done
"$driz" info "$product"
echo "pixel (100, 100) of the product on the sky:"
echo "100 100" | "$driz" pixtosky "$product[sci,1]"
