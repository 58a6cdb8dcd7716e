//! How good a fit is: drizzlepac's `interpret_fit_rms` (RMS in mas from the fitted and
//! reference positions) and `determine_fit_quality` (the checks and the 1–5 category),
//! runastrodriz-spec §6.8–6.9.

use driz_tweak::{ChipFit, FitStatus};

/// One chip as the quality checks see it.
#[derive(Debug, Clone)]
pub struct ChipResult {
    pub image: String,
    pub chip: i64,
    pub group_id: usize,
    /// Magnitudes of the chip's detected sources, catalog order.
    pub mags: Vec<f64>,
    /// Pixel scale (arcsec) of the chip (`HSTWCS.pscale`).
    pub pscale: f64,
    pub fit: ChipFit,
    /// Filled by [`interpret_fit_rms`] (mas).
    pub fit_rms: Option<f64>,
    pub total_rms: f64,
    pub rms_ra: Option<f64>,
    pub rms_dec: Option<f64>,
    pub input_mag: Vec<f64>,
    pub ref_mag: Vec<f64>,
    pub num_fits: usize,
}

impl ChipResult {
    pub fn new(image: &str, chip: i64, group_id: usize, mags: Vec<f64>, pscale: f64, fit: ChipFit) -> ChipResult {
        ChipResult {
            image: image.to_string(),
            chip,
            group_id,
            mags,
            pscale,
            fit,
            fit_rms: None,
            total_rms: f64::NAN,
            rms_ra: None,
            rms_dec: None,
            input_mag: Vec::new(),
            ref_mag: Vec::new(),
            num_fits: 0,
        }
    }
}

/// The reference catalog as the checks need it.
pub struct Reference<'a> {
    pub ra: &'a [f64],
    pub dec: &'a [f64],
    pub mag: &'a [f64],
}

fn population_std(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
}

/// astropy `spherical_offsets_to`: the position of `to` in the offset frame centred on
/// `from`, degrees.
pub fn spherical_offsets(from: (f64, f64), to: (f64, f64)) -> (f64, f64) {
    let (a0, d0) = (from.0.to_radians(), from.1.to_radians());
    let (a, d) = (to.0.to_radians(), to.1.to_radians());
    // Rotate `to` so that `from` sits at (0, 0).
    let (x, y, z) = (d.cos() * a.cos(), d.cos() * a.sin(), d.sin());
    let (x1, y1) = (x * a0.cos() + y * a0.sin(), -x * a0.sin() + y * a0.cos());
    let (x2, z2) = (x1 * d0.cos() + z * d0.sin(), -x1 * d0.sin() + z * d0.cos());
    (y1.atan2(x2).to_degrees(), z2.atan2(x2.hypot(y1)).to_degrees())
}

/// Angular separation (Vincenty), degrees.
pub fn separation(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (l1, p1) = (a.0.to_radians(), a.1.to_radians());
    let (l2, p2) = (b.0.to_radians(), b.1.to_radians());
    let dl = l2 - l1;
    let num1 = p2.cos() * dl.sin();
    let num2 = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos();
    let den = p1.sin() * p2.sin() + p1.cos() * p2.cos() * dl.cos();
    num1.hypot(num2).atan2(den).to_degrees()
}

/// `interpret_fit_rms`: per group, from its first successful chip, the RMS of the fitted
/// positions against the matched, unclipped reference positions (mas, population
/// standard deviations); `TOTAL_RMS` is their mean.
pub fn interpret_fit_rms(chips: &mut [ChipResult], reference: &Reference) {
    let mut groups: Vec<usize> = chips.iter().map(|c| c.group_id).collect();
    groups.sort_unstable();
    groups.dedup();
    struct Group {
        fit_rms: f64,
        rms_ra: f64,
        rms_dec: f64,
        ref_mag: Vec<f64>,
        input_mag: Vec<f64>,
        input_idx: Vec<usize>,
        fitmask: Vec<bool>,
    }
    let mut per_group: Vec<(usize, Group)> = Vec::new();
    let mut obs_rms = Vec::new();
    for &g in &groups {
        let mut current: Option<Group> = None;
        for c in chips.iter_mut() {
            if !matches!(c.fit.status, FitStatus::Success) {
                continue;
            }
            if c.group_id == g && current.is_none() && !per_group.iter().any(|(id, _)| *id == g) {
                let Some(fit) = c.fit.fit.as_ref() else { continue };
                if ((fit.mean_scale - 1.0).abs() > 0.01 || fit.mean_rot.abs() > 0.1) && fit.skew > 0.01 {
                    c.fit.status = FitStatus::Failed("potential singularity in fit".into());
                }
                let mask = &fit.fitmask;
                let ref_idx: Vec<usize> =
                    c.fit.matched_ref_idx.iter().zip(mask).filter(|(_, m)| **m).map(|(i, _)| *i).collect();
                let mut dra = Vec::new();
                let mut ddec = Vec::new();
                let mut sep = Vec::new();
                for (k, &r) in ref_idx.iter().enumerate() {
                    let (Some(&fra), Some(&fdec)) = (c.fit.fit_ra.get(k), c.fit.fit_dec.get(k)) else { continue };
                    let refpos = (reference.ra[r], reference.dec[r]);
                    let (a, d) = spherical_offsets((fra, fdec), refpos);
                    dra.push(a * 3.6e6);
                    ddec.push(d * 3.6e6);
                    sep.push(separation((fra, fdec), refpos) * 3.6e6);
                }
                let fit_rms = population_std(&sep);
                obs_rms.push(fit_rms);
                current = Some(Group {
                    fit_rms,
                    rms_ra: population_std(&dra),
                    rms_dec: population_std(&ddec),
                    ref_mag: ref_idx.iter().map(|&r| reference.mag[r]).collect(),
                    input_mag: c.mags.clone(),
                    input_idx: c.fit.matched_input_idx.clone(),
                    fitmask: mask.clone(),
                });
            } else if let Some(group) = current.as_mut() {
                // Later chips (any group) extend the magnitudes, as upstream's loop does.
                group.input_mag.extend(c.mags.iter().copied());
            }
        }
        if let Some(group) = current {
            per_group.push((g, group));
        }
    }
    let total = if obs_rms.is_empty() { f64::NAN } else { obs_rms.iter().sum::<f64>() / obs_rms.len() as f64 };
    for c in chips.iter_mut() {
        c.total_rms = total;
        c.num_fits = groups.len();
        match per_group.iter().find(|(id, _)| *id == c.group_id) {
            Some((_, g)) => {
                c.fit_rms = Some(g.fit_rms);
                c.rms_ra = Some(g.rms_ra);
                c.rms_dec = Some(g.rms_dec);
                c.ref_mag = g.ref_mag.clone();
                c.input_mag = g
                    .input_idx
                    .iter()
                    .zip(&g.fitmask)
                    .filter(|(_, m)| **m)
                    .filter_map(|(&i, _)| g.input_mag.get(i).copied())
                    .collect();
            }
            None => {
                c.fit_rms = None;
                c.rms_ra = None;
                c.rms_dec = None;
            }
        }
    }
}

/// Pearson correlation coefficient.
fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

/// `check_mag_corr`: input and reference magnitudes of the matches correlate (|r| > 0.5).
fn magnitudes_correlate(c: &ChipResult) -> bool {
    let good = !c.input_mag.iter().any(|m| m.is_infinite());
    if c.input_mag.len() > 1 && good && c.input_mag.len() == c.ref_mag.len() {
        pearson(&c.input_mag, &c.ref_mag).abs() > 0.5
    } else {
        c.input_mag.len() == 1
    }
}

/// The verdict on one chip.
#[derive(Debug, Clone, PartialEq)]
pub struct ChipVerdict {
    pub image: String,
    pub chip: i64,
    pub valid: bool,
    pub compromised: bool,
    pub reason: String,
    pub max_rms: f64,
    pub num_matches: usize,
}

/// What `determine_fit_quality` concludes.
#[derive(Debug, Clone)]
pub struct Quality {
    /// `TOTAL_RMS` of the last chip evaluated (1e9 when none), mas.
    pub rms: f64,
    pub num_matches: usize,
    /// 1 valid, RMS < 20 mas; 2 compromised, < 20; 3 valid, 20–1000; 4 other valid; 5 invalid.
    pub category: u8,
    pub verdicts: Vec<ChipVerdict>,
}

/// Thresholds of the checks.
pub struct QualityLimits {
    pub min_fit_matches: usize,
    pub max_fit_rms: f64,
    pub max_fit_limit: f64,
    pub required_matches: usize,
    pub num_ref_catalog: usize,
}

/// `determine_fit_quality` over the chips of one attempt.
pub fn determine_fit_quality(chips: &[ChipResult], catalogs_remaining: bool, limits: &QualityLimits) -> Quality {
    let mut max_rms = 1e9;
    let (mut xshifts, mut yshifts) = (Vec::new(), Vec::new());
    for c in chips {
        match &c.fit.status {
            FitStatus::Reference => {
                xshifts.push(0.0);
                yshifts.push(0.0);
            }
            FitStatus::Failed(_) => break,
            FitStatus::Success => {
                let s = c.fit.fit.as_ref().map_or([0.0, 0.0], |f| f.shift);
                xshifts.push(s[0]);
                yshifts.push(s[1]);
            }
        }
    }
    let mut overall_valid = true;
    let mut overall_comp = false;
    let mut verdicts = Vec::new();
    let mut num_matches = 0;
    for c in chips {
        num_matches = 0;
        let mut v = ChipVerdict {
            image: c.image.clone(),
            chip: c.chip,
            valid: true,
            compromised: false,
            reason: String::new(),
            max_rms,
            num_matches: 0,
        };
        if let FitStatus::Failed(why) = &c.fit.status {
            tracing::warn!("Alignment FAILED for {} - no processing done ({why}).", c.image);
            overall_valid = false;
            verdicts.push(v);
            continue;
        }
        let Some(fit_rms) = c.fit_rms.filter(|_| !matches!(c.fit.status, FitStatus::Reference)) else {
            v.valid = false;
            v.compromised = true;
            v.reason = "No fit information".into();
            overall_valid = false;
            overall_comp = true;
            verdicts.push(v);
            continue;
        };
        max_rms = c.total_rms;
        num_matches = c.ref_mag.len();
        v.max_rms = max_rms;
        v.num_matches = num_matches;
        if num_matches < limits.min_fit_matches {
            overall_valid = false;
            if catalogs_remaining {
                tracing::warn!(
                    "Not enough cross matches found between astrometric catalog and sources found in {} ({num_matches})",
                    c.image
                );
                verdicts.push(v);
                continue;
            }
        }
        let ref_cat_limit = limits.num_ref_catalog.min(1000) as f64;
        let cross_match_check =
            if (num_matches as f64) < (0.1 * ref_cat_limit).max(10.0) { magnitudes_correlate(c) } else { true };
        let nmatches_check = num_matches >= limits.required_matches || (num_matches >= 2 && fit_rms > 0.5);
        let shift = c.fit.fit.as_ref().map_or([0.0, 0.0], |f| f.shift);
        let radial_offset = shift[0].hypot(shift[1]) * c.pscale;
        let radial_offset_check = (num_matches as f64 + 2.0) * 0.36 > 0.8 + (radial_offset / 10.0).powi(8);
        let large_rms_check = !(fit_rms > limits.max_fit_limit || max_rms > limits.max_fit_limit);
        let rms_limit = c.total_rms.max(limits.max_fit_rms);
        let spread = population_std(&xshifts).hypot(population_std(&yshifts));
        let consistency_check = spread <= (rms_limit / 1000.0) / c.pscale;
        let (valid, compromised, reason) = if !consistency_check {
            (false, false, "Consistency violation!")
        } else if !large_rms_check {
            (false, false, "RMS too large (>150 mas)!")
        } else if !radial_offset_check {
            (false, false, "Radial offset value too large!")
        } else if !nmatches_check {
            (false, true, "Too few matches!")
        } else if !cross_match_check {
            (true, true, "Cross-match magnitudes not correlated!")
        } else {
            (true, false, "")
        };
        v.valid = valid;
        v.compromised = compromised;
        v.reason = reason.into();
        overall_valid &= valid;
        overall_comp |= compromised;
        tracing::info!(
            "RESULTS FOR {} Chip {}: FIT_RMS = {} mas, TOTAL_RMS = {} mas, NUM =  {}",
            c.image,
            c.chip,
            fit_rms,
            max_rms,
            num_matches
        );
        tracing::info!(
            "nmatches_check: {nmatches_check} radial_offset_check: {radial_offset_check} large_rms_check: \
             {large_rms_check}, consistency_check: {consistency_check}"
        );
        verdicts.push(v);
    }
    let category = if !overall_valid {
        tracing::info!("FIT SOLUTION REJECTED");
        5
    } else if !overall_comp && max_rms < limits.max_fit_rms {
        1
    } else if overall_comp && max_rms < limits.max_fit_rms {
        2
    } else if !overall_comp && (limits.max_fit_rms..=1000.0).contains(&max_rms) {
        3
    } else {
        4
    };
    Quality { rms: max_rms, num_matches, category, verdicts }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_separation() {
        // 1 arcsec north and 1 arcsec east (on the sky) of a point at dec 60.
        let from = (10.0, 60.0);
        let to = (10.0 + (1.0 / 3600.0) / 60f64.to_radians().cos(), 60.0 + 1.0 / 3600.0);
        let (dra, ddec) = spherical_offsets(from, to);
        assert!((dra * 3600.0 - 1.0).abs() < 1e-3 && (ddec * 3600.0 - 1.0).abs() < 1e-3, "{dra} {ddec}");
        assert!((separation(from, to) * 3600.0 - 2f64.sqrt()).abs() < 1e-3);
        assert!(separation(from, from).abs() < 1e-15);
    }

    #[test]
    fn pearson_sign() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.1]) - 1.0).abs() < 1e-3);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
    }
}
