//! What the simulated instruments look like: detector geometry, the synthetic distortion
//! model written to the IDCTAB, gain, read noise, full well, sky, PSF, units, names.
//! Adding an instrument means adding one more [`InstrumentSpec`] here.

/// A supported instrument/detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instrument {
    AcsWfc,
    Wfc3Uvis,
    Wfc3Ir,
}

impl Instrument {
    pub fn parse(s: &str) -> Option<Instrument> {
        match s.to_ascii_lowercase().as_str() {
            "acs-wfc" | "acs/wfc" | "acs" => Some(Instrument::AcsWfc),
            "wfc3-uvis" | "wfc3/uvis" | "uvis" => Some(Instrument::Wfc3Uvis),
            "wfc3-ir" | "wfc3/ir" | "ir" => Some(Instrument::Wfc3Ir),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Instrument::AcsWfc => "acs-wfc",
            Instrument::Wfc3Uvis => "wfc3-uvis",
            Instrument::Wfc3Ir => "wfc3-ir",
        }
    }

    pub fn spec(self) -> InstrumentSpec {
        match self {
            Instrument::AcsWfc => acs_wfc(),
            Instrument::Wfc3Uvis => wfc3_uvis(),
            Instrument::Wfc3Ir => wfc3_ir(),
        }
    }
}

/// One row of the synthetic IDCTAB (a forward model of one chip).
#[derive(Debug, Clone, PartialEq)]
pub struct IdcRow {
    pub xref: f64,
    pub yref: f64,
    pub v2ref: f64,
    pub v3ref: f64,
    pub theta: f64,
    pub scale: f64,
    /// `CX10, CX11, CX20, CX21, CX22, …, CX44` (degree 1..=4).
    pub cx: [f64; 14],
    pub cy: [f64; 14],
}

/// One chip (SCI extension) of the detector.
#[derive(Debug, Clone, PartialEq)]
pub struct ChipSpec {
    pub extver: i64,
    pub ccdchip: i64,
    /// Full chip size `[nx, ny]`.
    pub full: [usize; 2],
    /// Region written with `--small`: `[x0, y0, nx, ny]` (0-based offsets into the chip).
    pub small: [usize; 4],
    pub idc: IdcRow,
    /// Amplifiers read out on this chip (their ATODGN/READNSE keywords).
    pub amps: &'static str,
}

/// Everything instrument-specific.
#[derive(Debug, Clone, PartialEq)]
pub struct InstrumentSpec {
    pub instrument: Instrument,
    pub instrume: &'static str,
    pub detector: &'static str,
    /// `("FILTER1", "F606W"), ("FILTER2", "CLEAR2L")` or `("FILTER", "F160W")`.
    pub filters: Vec<(&'static str, &'static str)>,
    /// Filter combinations with rows in the IDCTAB (the simulated one first).
    pub idctab_filters: &'static [&'static [&'static str]],
    /// IRAF-style prefix of the reference files (`jref`, `iref`).
    pub prefix: &'static str,
    /// Reference-file rootname stem (`simacs` → `simacs_idc.fits`, …).
    pub ref_root: &'static str,
    /// Rootname letter (`j` ACS, `i` WFC3).
    pub letter: char,
    pub chips: Vec<ChipSpec>,
    pub gain: f64,
    pub readnoise: f64,
    /// Full well in electrons.
    pub full_well: f64,
    /// Sky in e-/s/pixel.
    pub sky_rate: f64,
    /// PSF core FWHM in pixels.
    pub fwhm: f64,
    /// Magnitude giving 1 e-/s.
    pub zeropoint: f64,
    /// true: FLT in e-/s (IR); false: electrons (CCDs).
    pub count_rate: bool,
    pub bunit: &'static str,
    pub cosmic_rays: bool,
    pub bleed: bool,
    pub has_flc: bool,
    pub exptime: f64,
    /// Output scale of the pipeline drizzle (MDRIZTAB `final_scale`), arcsec.
    pub final_scale: f64,
    pub aperture: &'static str,
    pub small_aperture: &'static str,
    /// DQ bits the pipeline treats as good (`final_bits`).
    pub final_bits: i64,
    /// Hot-pixel fraction and DQ flag.
    pub hot_fraction: f64,
    pub photflam: f64,
    pub photplam: f64,
    pub photbw: f64,
    pub photmode: &'static str,
    /// Lookup-table grid of the D2IM/NPOL files: `[nx, ny, step]`.
    pub lookup_grid: [usize; 3],
}

impl InstrumentSpec {
    /// The reference chip of updatewcs (CCDCHIP 2 for ACS/WFC, the only chip for IR).
    pub fn reference_chip(&self) -> usize {
        self.chips.iter().position(|c| c.ccdchip == 2).unwrap_or(0)
    }

    /// Filter string of the MDRIZTAB (`F606W,CLEAR2L`, `F160W`).
    pub fn filter_string(&self) -> String {
        self.filters.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(",")
    }

    /// Region of a chip written for `small`: `[x0, y0, nx, ny]`.
    pub fn region(&self, chip: &ChipSpec, small: bool) -> [usize; 4] {
        if small { chip.small } else { [0, 0, chip.full[0], chip.full[1]] }
    }
}

fn acs_wfc() -> InstrumentSpec {
    // The polynomial of the real ACS/WFC F606W model (postsm4_idc.fits rows 1 and 2).
    let chip1 = IdcRow {
        xref: 2048.0,
        yref: 1024.0,
        v2ref: 260.88705,
        v3ref: 198.33223,
        theta: 0.0,
        scale: 0.05,
        cx: [
            0.002264216309413314,
            0.049224790185689926,
            8.915748139770585e-08,
            -3.5612777082860703e-07,
            4.1262410377385095e-07,
            2.266911918596959e-12,
            -2.593104377057731e-11,
            -6.270992405910114e-12,
            -2.2900466245534545e-11,
            6.309500990252237e-15,
            -6.399329151945911e-16,
            4.540226616840453e-15,
            1.7839720891125403e-15,
            8.656075327546399e-16,
        ],
        cy: [
            0.0485820472240448,
            0.002129077212885022,
            -4.7121923785198305e-07,
            2.961410814350529e-07,
            -1.259517858898107e-07,
            -1.9984800272987435e-11,
            -2.5932728187072485e-12,
            -2.1621175336217213e-11,
            3.37469678937663e-12,
            -7.120431699228665e-15,
            1.3100533434754966e-15,
            -4.847722870099814e-15,
            -1.78288089891824e-15,
            -7.826181562584197e-16,
        ],
    };
    let chip2 = IdcRow {
        xref: 2048.0,
        yref: 1024.0,
        v2ref: 256.62222,
        v3ref: 302.2264,
        theta: 0.0,
        scale: 0.05,
        cx: [
            0.0019588018767535686,
            0.04983136057853699,
            9.380623566812574e-08,
            -2.4688230837455194e-07,
            4.227007650570158e-07,
            -2.7874921880270687e-13,
            -2.6206916844961903e-11,
            -2.978061373892782e-12,
            -2.340462719463421e-11,
            7.247582356039849e-16,
            -1.2005082664729924e-15,
            1.6563878573114797e-15,
            9.081545138559256e-17,
            1.1484999141159863e-15,
        ],
        cy: [
            0.05027373135089874,
            0.0014875605702400208,
            -3.595972657421953e-07,
            3.0318295785036753e-07,
            -7.508212007678594e-08,
            -2.097556156543945e-11,
            -3.880238578363171e-12,
            -2.5626955418855957e-11,
            3.6035876973400383e-12,
            -4.783603746542084e-16,
            5.7549821892445e-16,
            -1.7891514838267635e-15,
            -1.8707789372229171e-16,
            -8.539051902531705e-16,
        ],
    };
    InstrumentSpec {
        instrument: Instrument::AcsWfc,
        instrume: "ACS",
        detector: "WFC",
        filters: vec![("FILTER1", "F606W"), ("FILTER2", "CLEAR2L")],
        idctab_filters: &[&["F606W", "CLEAR2L"], &["F814W", "CLEAR2L"], &["CLEAR1L", "F814W"], &["F475W", "CLEAR2L"]],
        prefix: "jref",
        ref_root: "simacs",
        letter: 'j',
        // SCI,1 is WFC2 (CCDCHIP 2, the lower chip), SCI,2 is WFC1. With --small both are
        // 512×256 subarrays on either side of the inter-chip gap.
        chips: vec![
            ChipSpec {
                extver: 1,
                ccdchip: 2,
                full: [4096, 2048],
                small: [1792, 1792, 512, 256],
                idc: chip2,
                amps: "CD",
            },
            ChipSpec { extver: 2, ccdchip: 1, full: [4096, 2048], small: [1792, 0, 512, 256], idc: chip1, amps: "AB" },
        ],
        gain: 2.0,
        readnoise: 4.5,
        full_well: 84_700.0,
        sky_rate: 0.12,
        fwhm: 2.0,
        zeropoint: 26.5,
        count_rate: false,
        bunit: "ELECTRONS",
        cosmic_rays: true,
        bleed: true,
        has_flc: true,
        exptime: 400.0,
        final_scale: 0.05,
        aperture: "WFC",
        small_aperture: "WFC-SIM512",
        final_bits: 336,
        hot_fraction: 1e-3,
        photflam: 7.8624e-20,
        photplam: 5921.9,
        photbw: 672.3,
        photmode: "ACS WFC1 F606W MJD#60000.1000",
        lookup_grid: [65, 33, 64],
    }
}

fn wfc3_uvis() -> InstrumentSpec {
    // A synthetic model with the WFC3/UVIS geometry: 0.0396″ pixels whose axes are 86° apart
    // on the sky (the CX10 skew term), THETA 45° between the detector and V2/V3, and the two
    // chips 2051 rows + a 31-row gap apart along the detector's y axis. SCI,1 is UVIS2
    // (CCDCHIP 2, the reference chip of updatewcs).
    let row = |v2ref: f64, v3ref: f64, tweak: f64| IdcRow {
        xref: 2048.0,
        yref: 1026.0,
        v2ref,
        v3ref,
        theta: 45.0,
        scale: 0.0396,
        cx: [
            0.00271,
            0.039553,
            -1.9e-8 * tweak,
            5.2e-8,
            -2.8e-8 * tweak,
            3.1e-13,
            -6.4e-13 * tweak,
            2.2e-13,
            -4.0e-13,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        cy: [
            0.039391,
            0.00043,
            4.4e-8 * tweak,
            -2.7e-8,
            3.6e-8,
            -5.5e-13 * tweak,
            2.0e-13,
            -3.9e-13,
            1.4e-13 * tweak,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
    };
    // UVIS1 sits 2082 rows above UVIS2 along the (skewed) detector y axis: that offset in
    // the IDC frame, turned into V2/V3 through THETA and the UVIS parity (-1, 1), the inverse
    // of how updatewcs places a chip relative to the reference chip.
    let (v2_uvis2, v3_uvis2) = (-30.2, -20.3);
    let base = row(0.0, 0.0, 1.0);
    let (dx, dy) = (2082.0 * base.cx[0], 2082.0 * base.cy[0]);
    let psi = dx.atan2(dy) - base.theta.to_radians();
    let distance = dx.hypot(dy);
    let (dv2, dv3) = (-distance * psi.sin(), distance * psi.cos());
    InstrumentSpec {
        instrument: Instrument::Wfc3Uvis,
        instrume: "WFC3",
        detector: "UVIS",
        filters: vec![("FILTER", "F606W")],
        idctab_filters: &[&["F606W"], &["F814W"], &["F438W"], &["F275W"]],
        prefix: "iref",
        ref_root: "simuvis",
        letter: 'i',
        // With --small both are 512×256 subarrays on either side of the inter-chip gap.
        chips: vec![
            ChipSpec {
                extver: 1,
                ccdchip: 2,
                full: [4096, 2051],
                small: [1792, 1795, 512, 256],
                idc: row(v2_uvis2, v3_uvis2, 1.0),
                amps: "CD",
            },
            ChipSpec {
                extver: 2,
                ccdchip: 1,
                full: [4096, 2051],
                small: [1792, 0, 512, 256],
                idc: row(v2_uvis2 + dv2, v3_uvis2 + dv3, 0.9),
                amps: "AB",
            },
        ],
        gain: 1.55,
        readnoise: 3.1,
        full_well: 63_000.0,
        sky_rate: 0.08,
        fwhm: 1.8,
        zeropoint: 26.08,
        count_rate: false,
        bunit: "ELECTRONS",
        cosmic_rays: true,
        bleed: true,
        has_flc: true,
        exptime: 350.0,
        final_scale: 0.0396,
        aperture: "UVIS",
        small_aperture: "UVIS-SIM512",
        final_bits: 336,
        hot_fraction: 1e-3,
        photflam: 1.1e-19,
        photplam: 5887.0,
        photbw: 672.0,
        photmode: "WFC3 UVIS2 F606W CAL",
        lookup_grid: [65, 34, 64],
    }
}

fn wfc3_ir() -> InstrumentSpec {
    // A synthetic model with the WFC3/IR pixel scales (0.1355″ × 0.1211″), 45° THETA
    // and a modest smooth distortion.
    let idc = IdcRow {
        xref: 507.0,
        yref: 507.0,
        v2ref: -1.019,
        v3ref: -0.523,
        theta: 45.0,
        scale: 0.1283,
        cx: [1.9e-4, 0.13553, 8.1e-8, -4.3e-8, 6.2e-8, 1.1e-11, -2.4e-11, 7.0e-12, -1.5e-11, 0.0, 0.0, 0.0, 0.0, 0.0],
        cy: [0.12108, 3.3e-4, -5.4e-8, 9.9e-8, -3.1e-8, -1.9e-11, 6.0e-12, -2.2e-11, 8.0e-12, 0.0, 0.0, 0.0, 0.0, 0.0],
    };
    InstrumentSpec {
        instrument: Instrument::Wfc3Ir,
        instrume: "WFC3",
        detector: "IR",
        filters: vec![("FILTER", "F160W")],
        idctab_filters: &[&["F160W"], &["F140W"], &["F125W"], &["F110W"]],
        prefix: "iref",
        ref_root: "simir",
        letter: 'i',
        chips: vec![ChipSpec {
            extver: 1,
            ccdchip: 1,
            full: [1014, 1014],
            small: [379, 379, 256, 256],
            idc,
            amps: "ABCD",
        }],
        gain: 2.5,
        readnoise: 20.0,
        full_well: 77_000.0,
        sky_rate: 0.9,
        fwhm: 1.3,
        zeropoint: 25.95,
        count_rate: true,
        bunit: "ELECTRONS/S",
        cosmic_rays: false,
        bleed: false,
        has_flc: false,
        exptime: 302.9,
        final_scale: 0.1283,
        aperture: "IR",
        small_aperture: "IRSUB256",
        final_bits: 576,
        hot_fraction: 1e-3,
        photflam: 1.9275e-20,
        photplam: 15369.2,
        photbw: 826.3,
        photmode: "WFC3 IR F160W",
        lookup_grid: [33, 33, 32],
    }
}

/// `(i, j)` of the 14 coefficients of a degree-4 IDCTAB row, in column order.
pub fn idc_terms() -> Vec<(usize, usize)> {
    (1..=4).flat_map(|i| (0..=i).map(move |j| (i, j))).collect()
}
