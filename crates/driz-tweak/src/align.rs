//! tweakwcs `align_wcs` as drizzlepac calls it (`enforce_user_order=True`, no weights,
//! `sigma` in units of the RMSE, `clip_accum=False`): chips grouped by `group_id`, each
//! group matched and fitted as one rigid body in the tangent plane of its first chip, then
//! every chip of the group corrected (`WCSGroupCatalog.align_to_ref`).

use crate::correction::set_correction;
use crate::error::AlignError;
use crate::frames::{det_to_world, tanp_center_pixel_scale, tanp_to_world, world_to_tanp};
use crate::linfit::{FitGeom, LinearFit, iter_linear_fit};
use crate::xyxymatch::{MatchParams, xyxy_match, xyxy_match_merged};
use driz_wcs::{Celestial, HstWcs};

/// One chip's source catalog and WCS (tweakwcs `FITSWCSCorrector` + `WCSImageCatalog`).
/// Positions are 0-based; non-finite positions are ignored (tweakwcs's "invalid" rows).
#[derive(Debug, Clone)]
pub struct ChipCatalog {
    pub wcs: HstWcs,
    /// `[NAXIS1, NAXIS2]`, for the numerical derivative steps of the WCS correction.
    pub naxis: [usize; 2],
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub group_id: usize,
    pub name: String,
}

/// A reference catalog, degrees. Rows with non-finite values are kept but never matched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefCatalog {
    pub ra: Vec<f64>,
    pub dec: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignOptions {
    pub match_params: MatchParams,
    /// Fewest matches for a fit (runastrodriz: 12).
    pub minobj: usize,
    pub fitgeom: FitGeom,
    /// Clipping iterations (runastrodriz: 1 for `rscale`).
    pub nclip: usize,
    /// Clipping threshold in units of the fit RMSE (tweakwcs default 3).
    pub sigma: f64,
    /// Append each group's unmatched sources to the reference catalog after its fit.
    pub expand_refcat: bool,
    /// How a group of several chips matches a star detected in more than one of them.
    pub coincident: CoincidentSources,
}

/// The detections of one star in several chips of a group, closer than the matcher's
/// `separation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoincidentSources {
    /// tweakwcs: the first in `(y, x)` order is matched, the others are dropped. Selecting
    /// the lowest of N noisy detections biases the fit along y by about one centroid σ.
    #[default]
    FirstInOrder,
    /// The first in `(y, x)` order is matched at the mean position of the star's detections
    /// (one per chip): unbiased, with the noise of the mean.
    Average,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FitStatus {
    Success,
    /// The group that served as reference catalog (no reference catalog given).
    Reference,
    /// The reason after tweakwcs's `"FAILED: "`, e.g. `"not enough matches"`.
    Failed(String),
}

impl FitStatus {
    /// tweakwcs's `fit_info['status']` text.
    pub fn as_tweakwcs(&self) -> String {
        match self {
            FitStatus::Success => "SUCCESS".into(),
            FitStatus::Reference => "REFERENCE".into(),
            FitStatus::Failed(why) => format!("FAILED: {why}"),
        }
    }
}

/// Result for one chip, in input order; chips of a group share the group's match and fit.
/// Indices of input sources refer to the group catalog: the group's chips' sources
/// concatenated in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct ChipFit {
    pub status: FitStatus,
    /// The group's fit (`SUCCESS` only).
    pub fit: Option<LinearFit>,
    /// Number of matched pairs (also reported when the fit failed for too few matches).
    pub nmatches: usize,
    /// Matched reference rows (in the reference catalog used for this group).
    pub matched_ref_idx: Vec<usize>,
    /// Matched group-catalog rows, parallel to `matched_ref_idx` (may repeat a row).
    pub matched_input_idx: Vec<usize>,
    /// Fitted (corrected) sky positions of the matched input sources kept by the fit
    /// (`fit_RA`, `fit_DEC`).
    pub fit_ra: Vec<f64>,
    pub fit_dec: Vec<f64>,
    /// Reference positions of the same pairs (`refcat[matched_ref_idx][fitmask]`).
    pub ref_ra: Vec<f64>,
    pub ref_dec: Vec<f64>,
    /// The corrected WCS (`SUCCESS` only; otherwise the WCS is unchanged).
    pub new_wcs: Option<HstWcs>,
    /// Of this chip's WCS as given.
    pub tanp_center_pixel_scale: f64,
}

impl ChipFit {
    fn new(status: FitStatus, pscale: f64) -> ChipFit {
        ChipFit {
            status,
            fit: None,
            nmatches: 0,
            matched_ref_idx: Vec::new(),
            matched_input_idx: Vec::new(),
            fit_ra: Vec::new(),
            fit_dec: Vec::new(),
            ref_ra: Vec::new(),
            ref_dec: Vec::new(),
            new_wcs: None,
            tanp_center_pixel_scale: pscale,
        }
    }
}

/// A group's combined catalog (tweakwcs `WCSGroupCatalog.catalog`).
struct GroupCatalog {
    /// Input chip indices, in order.
    chips: Vec<usize>,
    /// (chip index, x, y) per row.
    rows: Vec<(usize, f64, f64)>,
    ra: Vec<f64>,
    dec: Vec<f64>,
    /// Sticky validity: once a row fails a conversion it stays out, as in tweakwcs.
    valid: Vec<bool>,
}

/// Reference catalog with tweakwcs's sticky validity flags.
struct WorkingRef {
    ra: Vec<f64>,
    dec: Vec<f64>,
    valid: Vec<bool>,
}

/// tweakwcs `align_wcs(correctors, refcat, enforce_user_order=True, expand_refcat, minobj,
/// match=XYXYMatch(...), fitgeom, nclip, sigma=(sigma, 'rmse'))`.
///
/// Without a reference catalog the first group with sources is the reference (status
/// `Reference`) and its catalog the reference catalog. Groups are then aligned in input
/// order. Returns the per-chip results and the effective reference catalog (expanded when
/// `expand_refcat`). Errors of the matcher (e.g. source confusion) and of the fit (e.g.
/// colinear points) abort the whole call, as exceptions do in tweakwcs.
///
/// With `expand_refcat`, a group's unmatched sources are appended after its fit when the
/// fit succeeded or, for every group after the first aligned one, whatever its status
/// (tweakwcs uses the footprint overlap area there, which is `None` in user order). For
/// the first aligned group without a reference catalog tweakwcs also appends on failure
/// when the two footprints do not overlap at all; this port assumes they overlap.
pub fn align_wcs(
    chips: &[ChipCatalog],
    refcat: Option<&RefCatalog>,
    options: &AlignOptions,
) -> Result<(Vec<ChipFit>, RefCatalog), AlignError> {
    for c in chips {
        if c.x.len() != c.y.len() {
            return Err(AlignError::ChipCatalogShape { name: c.name.clone(), x: c.x.len(), y: c.y.len() });
        }
    }
    let mut results: Vec<ChipFit> = chips
        .iter()
        .map(|c| ChipFit::new(FitStatus::Failed("Unknown error".into()), tanp_center_pixel_scale(&c.wcs)))
        .collect();

    // Groups in order of first appearance; groups without sources are not aligned.
    let mut order: Vec<usize> = Vec::new();
    for c in chips {
        if !order.contains(&c.group_id) {
            order.push(c.group_id);
        }
    }
    let mut groups = Vec::new();
    for gid in order {
        let members: Vec<usize> = (0..chips.len()).filter(|&i| chips[i].group_id == gid).collect();
        let group = group_catalog(chips, members);
        if group.rows.is_empty() {
            for &i in &group.chips {
                results[i].status = FitStatus::Failed("empty source catalog".into());
            }
            continue;
        }
        groups.push(group);
    }
    if groups.is_empty() || (refcat.is_none() && groups.len() < 2) {
        return Err(AlignError::NotEnoughCatalogs);
    }

    let mut groups = groups.into_iter();
    let mut reference = match refcat {
        Some(r) => {
            if r.ra.len() != r.dec.len() {
                return Err(AlignError::RefCatalogShape { ra: r.ra.len(), dec: r.dec.len() });
            }
            let valid: Vec<bool> = r.ra.iter().zip(&r.dec).map(|(a, d)| a.is_finite() && d.is_finite()).collect();
            WorkingRef { ra: r.ra.clone(), dec: r.dec.clone(), valid }
        }
        None => {
            let first = groups.next().ok_or(AlignError::NotEnoughCatalogs)?;
            for &i in &first.chips {
                results[i].status = FitStatus::Reference;
            }
            let valid = first
                .valid
                .iter()
                .zip(first.ra.iter().zip(&first.dec))
                .map(|(&v, (a, d))| v && a.is_finite() && d.is_finite())
                .collect();
            WorkingRef { ra: first.ra, dec: first.dec, valid }
        }
    };
    if !reference.valid.iter().any(|&v| v) {
        return Err(AlignError::EmptyRefCatalog);
    }

    let mut current_wcs: Vec<HstWcs> = chips.iter().map(|c| c.wcs.clone()).collect();
    for (k, mut group) in groups.enumerate() {
        let outcome = align_group(chips, &mut current_wcs, &mut group, &mut reference, options, &mut results)?;
        if options.expand_refcat {
            let first_aligned_without_refcat = refcat.is_none() && k == 0;
            let success = matches!(outcome, GroupOutcome::Success { .. });
            if success || !first_aligned_without_refcat {
                let matched = match &outcome {
                    GroupOutcome::Success { matched } | GroupOutcome::TooFewMatches { matched } => matched,
                    GroupOutcome::NothingToMatch => {
                        return Err(AlignError::NoValidSources(chips[group.chips[0]].group_id));
                    }
                };
                let mut is_matched = vec![false; group.rows.len()];
                for &i in matched {
                    is_matched[i] = true;
                }
                for (i, m) in is_matched.into_iter().enumerate() {
                    if !m {
                        reference.ra.push(group.ra[i]);
                        reference.dec.push(group.dec[i]);
                        reference.valid.push(group.valid[i] && group.ra[i].is_finite() && group.dec[i].is_finite());
                    }
                }
            }
        }
    }
    Ok((results, RefCatalog { ra: reference.ra, dec: reference.dec }))
}

fn group_catalog(chips: &[ChipCatalog], members: Vec<usize>) -> GroupCatalog {
    let mut g = GroupCatalog { chips: members, rows: Vec::new(), ra: Vec::new(), dec: Vec::new(), valid: Vec::new() };
    for &i in &g.chips {
        let c = &chips[i];
        for (&x, &y) in c.x.iter().zip(&c.y) {
            let ok = x.is_finite() && y.is_finite();
            let (ra, dec) = if ok { det_to_world(&c.wcs, x, y) } else { (f64::NAN, f64::NAN) };
            g.rows.push((i, x, y));
            g.ra.push(ra);
            g.dec.push(dec);
            g.valid.push(ok && ra.is_finite() && dec.is_finite());
        }
    }
    g
}

enum GroupOutcome {
    /// No valid source in the group or the reference catalog: nothing was matched.
    NothingToMatch,
    TooFewMatches {
        matched: Vec<usize>,
    },
    Success {
        matched: Vec<usize>,
    },
}

/// tweakwcs `WCSGroupCatalog.align_to_ref` with `ref_tpwcs=None`.
fn align_group(
    chips: &[ChipCatalog],
    current_wcs: &mut [HstWcs],
    group: &mut GroupCatalog,
    reference: &mut WorkingRef,
    options: &AlignOptions,
    results: &mut [ChipFit],
) -> Result<GroupOutcome, AlignError> {
    let first = group.chips[0];
    let plane: Celestial = current_wcs[first].celestial.clone();
    let pscale = tanp_center_pixel_scale(&current_wcs[first]);

    let project = |ra: &[f64], dec: &[f64], valid: &mut [bool]| -> Vec<[f64; 2]> {
        ra.iter()
            .zip(dec)
            .zip(valid.iter_mut())
            .map(|((&a, &d), v)| {
                if !*v {
                    return [f64::NAN, f64::NAN];
                }
                let (x, y) = world_to_tanp(&plane, a, d);
                *v = x.is_finite() && y.is_finite();
                [x, y]
            })
            .collect()
    };
    let img_tp = project(&group.ra, &group.dec, &mut group.valid);
    let ref_tp = project(&reference.ra, &reference.dec, &mut reference.valid);

    let img_sel: Vec<usize> = (0..img_tp.len()).filter(|&i| group.valid[i]).collect();
    let ref_sel: Vec<usize> = (0..ref_tp.len()).filter(|&i| reference.valid[i]).collect();
    let set_all = |results: &mut [ChipFit], f: &dyn Fn(&mut ChipFit)| {
        for &i in &group.chips {
            f(&mut results[i]);
        }
    };
    if img_sel.is_empty() || ref_sel.is_empty() {
        set_all(results, &|r| r.status = FitStatus::Failed("not enough matches".into()));
        return Ok(GroupOutcome::NothingToMatch);
    }
    let img_pts: Vec<[f64; 2]> = img_sel.iter().map(|&i| img_tp[i]).collect();
    let ref_pts: Vec<[f64; 2]> = ref_sel.iter().map(|&i| ref_tp[i]).collect();
    let m = match options.coincident {
        CoincidentSources::FirstInOrder => xyxy_match(&ref_pts, &img_pts, &options.match_params, pscale)?,
        CoincidentSources::Average => {
            let source: Vec<usize> = img_sel.iter().map(|&i| group.rows[i].0).collect();
            xyxy_match_merged(&ref_pts, &img_pts, &source, &options.match_params, pscale)?
        }
    };
    let mref: Vec<usize> = m.ref_idx.iter().map(|&k| ref_sel[k]).collect();
    let minput: Vec<usize> = m.img_idx.iter().map(|&k| img_sel[k]).collect();
    let nmatches = mref.len();
    set_all(results, &|r| {
        r.nmatches = nmatches;
        r.matched_ref_idx = mref.clone();
        r.matched_input_idx = minput.clone();
    });
    if nmatches < options.minobj {
        set_all(results, &|r| r.status = FitStatus::Failed("not enough matches".into()));
        return Ok(GroupOutcome::TooFewMatches { matched: minput });
    }

    let xy: Vec<[f64; 2]> = mref.iter().map(|&i| ref_tp[i]).collect();
    let uv: Vec<[f64; 2]> = m.img_pos;
    let fit = iter_linear_fit(&xy, &uv, options.fitgeom, options.nclip, options.sigma)?;

    let (f, s) = (fit.matrix, fit.shift);
    let mut fit_ra = Vec::new();
    let mut fit_dec = Vec::new();
    let mut ref_ra = Vec::new();
    let mut ref_dec = Vec::new();
    for (k, p) in uv.iter().enumerate().filter(|(k, _)| fit.fitmask[*k]) {
        let x = s[0] + (p[0] * f[0][0] + p[1] * f[0][1]);
        let y = s[1] + (p[0] * f[1][0] + p[1] * f[1][1]);
        let (ra, dec) = tanp_to_world(&plane, x, y);
        fit_ra.push(ra);
        fit_dec.push(dec);
        ref_ra.push(reference.ra[mref[k]]);
        ref_dec.push(reference.dec[mref[k]]);
    }

    for &i in &group.chips {
        let corrected = set_correction(&current_wcs[i], chips[i].naxis, &plane, f, s)?;
        current_wcs[i] = corrected.clone();
        let r = &mut results[i];
        r.status = FitStatus::Success;
        r.fit = Some(fit.clone());
        r.fit_ra = fit_ra.clone();
        r.fit_dec = fit_dec.clone();
        r.ref_ra = ref_ra.clone();
        r.ref_dec = ref_dec.clone();
        r.new_wcs = Some(corrected);
    }

    // Sky positions of the group's sources under the corrected WCSs.
    for (k, &(chip, x, y)) in group.rows.iter().enumerate() {
        if group.valid[k] {
            let (ra, dec) = det_to_world(&current_wcs[chip], x, y);
            group.ra[k] = ra;
            group.dec[k] = dec;
            group.valid[k] = ra.is_finite() && dec.is_finite();
        }
    }
    Ok(GroupOutcome::Success { matched: minput })
}
