//! The drizzled product file: `<output>_drz.fits` (PRIMARY, SCI, WHT, CTX, HDRTAB) or,
//! with `build=False`, the three `_sci` (with HDRTAB), `_wht`, `_ctx` files. The headers
//! are the inputs' headers blended by fitsblender's rules (driz-blend) plus the keywords
//! AstroDrizzle sets (exposure bookkeeping, D### drizzle records, output WCS).

use crate::config::{Config, FinalUnits, WeightType};
use crate::error::{AstroDrizzleError, Result};
use crate::final_drizzle::FinalProduct;
use crate::image::Image;
use driz_blend::{BlendedHeaders, ChipHeaders, ColumnData, HeaderTable};
use driz_fits::{Column, Fits, FitsWriter};
use driz_header::{Card, Header};
use ndarray::Array3;
use std::path::{Path, PathBuf};

/// Version string written as PROD_VER and D###VER.
pub const VERSION: &str = concat!("driz ", env!("CARGO_PKG_VERSION"));

/// Write the product; returns the files written. `persist_sky`: the sky step records
/// MDRIZSKY in the inputs, which the header blend must see as drizzlepac's does.
pub fn write_product(
    workdir: &Path,
    product_name: &str,
    product: &FinalProduct,
    images: &[Image],
    config: &Config,
    persist_sky: bool,
) -> Result<Vec<PathBuf>> {
    let first = &images[0];
    let mut blended = blend_inputs(images, persist_sky)?;
    driz_blend::clean_templates(&mut blended.sci, &mut blended.err, &mut blended.dq);
    let root = product_root(product_name);
    let primary = primary_header(&blended.primary, &blended.sci, product, product_name, &root, config);
    let bunit = bunit(first, product.units);
    let sci = extension_header(
        &blended.sci,
        product,
        Extension { extname: "SCI", bunit: Some(&bunit), reset_ccdchip: true, drop_opus_wcs: true },
    );
    let wht = extension_header(
        &blended.err,
        product,
        Extension { extname: "WHT", bunit: None, reset_ccdchip: true, drop_opus_wcs: false },
    );
    let ctx = extension_header(
        &blended.dq,
        product,
        Extension { extname: "CTX", bunit: None, reset_ccdchip: false, drop_opus_wcs: false },
    );
    let table = blended.table.as_ref().map(|t| (t.extension_header(), table_columns(t)));
    let ctx_cube = || -> Option<Array3<i32>> {
        if product.ctx.len() <= 1 {
            return None;
        }
        let (ny, nx) = product.ctx[0].dim();
        let mut cube = Array3::<i32>::zeros((product.ctx.len(), ny, nx));
        for (k, plane) in product.ctx.iter().enumerate() {
            cube.index_axis_mut(ndarray::Axis(0), k).assign(plane);
        }
        Some(cube)
    };
    if config.build {
        let path = workdir.join(product_name);
        let mut w = FitsWriter::create(&path)?;
        let mut p = primary;
        p.set_with_comment("NEXTEND", 3 + table.is_some() as i64, "Number of standard extensions");
        w.primary(&p)?;
        w.image(&sci, product.sci.view())?;
        w.image(&wht, product.wht.view())?;
        if !config.context {
            w.header_only(&ctx)?;
        } else if let Some(cube) = ctx_cube() {
            w.cube(&ctx, cube.view())?;
        } else {
            w.image(&ctx, product.ctx[0].view())?;
        }
        if let Some((header, columns)) = &table {
            w.table(header, columns)?;
        }
        w.finish()?;
        return Ok(vec![path]);
    }
    let stem = product_name.strip_suffix(".fits").unwrap_or(product_name);
    let mut written = Vec::new();
    let mut p = primary;
    p.set_with_comment("NEXTEND", 0, "Number of standard extensions");
    let merged = |ext: &Header| {
        let mut h = p.clone();
        for c in ext.cards() {
            if c.keyword != "EXTNAME" && c.keyword != "EXTVER" {
                h.remove(&c.keyword);
                h.append(c.clone());
            }
        }
        h
    };
    // The three files written side by side (each file's byte swapping overlaps the others'
    // disk writes and syncs).
    let sci_path = workdir.join(format!("{stem}_sci.fits"));
    let wht_path = workdir.join(format!("{stem}_wht.fits"));
    let ctx_path = workdir.join(format!("{stem}_ctx.fits"));
    let write_sci = || -> Result<()> {
        let mut w = FitsWriter::create(&sci_path)?;
        w.primary_image(&merged(&sci), product.sci.view())?;
        if let Some((header, columns)) = &table {
            w.table(header, columns)?;
        }
        Ok(w.finish()?)
    };
    let write_wht = || -> Result<()> {
        let mut w = FitsWriter::create(&wht_path)?;
        w.primary_image(&merged(&wht), product.wht.view())?;
        Ok(w.finish()?)
    };
    let write_ctx = || -> Result<()> {
        if !config.context {
            return Ok(());
        }
        let mut w = FitsWriter::create(&ctx_path)?;
        if let Some(cube) = ctx_cube() {
            w.primary(&merged(&ctx))?;
            w.cube(&Header::new(), cube.view())?;
        } else {
            w.primary_image(&merged(&ctx), product.ctx[0].view())?;
        }
        Ok(w.finish()?)
    };
    let (sci_written, (wht_written, ctx_written)) = rayon::join(write_sci, || rayon::join(write_wht, write_ctx));
    sci_written?;
    wht_written?;
    ctx_written?;
    written.push(sci_path);
    written.push(wht_path);
    if config.context {
        written.push(ctx_path);
    }
    Ok(written)
}

fn product_root(name: &str) -> String {
    let stem = name.strip_suffix(".fits").unwrap_or(name);
    for s in ["_drz", "_drc", "_drw"] {
        if let Some(r) = stem.strip_suffix(s) {
            return r.to_string();
        }
    }
    stem.to_string()
}

/// `ELECTRONS/S` for rates; for counts the part before any `/`.
fn bunit(first: &Image, units: FinalUnits) -> String {
    let b = first.chips[0].info.bunit.trim();
    let base = b.split('/').next().unwrap_or("").trim();
    let base = if base.is_empty() { "ELECTRONS" } else { base };
    match units {
        FinalUnits::Cps => {
            if b.contains('/') {
                b.to_string()
            } else {
                format!("{base}/S")
            }
        }
        FinalUnits::Counts => base.to_string(),
    }
}

/// fitsblender's blend of every input chip's headers, in drizzle order. drizzlepac blends
/// the inputs as the sky step left them (MDRIZSKY moved from the primary header to the SCI
/// headers); driz updates the files only at the end, so that state is recreated here.
fn blend_inputs(images: &[Image], persist_sky: bool) -> Result<BlendedHeaders> {
    let mut chips = Vec::new();
    for image in images {
        let fits = Fits::open(&image.path)?;
        let header = |index: Option<usize>| index.map(|i| fits.hdu(i).header.clone());
        let mut primary = fits.primary_header().clone();
        primary.remove("MDRIZSKY");
        for chip in &image.chips {
            let mut sci = fits.hdu(chip.info.sci).header.clone();
            if persist_sky {
                sci.set_with_comment(
                    "MDRIZSKY",
                    crate::sky::mdrizsky_value(chip.subtracted_sky),
                    "Sky value computed by AstroDrizzle",
                );
            }
            chips.push(ChipHeaders {
                primary: primary.clone(),
                sci,
                err: header(chip.info.err),
                dq: header(chip.info.dq),
            });
        }
    }
    driz_blend::blend_headers(&chips, RULES_DIR)
        .map_err(|e| AstroDrizzleError::Input(format!("{}: header blending: {e}", images[0].path.display())))
}

/// What RULEFILE names as the rules' directory: the rules are built into driz.
const RULES_DIR: &str = "driz-blend/rules";

/// The HDRTAB columns as driz-fits writes them (text padded to numpy's width, which sets
/// the TFORM).
fn table_columns(table: &HeaderTable) -> Vec<(String, Column)> {
    table
        .columns
        .iter()
        .map(|c| {
            let column = match &c.data {
                ColumnData::Text { width, values } => {
                    Column::Text(values.iter().map(|v| format!("{v:<width$}", width = *width)).collect())
                }
                ColumnData::Logical(v) => Column::Logical(v.clone()),
                ColumnData::Integer(v) => Column::Integer(v.clone()),
                ColumnData::Float(v) => Column::Float(v.clone()),
            };
            (c.name.clone(), column)
        })
        .collect()
}

fn primary_header(
    blended_primary: &Header,
    sci_template: &Header,
    product: &FinalProduct,
    name: &str,
    root: &str,
    config: &Config,
) -> Header {
    let mut p = blended_primary.clone();
    p.retain(|c| !is_drizzle_record(&c.keyword) && c.keyword != "MDRIZSKY");
    // The photometry keywords live in the SCI headers of ACS/WFC3 exposures; the product
    // carries them in the primary header, as drizzlepac's header blending does.
    for c in sci_template.cards() {
        if c.keyword.starts_with("PHOT") && !p.contains(&c.keyword) {
            p.append(c.clone());
        }
    }
    let now = driz_fits::utc_now_iso();
    p.set_with_comment("DATE", &now[..10], "date this file was written (yyyy-mm-dd)");
    p.set_with_comment("FILENAME", name, "name of file");
    p.set_with_comment("PROD_VER", VERSION, "Version of software used to create this product");
    p.set_with_comment("ROOTNAME", root, "rootname of the observation set");
    p.set_with_comment("EXPTIME", product.texptime, "exposure duration (seconds)--calculated");
    p.set_with_comment("TEXPTIME", product.texptime, "total exposure time of the distinct inputs");
    p.set_with_comment("EXPSTART", product.expstart, "exposure start time (Modified Julian Date)");
    p.set_with_comment("EXPEND", product.expend, "exposure end time (Modified Julian Date)");
    p.set_with_comment("ASN_MTYP", "PROD-DTH", "Role of the Member in the Association");
    for k in ["DRIZCORR", "DITHCORR"] {
        if p.contains(k) {
            p.set(k, "COMPLETE");
        }
    }
    p.set_with_comment("NDRIZIM", product.chips.len(), "Drizzle, number of images drizzled onto this output");
    let fin = &config.final_drizzle;
    let stem = name.strip_suffix(".fits").unwrap_or(name);
    let fill = match fin.drizzle.fillval {
        None => "INDEF".to_string(),
        Some(v) => driz_header::python_float_repr(v as f64),
    };
    let wkey = match fin.wht_type {
        WeightType::Exp => "",
        WeightType::Err => "ERR",
        WeightType::Ivm => "IVM",
    };
    for (k, chip) in product.chips.iter().enumerate() {
        let n = format!("D{:03}", k + 1);
        let mut add = |suffix: &str, value: driz_header::Value, comment: &str| {
            p.append(Card::new(&format!("{n}{suffix}"), value, comment));
        };
        add("VER", VERSION.into(), "Drizzle, task version");
        add("GEOM", "wcs".into(), "Drizzle, source of geometric information");
        add("DATA", chip.data.as_str().into(), "Drizzle, input data image");
        add("DEXP", chip.exptime.into(), "Drizzle, input image exposure time (s)");
        add("OUDA", name.into(), "Drizzle, output data image");
        add("OUWE", format!("{stem}_wht.fits").into(), "Drizzle, output weighting image");
        add("OUCO", format!("{stem}_ctx.fits").into(), "Drizzle, output context image");
        add("MASK", chip.mask_name.as_str().into(), "Drizzle, input weighting image");
        add("WTSC", chip.weight_scale.into(), "Drizzle, weighting factor for input image");
        add("KERN", fin.drizzle.kernel.to_string().into(), "Drizzle, form of weight distribution kernel");
        add("PIXF", fin.drizzle.pixfrac.into(), "Drizzle, linear size of drop");
        add("COEF", "SIP".into(), "Drizzle, source of coefficients");
        add(
            "OUUN",
            match product.units {
                FinalUnits::Cps => "cps",
                FinalUnits::Counts => "counts",
            }
            .into(),
            "Drizzle, units of output image - counts or cps",
        );
        add("FVAL", fill.as_str().into(), "Drizzle, fill value for zero weight output pix");
        add("WKEY", wkey.into(), "Input image WCS Version used");
        add("SCAL", product.frame.pscale().into(), "Drizzle, pixel size (arcsec) of output image");
        match chip.idcscale {
            Some(s) => add("ISCL", s.into(), "Drizzle, default IDCTAB pixel size(arcsec)"),
            None => add("ISCL", "".into(), "Drizzle, default IDCTAB pixel size(arcsec)"),
        }
    }
    p
}

/// How one product extension's header is derived from its blended template, as
/// drizzlepac's `outputimage.writeFITS` treats the SCI, WHT and CTX headers.
struct Extension<'a> {
    extname: &'a str,
    /// BUNIT to set (SCI); `None` keeps the template's.
    bunit: Option<&'a str>,
    /// CCDCHIP becomes '-999' (SCI and WHT).
    reset_ccdchip: bool,
    /// The OPUS (`O`) alternate WCS is removed too (SCI only: `removeAllAltWCS(fo, [1])`).
    drop_opus_wcs: bool,
}

/// An extension header: a blended template without its WCS, distortion and alternate-WCS
/// keywords, with the output frame's WCS.
fn extension_header(template: &Header, product: &FinalProduct, ext: Extension) -> Header {
    let mut h = Header::new();
    h.append(Card::new("EXTNAME", ext.extname, "extension name"));
    h.append(Card::new("EXTVER", 1, "extension value"));
    for c in template.cards() {
        let k = c.keyword.as_str();
        let kept_wcs = matches!(k, "RADESYS" | "CUNIT1" | "CUNIT2");
        if k.is_empty()
            || driz_fits::is_structural(k)
            || matches!(k, "EXTNAME" | "EXTVER" | "OBJECT" | "MDRIZSKY" | "ORIENTAT")
            || (k == "BUNIT" && ext.bunit.is_some())
            || (is_wcs_or_distortion(k) && !kept_wcs)
            || (ext.drop_opus_wcs && (is_opus_wcs(k) || k == "MJDREF"))
        {
            continue;
        }
        h.append(c.clone());
    }
    if ext.reset_ccdchip && h.contains("CCDCHIP") {
        h.set("CCDCHIP", "-999");
    }
    if h.contains("NCOMBINE") {
        h.set("NCOMBINE", product.n_exposures as i64);
    }
    if let Some(b) = ext.bunit {
        h.set_with_comment("BUNIT", b, "brightness units");
    }
    let mut wcs = product.frame.wcs.clone();
    if wcs.name.is_none() {
        wcs.name = Some("DRZWCS".into());
    }
    let wcsname = wcs.name.clone().unwrap_or_default();
    wcs.write_to_header(&mut h, ' ');
    h.set_with_comment("WCSTYPE", driz_updatewcs::names::wcstype(&wcsname).as_str(), "");
    h.set_with_comment("VAFACTOR", 1.0, "");
    h.set_with_comment("ORIENTAT", product.frame.orientat(), "position angle of image y axis (deg. e of n)");
    driz_blend::remove_distortion_keywords(&mut h);
    h
}

/// Keywords of the OPUS alternate WCS (`WCSNAMEO`, `CRVAL1O`, …).
fn is_opus_wcs(k: &str) -> bool {
    k.strip_suffix('O').is_some_and(|base| WCS_BASES.contains(&base) || base == "MJDREF")
}

/// Keywords of a WCS description; alternate WCSs carry them with a one-letter suffix.
const WCS_BASES: [&str; 24] = [
    "CRPIX1", "CRPIX2", "CRVAL1", "CRVAL2", "CTYPE1", "CTYPE2", "CD1_1", "CD1_2", "CD2_1", "CD2_2", "CDELT1", "CDELT2",
    "CUNIT1", "CUNIT2", "PC1_1", "PC1_2", "PC2_1", "PC2_2", "WCSNAME", "WCSAXES", "RADESYS", "LONPOLE", "LATPOLE",
    "EQUINOX",
];

/// WCS, SIP, lookup-table distortion and alternate-WCS keywords (all keys but `O`),
/// which the product replaces with its own undistorted frame.
fn is_wcs_or_distortion(k: &str) -> bool {
    for base in WCS_BASES {
        if k == base {
            return true;
        }
        if let Some(key) = k.strip_prefix(base)
            && key.len() == 1
            && key.as_bytes()[0].is_ascii_uppercase()
        {
            return key != "O";
        }
    }
    let sip = ["A_", "B_", "AP_", "BP_"].iter().any(|p| k.starts_with(p));
    sip || k.starts_with("CPDIS")
        || k.starts_with("CPERR")
        || k.starts_with("D2IM")
        || k.starts_with("DP1")
        || k.starts_with("DP2")
        || matches!(
            k,
            "CROTA1"
                | "CROTA2"
                | "LONPOLE"
                | "LATPOLE"
                | "RADESYS"
                | "EQUINOX"
                | "NPOLEXT"
                | "SIPNAME"
                | "TDDALPHA"
                | "TDDBETA"
        )
}

/// `D001DATA`-style keywords of an earlier drizzle.
fn is_drizzle_record(keyword: &str) -> bool {
    keyword.len() == 8 && keyword.starts_with('D') && keyword[1..4].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wcs_keywords_are_recognised() {
        for k in ["CRPIX1", "CD1_1", "CRVAL2A", "WCSNAMEB", "RADESYSA", "A_2_0", "BP_ORDER", "CPDIS1", "DP1", "D2IMEXT"]
        {
            assert!(is_wcs_or_distortion(k), "{k}");
        }
        for k in ["CRVAL1O", "WCSNAMEO", "CCDCHIP", "PHOTFLAM", "ORIENTAT"] {
            assert!(!is_wcs_or_distortion(k), "{k}");
        }
    }

    #[test]
    fn product_roots() {
        assert_eq!(product_root("irsky_drz.fits"), "irsky");
        assert_eq!(product_root("j8c0d1010_drc.fits"), "j8c0d1010");
    }
}
