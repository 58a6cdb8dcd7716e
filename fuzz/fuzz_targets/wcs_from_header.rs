//! Bytes → a header and a lookup table → `HstWcs::from_header`; on success, the forward
//! and inverse transforms at ordinary, huge, negative and NaN positions.
//!
//! Input layout (see README.md; `seed_corpus.py` writes seeds in this layout):
//!   byte 0  WCS key: < 128 → ' ', else 'A' + b % 26
//!   byte 1  table NAXIS1 selector        byte 2  table NAXIS2 selector
//!           (each XORed with a byte of the FNV-1a hash of bytes 8.., see below)
//!   byte 3  number of f32 table values n byte 4  table-header flags
//!   bytes 5..8  table CRPIX/CRVAL/CDELT (signed bytes / 4; -128 → NaN)
//!   then the header text, then the last 4·n bytes (fewer if the input is short) as
//!   little-endian f32 table values. The header text is blank-padded to a multiple of
//!   80 bytes and an END card is appended.
#![no_main]

use driz_header::{CARD_LEN, Header};
use driz_wcs::{HstWcs, LookupTable, TableKind, WcsError, wcs_keys};
use libfuzzer_sys::fuzz_target;

const HUGE: [usize; 8] = [
    usize::MAX,
    usize::MAX / 2,
    usize::MAX / 2 + 1,
    1 << 32,
    (1 << 32) + 1,
    1 << 63,
    3 << 62,
    isize::MAX as usize,
];

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// NAXIS1: mostly small (0 is invalid), sometimes huge.
fn naxis1(b: u8) -> usize {
    if b >= 240 { HUGE[(b % 8) as usize] } else { (b % 17) as usize }
}

/// NAXIS2: mostly "whatever fits the data", else small or huge.
fn naxis2(b: u8, nx: usize, n: usize) -> usize {
    match b {
        0..=127 => n.checked_div(nx).unwrap_or(n),
        128..=239 => (b % 17) as usize,
        _ => HUGE[(b % 8) as usize],
    }
}

fn small_f64(b: u8) -> f64 {
    if b == 0x80 { f64::NAN } else { f64::from(b as i8) / 4.0 }
}

const POSITIONS: [(f64, f64); 12] = [
    (1.0, 1.0),
    (0.0, 0.0),
    (2048.0, 1024.0),
    (4096.5, 2048.5),
    (-1.0e6, 3.0e6),
    (1.0e300, -1.0e300),
    (f64::MAX, f64::MIN),
    (f64::MIN_POSITIVE, -0.0),
    (f64::NAN, 1.0),
    (1.0, f64::NAN),
    (f64::INFINITY, f64::NEG_INFINITY),
    (-2.5e9, 1.0e-300),
];

const SKY: [(f64, f64); 8] = [
    (0.0, 0.0),
    (5.63, -72.05),
    (360.0, 90.0),
    (-720.0, -90.0),
    (1.0e300, 45.0),
    (f64::NAN, 0.0),
    (0.0, f64::INFINITY),
    (180.0, 1.0e-300),
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (params, body) = data.split_at(8);
    let key = if params[0] < 128 { ' ' } else { char::from(b'A' + params[0] % 26) };
    let n = usize::from(params[3]);
    let tail_len = (4 * n).min(body.len());
    let (text, tail) = body.split_at(body.len() - tail_len);
    let values: Vec<f32> = tail
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    // The size selectors are mixed with a hash of the rest of the input: they sit in a
    // few bytes of a long input that mutations rarely touch, and the size classes are
    // few, so letting every mutation re-draw them explores them far better.
    let mix = fnv1a(body);
    let nx = naxis1(params[1] ^ mix as u8);
    let ny = naxis2(params[2] ^ (mix >> 8) as u8, nx, values.len());
    let flags = params[4];

    let mut bytes = text.to_vec();
    bytes.resize(bytes.len().div_ceil(CARD_LEN) * CARD_LEN, b' ');
    bytes.extend_from_slice(format!("{:<80}", "END").as_bytes());
    let Ok(h) = Header::parse(&bytes) else { return };

    let _ = wcs_keys(&h);

    // A table header: the chip header itself (its CRPIXi/CRVALi/CDELTi) or a small one.
    let mut table_header = Header::new();
    for (bit, base, b) in [(1, "CRPIX", params[5]), (2, "CRVAL", params[6]), (4, "CDELT", params[7])] {
        if flags & bit != 0 {
            table_header.set(&format!("{base}1"), small_f64(b));
            table_header.set(&format!("{base}2"), small_f64(b.wrapping_mul(3)));
        }
    }
    let mut calls = 0usize;
    let mut tables = |kind: TableKind, extver: i64| -> Result<LookupTable, WcsError> {
        calls += 1;
        assert!(extver >= 1, "{kind:?} EXTVER {extver}");
        if flags & 0x80 != 0 && calls > 1 {
            return Err(WcsError::BadTable(format!("no {} {extver}", kind.extname())));
        }
        let th = if flags & 8 != 0 { &h } else { &table_header };
        LookupTable::new(th, [nx, ny], values.clone())
    };
    let Ok(wcs) = HstWcs::from_header(&h, key, &mut tables) else { return };

    let _ = wcs.distortion_names();
    let _ = (wcs.celestial.pixel_scale_arcsec(), wcs.celestial.orientation());
    let crpix = wcs.celestial.crpix;
    for (x, y) in POSITIONS.into_iter().chain([(crpix[0], crpix[1])]) {
        let _ = wcs.pix2foc(x, y);
        let (ra, dec) = wcs.pix2world(x, y);
        if ra.is_finite() && dec.is_finite() {
            assert!((0.0..360.0).contains(&ra) && (-90.0..=90.0).contains(&dec), "({x}, {y}) -> ({ra}, {dec})");
        }
        let _ = wcs.world2pix(ra, dec);
    }
    for (ra, dec) in SKY {
        let _ = wcs.world2pix(ra, dec);
    }
    for t in wcs.distortion.d2im.iter().chain(&wcs.distortion.npol).flatten() {
        let _ = t.max_value();
    }

    // Writing the WCS back and reading it again must give a header that parses.
    let mut out = h.clone();
    wcs.celestial.write_to_header(&mut out, key);
    let again = Header::parse(&out.to_bytes()).expect("written header parses");
    let _ = HstWcs::from_header(&again, key, &mut tables);
});
