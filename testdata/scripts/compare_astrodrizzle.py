"""Compare two finished AstroDrizzle runs (driz vs drizzlepac 3.11.0) on a `driz simulate` association.

    .venv-ref/bin/python testdata/scripts/compare_astrodrizzle.py DRIZ_WORK REF_WORK SIM_DIR [--json out.json]
        [--aperture 3] [--star-frac 1.0]

DRIZ_WORK and REF_WORK are work directories after a run (same layout, as written by
astrodrizzle_reference_run.py and `driz astrodrizzle`): the product `<out>_drz.fits` or
`<out>_drc.fits` (PRIMARY, SCI, WHT, CTX), the updated inputs (DQ with the CR bit,
MDRIZSKY in the SCI headers) and the intermediates `*_single_sci.fits`, `*_single_wht.fits`,
`*_med.fits`, `*_sci<N>_blt.fits`, `*_sci<N>_crmask.fits`. SIM_DIR is the pristine simulated
association (truth.json, truth_sources.csv, truth/<root>_crmask.fits, truth/<root>_truewcs.fits,
and the untouched inputs).

Reported (and written with --json):
* output frame: shape, WCS keywords, largest frame-corner displacement in pixels;
* final SCI: over pixels with WHT > 0 in both, median and max |Δ| in units of the noise
  σ = 1.4826·MAD of the 3σ-clipped reference SCI pixels (WHT > 0); WHT relative differences;
  CTX agreement;
* aperture photometry (photutils; radius --aperture output pixels, local-background annulus
  2r..3.33r) of the truth stars that are isolated, unsaturated (no DQ 256 within 4 px of the star in
  any input), fully covered (WHT > 0 in both over the annulus) and SNR > 50 in both: driz/ref
  flux ratios. Truth positions are true-sky positions; they are taken to the header (pointing-error)
  frame through each exposure's true WCS -> pixel -> header WCS, then to output pixels with the
  product's SCI WCS, and recentred on the reference image (same positions for both);
* MDRIZSKY per chip (both);
* CR masks per chip (DQ crbit in the updated inputs): counts, fraction of the reference's flagged
  pixels also flagged by driz and vice versa, Jaccard; agreement of the `_crmask.fits` files;
* injected-CR recovery: truth/<root>_crmask.fits is 1 where a simulated CR track deposited charge
  (no amplitude is stored). A truth CR pixel counts as "above 5σ" when
  (FLT − blot) · cf / sqrt(max(blot·cf, 0) + RN²) > 5, with FLT the pristine input, blot the
  reference run's `<root>_sci<N>_blt.fits` (blotted median incl. sky), cf = EXPTIME for count-rate
  data (else 1), RN the mean non-zero READNSE[A-D]; pixels with a non-zero pristine DQ are left out.
  Recovery = fraction of those pixels flagged (DQ crbit) by each tool;
* intermediates: median image and single_sci (median |Δ| / noise, max |Δ|), single_wht relative
  differences, blot images (median |Δ| in units of the per-pixel noise).

PASS/FAIL lines against the acceptance thresholds: final SCI median |Δ| ≤ 0.01 σ; star fluxes within
0.1% (fraction of stars ≥ --star-frac, default all); CR agreement ≥ 95% of flagged pixels (both
directions, all chips together); recovery ≥ 95% of injected CR pixels above 5σ (driz). Lines marked
(info) use informal thresholds. Always exits 0.
"""
import argparse
import csv
import glob
import json
import os
import sys
import traceback

import numpy as np
from astropy.io import fits
from astropy.stats import SigmaClip, sigma_clip
from astropy.wcs import WCS

CRBIT = 4096
SATBIT = 256


# ----------------------------------------------------------------------------- helpers
def jsonable(o):
    if isinstance(o, dict):
        return {str(k): jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [jsonable(v) for v in o]
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        v = float(o)
        return v if np.isfinite(v) else str(v)
    if isinstance(o, float):
        return o if np.isfinite(o) else str(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.ndarray):
        return jsonable(o.tolist())
    return o


def robust_sigma(x, max_n=2_000_000):
    x = np.asarray(x, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan")
    if x.size > max_n:
        x = x[:: int(np.ceil(x.size / max_n))]
    c = sigma_clip(x, sigma=3.0, maxiters=10, masked=False)
    if c.size == 0:
        return float("nan")
    return float(1.4826 * np.median(np.abs(c - np.median(c))))


def diff_stats(a, b, mask, sigma):
    """a = driz, b = ref."""
    n = int(np.count_nonzero(mask))
    if n == 0:
        return dict(n=0)
    d = (a[mask].astype(np.float64) - b[mask].astype(np.float64))
    ad = np.abs(d)
    imax = int(np.argmax(ad))
    idx = np.argwhere(mask)[imax]
    out = dict(n=n, noise=sigma, median_abs=float(np.median(ad)), mean=float(np.mean(d)),
               max_abs=float(ad[imax]), max_at_yx=[int(idx[0]), int(idx[1])],
               p99_abs=float(np.percentile(ad, 99)), identical_fraction=float(np.mean(d == 0)))
    if sigma and np.isfinite(sigma) and sigma > 0:
        out.update(median_abs_over_noise=out["median_abs"] / sigma, max_abs_over_noise=out["max_abs"] / sigma,
                   p99_abs_over_noise=out["p99_abs"] / sigma,
                   frac_above_0p1_noise=float(np.mean(ad > 0.1 * sigma)))
    return out


def rel_stats(a, b, mask):
    n = int(np.count_nonzero(mask))
    if n == 0:
        return dict(n=0)
    r = np.abs(a[mask].astype(np.float64) - b[mask].astype(np.float64)) / np.abs(b[mask].astype(np.float64))
    return dict(n=n, median_rel=float(np.median(r)), p99_rel=float(np.percentile(r, 99)), max_rel=float(np.max(r)),
                identical_fraction=float(np.mean(r == 0)))


def find_product(work):
    p = sorted(glob.glob(os.path.join(work, "*_dr[zcw].fits")))
    p = [x for x in p if not x.endswith(("_sci.fits", "_wht.fits", "_ctx.fits"))]
    return p[0] if p else None


def input_files(work, product):
    """The (updated) inputs of a run: FLC for a _drc product, else FLT (else whatever exists)."""
    kind = "flc" if product and product.endswith("_drc.fits") else "flt"
    files = sorted(glob.glob(os.path.join(work, f"*_{kind}.fits")))
    if not files:
        files = sorted(glob.glob(os.path.join(work, "*_fl[tc].fits")))
    return files


def root_of(path):
    return os.path.basename(path).rsplit("_", 1)[0]


def sci_extvers(h):
    return [x.ver for x in h if x.name == "SCI"]


def read_noise(hdr):
    v = [hdr.get(f"READNSE{a}", 0.0) for a in "ABCD"]
    v = [x for x in v if x]
    return float(np.mean(v)) if v else 0.0


def is_count_rate(bunit):
    return "/S" in (bunit or "").upper()


class Report:
    def __init__(self):
        self.lines = []
        self.verdicts = []

    def p(self, s=""):
        print(s, flush=True)

    def verdict(self, name, ok, detail, info=False):
        tag = ("PASS" if ok else "FAIL") if ok is not None else "N/A "
        s = f"{tag} {'(info) ' if info else ''}{name}: {detail}"
        self.verdicts.append(dict(name=name, result=tag.strip(), info=info, detail=detail))
        print(s, flush=True)


# ----------------------------------------------------------------------------- sections
def compare_wcs(pd, pr, R):
    out = {}
    with fits.open(pd) as hd, fits.open(pr) as hr:
        sd, sr = hd["SCI"].header, hr["SCI"].header
        keys = ["NAXIS1", "NAXIS2", "CRPIX1", "CRPIX2", "CRVAL1", "CRVAL2", "CD1_1", "CD1_2", "CD2_1", "CD2_2",
                "CTYPE1", "CTYPE2", "ORIENTAT", "BUNIT"]
        kd = {}
        for k in keys:
            a, b = sd.get(k), sr.get(k)
            e = dict(driz=a, ref=b)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                e["diff"] = a - b
            elif a != b:
                e["differs"] = True
            kd[k] = e
        out["keywords"] = kd
        pkeys = ["EXPTIME", "TEXPTIME", "NDRIZIM", "EXPSTART", "EXPEND"]
        out["primary"] = {k: dict(driz=hd[0].header.get(k), ref=hr[0].header.get(k)) for k in pkeys}
        out["extensions"] = dict(driz=[(x.name, x.ver) for x in hd], ref=[(x.name, x.ver) for x in hr])
        shape_d, shape_r = hd["SCI"].data.shape, hr["SCI"].data.shape
        out["shape"] = dict(driz=shape_d, ref=shape_r)
        wd, wr = WCS(sd), WCS(sr)
        ny, nx = shape_r
        cx = np.array([0, nx - 1, nx - 1, 0, (nx - 1) / 2])
        cy = np.array([0, 0, ny - 1, ny - 1, (ny - 1) / 2])
        ra, dec = wr.all_pix2world(cx, cy, 0)
        x2, y2 = wd.all_world2pix(ra, dec, 0)
        disp = np.hypot(x2 - cx, y2 - cy)
        out["max_corner_displacement_px"] = float(disp.max())
    R.p("== Output frame")
    R.p(f"   shape driz {shape_d} ref {shape_r}; product names {os.path.basename(pd)} / {os.path.basename(pr)}")
    for k, e in kd.items():
        if e.get("diff") not in (None, 0) or e.get("differs"):
            R.p(f"   {k:9s} driz {e['driz']!r:>26} ref {e['ref']!r:>26}")
    for k, e in out["primary"].items():
        if e["driz"] != e["ref"]:
            R.p(f"   primary {k} driz {e['driz']!r} ref {e['ref']!r}")
    if out["extensions"]["driz"] != out["extensions"]["ref"]:
        R.p(f"   extensions driz {out['extensions']['driz']} ref {out['extensions']['ref']}")
    R.verdict("output shape identical", shape_d == shape_r, f"{shape_d} vs {shape_r}", info=True)
    R.verdict("output WCS (corner displacement ≤ 1e-3 px)", out["max_corner_displacement_px"] <= 1e-3,
              f"{out['max_corner_displacement_px']:.3g} px", info=True)
    return out


def compare_final(pd, pr, R):
    out = {}
    with fits.open(pd) as hd, fits.open(pr) as hr:
        sd, sr = hd["SCI"].data, hr["SCI"].data
        wd, wr = hd["WHT"].data, hr["WHT"].data
        cd = hd["CTX"].data if "CTX" in hd else None
        cr = hr["CTX"].data if "CTX" in hr else None
        if sd.shape != sr.shape:
            R.verdict("final SCI median |Δ| ≤ 0.01 noise", False, f"shapes differ {sd.shape} vs {sr.shape}")
            return dict(error="shape mismatch")
        both = (wd > 0) & (wr > 0) & np.isfinite(sd) & np.isfinite(sr)
        sigma = robust_sigma(sr[(wr > 0) & np.isfinite(sr)])
        out["noise"] = sigma
        out["sci"] = diff_stats(sd, sr, both, sigma)
        out["coverage"] = dict(wht_pos_only_driz=int(np.count_nonzero((wd > 0) & ~(wr > 0))),
                               wht_pos_only_ref=int(np.count_nonzero((wr > 0) & ~(wd > 0))),
                               nan_only_driz=int(np.count_nonzero(np.isnan(sd) & ~np.isnan(sr))),
                               nan_only_ref=int(np.count_nonzero(np.isnan(sr) & ~np.isnan(sd))))
        out["wht"] = rel_stats(wd, wr, (wr > 0) & (wd > 0))
        if cd is not None and cr is not None and getattr(cd, "shape", None) == getattr(cr, "shape", None):
            out["ctx_identical_fraction"] = float(np.mean(cd == cr))
    s = out["sci"]
    R.p("== Final SCI/WHT")
    R.p(f"   noise σ (1.4826·MAD of clipped ref SCI) = {sigma:.6g}; pixels compared {s['n']}")
    if s["n"]:
        R.p(f"   SCI |Δ| median {s['median_abs']:.4g} ({s.get('median_abs_over_noise', float('nan')):.4g} σ), "
            f"p99 {s['p99_abs']:.4g} ({s.get('p99_abs_over_noise', float('nan')):.4g} σ), max {s['max_abs']:.4g} "
            f"({s.get('max_abs_over_noise', float('nan')):.4g} σ) at y,x {s['max_at_yx']}; identical {s['identical_fraction']:.4f}")
    w = out["wht"]
    if w.get("n"):
        R.p(f"   WHT rel |Δ| median {w['median_rel']:.3g}, p99 {w['p99_rel']:.3g}, max {w['max_rel']:.3g}; "
            f"identical {w['identical_fraction']:.4f}")
    R.p(f"   coverage: WHT>0 only in driz {out['coverage']['wht_pos_only_driz']}, only in ref "
        f"{out['coverage']['wht_pos_only_ref']}; NaN only driz {out['coverage']['nan_only_driz']}, only ref "
        f"{out['coverage']['nan_only_ref']}; CTX identical fraction {out.get('ctx_identical_fraction')}")
    m = s.get("median_abs_over_noise")
    R.verdict("final SCI median |Δ| ≤ 0.01 noise", (m is not None and m <= 0.01),
              f"{m:.4g} σ" if m is not None else "no pixels")
    if w.get("n"):
        R.verdict("final WHT median relative |Δ| ≤ 1e-4", w["median_rel"] <= 1e-4, f"{w['median_rel']:.3g}", info=True)
    return out


def truth_positions(sim, ref_inputs, prod_wcs):
    """Truth sources -> header-frame sky -> output pixel; also per-source saturation flag."""
    rows = list(csv.DictReader(open(os.path.join(sim, "truth_sources.csv"))))
    ra = np.array([float(r["ra"]) for r in rows])
    dec = np.array([float(r["dec"]) for r in rows])
    flux = np.array([float(r["flux"]) for r in rows])
    typ = np.array([r["type"] for r in rows])
    n = len(rows)
    hra = np.zeros(n)
    hdec = np.zeros(n)
    cnt = np.zeros(n)
    sat = np.zeros(n, bool)
    for f in ref_inputs:
        root = root_of(f)
        tw = os.path.join(sim, "truth", f"{root}_truewcs.fits")
        if not os.path.exists(tw):
            continue
        with fits.open(tw) as ht, fits.open(f) as hh, fits.open(os.path.join(sim, os.path.basename(f))) as hp:
            for ver in sci_extvers(hh):
                wt = WCS(ht["SCI", ver].header, ht)
                wh = WCS(hh["SCI", ver].header, hh)
                ny, nx = hh["SCI", ver].data.shape
                dq = hp["DQ", ver].data.astype(np.int64) if ("DQ", ver) in hp else np.zeros((ny, nx), np.int64)
                # pre-select with the linear part, then the full model
                xl, yl = wt.wcs_world2pix(ra, dec, 0)
                sel = np.where((xl > -60) & (yl > -60) & (xl < nx + 60) & (yl < ny + 60))[0]
                if sel.size == 0:
                    continue
                x, y = wt.all_world2pix(ra[sel], dec[sel], 0, quiet=True, maxiter=50)
                ins = (x >= 0) & (y >= 0) & (x <= nx - 1) & (y <= ny - 1)
                sel, x, y = sel[ins], x[ins], y[ins]
                if sel.size == 0:
                    continue
                r2, d2 = wh.all_pix2world(x, y, 0)
                hra[sel] += r2
                hdec[sel] += d2
                cnt[sel] += 1
                satmask = (dq & SATBIT) != 0
                if satmask.any():
                    from scipy.ndimage import binary_dilation
                    grown = binary_dilation(satmask, iterations=4)
                    xi = np.clip(np.round(x).astype(int), 0, nx - 1)
                    yi = np.clip(np.round(y).astype(int), 0, ny - 1)
                    sat[sel] |= grown[yi, xi]
    on = cnt > 0
    hra[on] /= cnt[on]
    hdec[on] /= cnt[on]
    ox = np.full(n, np.nan)
    oy = np.full(n, np.nan)
    if on.any():
        ox[on], oy[on] = prod_wcs.all_world2pix(hra[on], hdec[on], 0)
    return dict(flux=flux, type=typ, x=ox, y=oy, on=on, sat=sat, n=n,
                ids=[r["id"] for r in rows])


def compare_photometry(pd, pr, sim, ref_inputs, r_ap, star_frac, R):
    from photutils.aperture import ApertureStats, CircularAnnulus, CircularAperture, aperture_photometry
    from photutils.centroids import centroid_com
    from scipy.spatial import cKDTree
    out = {}
    with fits.open(pd) as hd, fits.open(pr) as hr:
        sd, sr = hd["SCI"].data.astype(np.float64), hr["SCI"].data.astype(np.float64)
        wd, wr = hd["WHT"].data, hr["WHT"].data
        pw = WCS(hr["SCI"].header)
    if sd.shape != sr.shape:
        R.verdict("star fluxes within 0.1%", False, "shapes differ")
        return dict(error="shape mismatch")
    t = truth_positions(sim, ref_inputs, pw)
    ny, nx = sr.shape
    r_in, r_out = 2.0 * r_ap, 3.33 * r_ap
    valid = t["on"] & np.isfinite(t["x"])
    xy = np.column_stack([np.where(valid, t["x"], -1e9), np.where(valid, t["y"], -1e9)])
    tree = cKDTree(xy)
    stars = np.where(valid & (t["type"] == "star"))[0]
    iso_r = r_out + 3.0
    reasons = dict(candidates=len(stars), edge=0, not_isolated=0, saturated=0, not_covered=0, low_snr=0)
    keep = []
    for i in stars:
        x, y = t["x"][i], t["y"][i]
        if x < r_out + 3 or y < r_out + 3 or x > nx - r_out - 4 or y > ny - r_out - 4:
            reasons["edge"] += 1
            continue
        nb = [j for j in tree.query_ball_point([x, y], 2 * iso_r) if j != i]
        bad = False
        for j in nb:
            d = np.hypot(t["x"][j] - x, t["y"][j] - y)
            lim = iso_r if t["type"][j] == "star" else 2 * iso_r
            if d < lim and t["flux"][j] > 0.01 * t["flux"][i]:
                bad = True
            if d < r_ap + 3:
                bad = True
        if bad:
            reasons["not_isolated"] += 1
            continue
        if t["sat"][i]:
            reasons["saturated"] += 1
            continue
        yi, xi = int(round(y)), int(round(x))
        rr = int(np.ceil(r_out)) + 1
        sl = (slice(yi - rr, yi + rr + 1), slice(xi - rr, xi + rr + 1))
        if not ((wr[sl] > 0).all() and (wd[sl] > 0).all() and np.isfinite(sr[sl]).all() and np.isfinite(sd[sl]).all()):
            reasons["not_covered"] += 1
            continue
        keep.append(i)
    keep = np.array(keep, int)
    if keep.size == 0:
        R.verdict("star fluxes within 0.1%", None, f"no usable stars ({reasons})")
        return dict(selection=reasons, n=0)
    # recentre on the reference image (background-subtracted 7x7 centre of mass), same position for both
    pos = []
    shifts = []
    for i in keep:
        x, y = t["x"][i], t["y"][i]
        xi, yi = int(round(x)), int(round(y))
        cut = sr[yi - 3:yi + 4, xi - 3:xi + 4]
        bk = np.median(sr[yi - int(r_out):yi + int(r_out) + 1, xi - int(r_out):xi + int(r_out) + 1])
        c = cut - bk
        c[c < 0] = 0
        if c.sum() > 0:
            cx, cy = centroid_com(c)
            nxp, nyp = xi - 3 + cx, yi - 3 + cy
            if np.hypot(nxp - x, nyp - y) < 1.5:
                shifts.append((nxp - x, nyp - y))
                x, y = nxp, nyp
        pos.append((x, y))
    pos = np.array(pos)
    ap = CircularAperture(pos, r=r_ap)
    an = CircularAnnulus(pos, r_in=r_in, r_out=r_out)
    res = {}
    for name, img, wht in (("driz", sd, wd), ("ref", sr, wr)):
        # sigma-clipped local background
        stc = ApertureStats(img, an, sigma_clip=SigmaClip(sigma=3.0, maxiters=10))
        ph = aperture_photometry(img, ap)
        area = ap.area
        bkg = np.asarray(stc.median)
        fl = np.asarray(ph["aperture_sum"]) - bkg * area
        sig = np.asarray(stc.std)
        tw = np.asarray(ApertureStats(wht.astype(np.float64), ap).median)
        snr = fl * tw / np.sqrt(np.maximum(fl * tw, 0) + area * (sig * tw) ** 2)
        res[name] = dict(flux=fl, bkg=bkg, snr=snr)
    good = (res["driz"]["snr"] > 50) & (res["ref"]["snr"] > 50) & (res["ref"]["flux"] > 0)
    reasons["low_snr"] = int(np.count_nonzero(~good))
    sel = keep[good]
    ratio = res["driz"]["flux"][good] / res["ref"]["flux"][good]
    ref_over_truth = res["ref"]["flux"][good] / t["flux"][sel]
    out = dict(selection=reasons, n=int(good.sum()), aperture_px=r_ap, annulus_px=[r_in, r_out])
    if shifts:
        sh = np.array(shifts)
        out["recentre_shift_median_px"] = [float(np.median(sh[:, 0])), float(np.median(sh[:, 1]))]
    R.p("== Star photometry")
    R.p(f"   selection: {reasons}; used {out['n']}; aperture r={r_ap} px, annulus {r_in:.1f}-{r_out:.1f} px")
    if shifts:
        R.p(f"   truth->output mapping check: median recentring shift {out['recentre_shift_median_px']} px")
    if out["n"] == 0:
        R.verdict("star fluxes within 0.1%", None, "no star with SNR > 50 in both")
        return out
    dev = np.abs(1 - ratio)
    out.update(ratio_median=float(np.median(ratio)), ratio_mean=float(np.mean(ratio)),
               max_abs_1_minus_ratio=float(dev.max()), frac_within_0p1pct=float(np.mean(dev <= 1e-3)),
               ref_over_truth_median=float(np.median(ref_over_truth)),
               stars=[dict(id=t["ids"][i], x=float(p[0]), y=float(p[1]), truth_flux=float(t["flux"][i]),
                           ref_flux=float(fr), driz_flux=float(fd), ratio=float(q))
                      for i, p, fr, fd, q in zip(sel, pos[good], res["ref"]["flux"][good],
                                                 res["driz"]["flux"][good], ratio)])
    worst = int(np.argmax(dev))
    R.p(f"   driz/ref ratio: median {out['ratio_median']:.6f}, max |1-ratio| {out['max_abs_1_minus_ratio']:.3g} "
        f"(star {t['ids'][sel[worst]]} at x,y {pos[good][worst][0]:.1f},{pos[good][worst][1]:.1f}), "
        f"within 0.1%: {out['frac_within_0p1pct']:.4f}; ref/truth median {out['ref_over_truth_median']:.4f} "
        f"(aperture loss, not a tool difference)")
    R.verdict("star fluxes within 0.1%", out["frac_within_0p1pct"] >= star_frac,
              f"{out['frac_within_0p1pct'] * 100:.2f}% of {out['n']} stars (need ≥ {star_frac * 100:.0f}%), "
              f"max |1-ratio| {out['max_abs_1_minus_ratio']:.3g}")
    return out


def compare_sky(din, rin, R):
    out = []
    rmap = {os.path.basename(f).rsplit("_", 1)[0]: f for f in rin}
    R.p("== MDRIZSKY per chip (driz / ref)")
    worst = 0.0
    for f in din:
        root = root_of(f)
        g = rmap.get(root)
        if g is None:
            continue
        with fits.open(f) as hd, fits.open(g) as hr:
            rn = read_noise(hr[0].header)
            for ver in sci_extvers(hr):
                a = hd["SCI", ver].header.get("MDRIZSKY") if ("SCI", ver) in hd else None
                b = hr["SCI", ver].header.get("MDRIZSKY")
                e = dict(root=root, extver=ver, driz=a, ref=b)
                if a is not None and b is not None:
                    e["diff"] = a - b
                    cf = hr[0].header.get("EXPTIME", 1.0) if is_count_rate(hr["SCI", ver].header.get("BUNIT")) else 1.0
                    noise = np.sqrt(max(b * cf, 0) + rn ** 2) / cf
                    e["diff_over_pixel_noise"] = abs(a - b) / noise if noise > 0 else None
                    worst = max(worst, e["diff_over_pixel_noise"] or 0)
                out.append(e)
                R.p(f"   {root}[SCI,{ver}] {a} / {b}" + (f"  Δ={e['diff']:.4g}" if "diff" in e else ""))
    if out:
        ok = all(e.get("diff") is not None for e in out)
        R.verdict("MDRIZSKY |Δ| ≤ 0.01 pixel noise", ok and worst <= 0.01,
                  f"worst {worst:.3g} pixel σ" if ok else "MDRIZSKY missing in one run", info=True)
    return out


def cr_compare(din, rin, dwork, rwork, sim, R):
    out = dict(chips=[])
    rmap = {root_of(f): f for f in rin}
    tot = dict(ref=0, driz=0, both=0, union=0)
    rec = dict(n=0, driz=0, ref=0, excluded_dq=0, truth_pixels=0, no_blot=0)
    R.p("== CR masks (DQ bit %d in the updated inputs)" % CRBIT)
    R.p("   chip                 n_ref  n_driz  ref∩driz/ref  ∩/driz  Jaccard | truth>5σ  rec_ref  rec_driz")
    have_truth = False
    for f in din:
        root = root_of(f)
        g = rmap.get(root)
        if g is None:
            continue
        tfile = os.path.join(sim, "truth", f"{root}_crmask.fits")
        pristine = os.path.join(sim, os.path.basename(g))
        ht = fits.open(tfile) if os.path.exists(tfile) else None
        hp = fits.open(pristine) if os.path.exists(pristine) else None
        with fits.open(f) as hd, fits.open(g) as hr:
            for ver in sci_extvers(hr):
                dd = (hd["DQ", ver].data.astype(np.int64) & CRBIT) != 0
                dr = (hr["DQ", ver].data.astype(np.int64) & CRBIT) != 0
                nb, nr, nd = int((dd & dr).sum()), int(dr.sum()), int(dd.sum())
                nu = int((dd | dr).sum())
                e = dict(root=root, extver=ver, n_ref=nr, n_driz=nd, both=nb,
                         frac_ref_in_driz=nb / nr if nr else None, frac_driz_in_ref=nb / nd if nd else None,
                         jaccard=nb / nu if nu else None)
                tot["ref"] += nr
                tot["driz"] += nd
                tot["both"] += nb
                tot["union"] += nu
                # crmask files (1 = good, 0 = CR)
                cmd = os.path.join(dwork, f"{root}_sci{ver}_crmask.fits")
                cmr = os.path.join(rwork, f"{root}_sci{ver}_crmask.fits")
                if os.path.exists(cmd) and os.path.exists(cmr):
                    a, b = fits.getdata(cmd), fits.getdata(cmr)
                    e["crmask_files_identical_fraction"] = float(np.mean(a == b)) if a.shape == b.shape else None
                # truth recovery
                tr = ""
                if ht is not None and ("CRMASK", ver) in ht and hp is not None:
                    have_truth = True
                    truth = ht["CRMASK", ver].data.astype(bool)
                    blt_file = cmr.replace("_crmask.fits", "_blt.fits")
                    if not os.path.exists(blt_file):
                        blt_file = cmd.replace("_crmask.fits", "_blt.fits")
                    if os.path.exists(blt_file):
                        blt = fits.getdata(blt_file).astype(np.float64)
                        sci = hp["SCI", ver].data.astype(np.float64)
                        pdq = hp["DQ", ver].data.astype(np.int64)
                        cf = hp[0].header.get("EXPTIME", 1.0) if is_count_rate(hp["SCI", ver].header.get("BUNIT")) else 1.0
                        rn = read_noise(hp[0].header)
                        signif = (sci - blt) * cf / np.sqrt(np.maximum(blt * cf, 0) + rn ** 2)
                        cand = truth & (blt != 0)
                        rec["no_blot"] += int((truth & (blt == 0)).sum())
                        rec["excluded_dq"] += int((cand & (pdq != 0)).sum())
                        cand &= (pdq == 0)
                        strong = cand & (signif > 5)
                        ns = int(strong.sum())
                        e.update(truth_pixels=int(truth.sum()), truth_above_5sigma=ns,
                                 recovered_ref=int((strong & dr).sum()), recovered_driz=int((strong & dd).sum()))
                        from scipy.ndimage import binary_dilation
                        tdil = binary_dilation(truth, iterations=1)
                        e["frac_ref_flags_near_truth"] = float((dr & tdil).sum() / nr) if nr else None
                        e["frac_driz_flags_near_truth"] = float((dd & tdil).sum() / nd) if nd else None
                        rec["truth_pixels"] += int(truth.sum())
                        rec["n"] += ns
                        rec["ref"] += e["recovered_ref"]
                        rec["driz"] += e["recovered_driz"]
                        tr = (f" | {ns:8d}  {e['recovered_ref'] / ns if ns else float('nan'):7.4f}  "
                              f"{e['recovered_driz'] / ns if ns else float('nan'):8.4f}")
                    else:
                        tr = " | no blot image"
                fmt = lambda v: f"{v:.4f}" if v is not None else "  -   "
                R.p(f"   {root}[SCI,{ver}]  {nr:7d} {nd:7d}  {fmt(e['frac_ref_in_driz']):>12}  {fmt(e['frac_driz_in_ref']):>6}  "
                    f"{fmt(e['jaccard']):>7}{tr}")
                out["chips"].append(e)
        if ht is not None:
            ht.close()
        if hp is not None:
            hp.close()
    out["total"] = tot
    a = tot["both"] / tot["ref"] if tot["ref"] else None
    b = tot["both"] / tot["driz"] if tot["driz"] else None
    out["total"].update(frac_ref_in_driz=a, frac_driz_in_ref=b, jaccard=tot["both"] / tot["union"] if tot["union"] else None)
    if tot["ref"] == 0 and tot["driz"] == 0:
        R.verdict("CR agreement ≥ 95% of flagged pixels", None, "no CR flags in either run")
    else:
        ok = a is not None and b is not None and a >= 0.95 and b >= 0.95
        R.verdict("CR agreement ≥ 95% of flagged pixels", ok,
                  f"ref flags found by driz {a if a is None else round(a, 4)}, driz flags found by ref "
                  f"{b if b is None else round(b, 4)}, Jaccard {out['total']['jaccard'] and round(out['total']['jaccard'], 4)} "
                  f"(n_ref {tot['ref']}, n_driz {tot['driz']})")
    out["recovery"] = rec
    if have_truth and rec["n"]:
        rec["frac_ref"] = rec["ref"] / rec["n"]
        rec["frac_driz"] = rec["driz"] / rec["n"]
        R.p(f"   truth CR pixels {rec['truth_pixels']}; outside blot coverage {rec['no_blot']}; non-zero pristine DQ "
            f"{rec['excluded_dq']}; above 5σ {rec['n']} (σ from FLT − ref blot, √(blot+RN²))")
        R.verdict("recovery ≥ 95% of injected CR pixels above 5σ (driz)", rec["frac_driz"] >= 0.95,
                  f"{rec['frac_driz'] * 100:.2f}% (reference: {rec['frac_ref'] * 100:.2f}%)")
        R.verdict("recovery ≥ 95% of injected CR pixels above 5σ (reference itself)", rec["frac_ref"] >= 0.95,
                  f"{rec['frac_ref'] * 100:.2f}%", info=True)
    else:
        R.verdict("recovery ≥ 95% of injected CR pixels above 5σ (driz)", None,
                  "no truth CR masks (this simulation has no cosmic rays)" if not have_truth else "no truth CR pixel above 5σ")
    return out


def compare_intermediates(dwork, rwork, R):
    out = dict(single=[], blot=[])
    R.p("== Intermediates")
    meds_r = sorted(glob.glob(os.path.join(rwork, "*_med.fits")))
    if meds_r:
        md = os.path.join(dwork, os.path.basename(meds_r[0]))
        if os.path.exists(md):
            a, b = fits.getdata(md).astype(np.float64), fits.getdata(meds_r[0]).astype(np.float64)
            if a.shape == b.shape:
                m = np.isfinite(a) & np.isfinite(b) & ((a != 0) | (b != 0))
                sig = robust_sigma(b[np.isfinite(b) & (b != 0)])
                s = diff_stats(a, b, m, sig)
                s["zero_only_driz"] = int(((a == 0) & (b != 0)).sum())
                s["zero_only_ref"] = int(((b == 0) & (a != 0)).sum())
                out["median"] = s
                R.p(f"   median image: σ {sig:.4g}; |Δ| median {s.get('median_abs_over_noise', float('nan')):.4g} σ, "
                    f"max {s.get('max_abs', float('nan')):.4g} ({s.get('max_abs_over_noise', float('nan')):.4g} σ); "
                    f"zero only in driz {s['zero_only_driz']}, only in ref {s['zero_only_ref']}")
                mm = s.get("median_abs_over_noise")
                R.verdict("median image median |Δ| ≤ 0.01 noise", mm is not None and mm <= 0.01,
                          f"{mm:.4g} σ" if mm is not None else "-", info=True)
            else:
                out["median"] = dict(error=f"shape {a.shape} vs {b.shape}")
                R.verdict("median image median |Δ| ≤ 0.01 noise", False, f"shape {a.shape} vs {b.shape}", info=True)
        else:
            out["median"] = dict(error="missing in driz run")
            R.p(f"   median image {os.path.basename(meds_r[0])} missing in driz run")
    worst_single = 0.0
    for fr in sorted(glob.glob(os.path.join(rwork, "*_single_sci.fits"))):
        fd = os.path.join(dwork, os.path.basename(fr))
        e = dict(file=os.path.basename(fr))
        if not os.path.exists(fd):
            e["error"] = "missing in driz run"
            out["single"].append(e)
            R.p(f"   {e['file']}: missing in driz run")
            worst_single = float("inf")
            continue
        a, b = fits.getdata(fd).astype(np.float64), fits.getdata(fr).astype(np.float64)
        wa = fits.getdata(fd.replace("_single_sci", "_single_wht"))
        wb = fits.getdata(fr.replace("_single_sci", "_single_wht"))
        if a.shape != b.shape:
            e["error"] = f"shape {a.shape} vs {b.shape}"
            worst_single = float("inf")
        else:
            m = (wa > 0) & (wb > 0) & np.isfinite(a) & np.isfinite(b)
            sig = robust_sigma(b[(wb > 0) & np.isfinite(b)])
            e["sci"] = diff_stats(a, b, m, sig)
            e["wht"] = rel_stats(wa, wb, (wa > 0) & (wb > 0))
            e["wht_pos_only_driz"] = int(((wa > 0) & ~(wb > 0)).sum())
            e["wht_pos_only_ref"] = int(((wb > 0) & ~(wa > 0)).sum())
            e["nan_in_ref"] = int(np.isnan(b).sum())
            e["nan_in_driz"] = int(np.isnan(a).sum())
            worst_single = max(worst_single, e["sci"].get("median_abs_over_noise", float("inf")))
            R.p(f"   {e['file']}: |Δ| median {e['sci'].get('median_abs_over_noise', float('nan')):.4g} σ, max "
                f"{e['sci'].get('max_abs', float('nan')):.4g} ({e['sci'].get('max_abs_over_noise', float('nan')):.4g} σ); "
                f"WHT rel median {e['wht'].get('median_rel', float('nan')):.3g}, max {e['wht'].get('max_rel', float('nan')):.3g}")
        out["single"].append(e)
    if out["single"]:
        R.verdict("single_sci median |Δ| ≤ 0.01 noise (worst exposure)", worst_single <= 0.01, f"{worst_single:.4g} σ",
                  info=True)
    worst_blot = 0.0
    for fr in sorted(glob.glob(os.path.join(rwork, "*_sci*_blt.fits"))):
        fd = os.path.join(dwork, os.path.basename(fr))
        e = dict(file=os.path.basename(fr))
        if not os.path.exists(fd):
            e["error"] = "missing in driz run"
            worst_blot = float("inf")
            R.p(f"   {e['file']}: missing in driz run")
        else:
            a, b = fits.getdata(fd).astype(np.float64), fits.getdata(fr).astype(np.float64)
            if a.shape != b.shape:
                e["error"] = f"shape {a.shape} vs {b.shape}"
                worst_blot = float("inf")
            else:
                root = os.path.basename(fr).split("_sci")[0]
                inp = (glob.glob(os.path.join(rwork, f"{root}_fl[tc].fits")) or [None])[0]
                cf, rn = 1.0, 0.0
                if inp:
                    h0 = fits.getheader(inp, 0)
                    h1 = fits.getheader(inp, 1)
                    rn = read_noise(h0)
                    cf = h0.get("EXPTIME", 1.0) if is_count_rate(h1.get("BUNIT")) else 1.0
                noise = np.sqrt(np.maximum(b * cf, 0) + rn ** 2) / cf
                m = np.isfinite(a) & np.isfinite(b) & ((a != 0) | (b != 0))
                d = np.abs(a - b)[m] / noise[m]
                e.update(n=int(m.sum()), median_abs_over_pixel_noise=float(np.median(d)) if d.size else None,
                         max_abs_over_pixel_noise=float(d.max()) if d.size else None,
                         max_abs=float(np.abs(a - b)[m].max()) if d.size else None)
                if d.size:
                    worst_blot = max(worst_blot, e["median_abs_over_pixel_noise"])
                    R.p(f"   {e['file']}: |Δ| median {e['median_abs_over_pixel_noise']:.4g} pixel σ, max "
                        f"{e['max_abs_over_pixel_noise']:.4g} pixel σ")
        out["blot"].append(e)
    if out["blot"]:
        R.verdict("blot median |Δ| ≤ 0.01 pixel noise (worst chip)", worst_blot <= 0.01, f"{worst_blot:.4g} σ", info=True)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("driz_work")
    ap.add_argument("ref_work")
    ap.add_argument("sim_dir")
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--aperture", type=float, default=3.0, help="aperture radius, output pixels")
    ap.add_argument("--star-frac", type=float, default=1.0,
                    help="fraction of stars that must be within 0.1%% for PASS (default 1.0 = all)")
    a = ap.parse_args(argv)
    R = Report()
    dwork, rwork, sim = (os.path.abspath(x) for x in (a.driz_work, a.ref_work, a.sim_dir))
    result = dict(driz_work=dwork, ref_work=rwork, sim_dir=sim)
    pd, pr = find_product(dwork), find_product(rwork)
    result["products"] = dict(driz=pd and os.path.basename(pd), ref=pr and os.path.basename(pr))
    R.p(f"driz: {dwork}\nref:  {rwork}\nsim:  {sim}")
    for name in ("driz", "ref"):
        rj = os.path.join(dwork if name == "driz" else rwork, "run.json")
        if os.path.exists(rj):
            try:
                j = json.load(open(rj))
                result[f"{name}_run"] = {k: j.get(k) for k in ("wall_seconds", "peak_rss_mb_self", "params", "ok", "error")}
                R.p(f"{name} run.json: wall {j.get('wall_seconds')} s, ok {j.get('ok')}")
            except Exception:  # noqa: BLE001
                pass
    if not pd or not pr:
        R.verdict("products present", False, f"driz {pd}, ref {pr}")
    else:
        if os.path.basename(pd) != os.path.basename(pr):
            R.p(f"NOTE product names differ: {os.path.basename(pd)} vs {os.path.basename(pr)}")
        din = input_files(dwork, pd)
        rin = input_files(rwork, pr)
        sections = [
            ("wcs", lambda: compare_wcs(pd, pr, R)),
            ("final", lambda: compare_final(pd, pr, R)),
            ("photometry", lambda: compare_photometry(pd, pr, sim, rin, a.aperture, a.star_frac, R)),
            ("sky", lambda: compare_sky(din, rin, R)),
            ("cr", lambda: cr_compare(din, rin, dwork, rwork, sim, R)),
            ("intermediates", lambda: compare_intermediates(dwork, rwork, R)),
        ]
        for name, fn in sections:
            try:
                result[name] = fn()
            except Exception as e:  # noqa: BLE001
                traceback.print_exc()
                result[name] = dict(error=repr(e))
                R.verdict(f"section {name}", False, f"error: {e!r}")
    result["verdicts"] = R.verdicts
    acc = [v for v in R.verdicts if not v["info"]]
    n_fail = sum(v["result"] == "FAIL" for v in acc)
    n_pass = sum(v["result"] == "PASS" for v in acc)
    R.p(f"== SUMMARY: {n_pass} PASS, {n_fail} FAIL, {len(acc) - n_pass - n_fail} N/A (acceptance checks)")
    result["summary"] = dict(passed=n_pass, failed=n_fail, na=len(acc) - n_pass - n_fail)
    if a.json_out:
        os.makedirs(os.path.dirname(os.path.abspath(a.json_out)), exist_ok=True)
        with open(a.json_out, "w") as fh:
            json.dump(jsonable(result), fh, indent=1)
        R.p(f"JSON written to {a.json_out}")
    return 0


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001
        traceback.print_exc()
    sys.exit(0)
