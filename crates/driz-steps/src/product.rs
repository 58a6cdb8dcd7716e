//! Writing a drizzled product: primary header from the first input with the drizzle
//! bookkeeping, then `SCI`, `WHT` and `CTX` extensions carrying the output WCS.

use crate::StepError;
use crate::drizzle_step::Product;
use driz_fits::FitsWriter;
use driz_header::{Card, Header};
use ndarray::Array3;
use std::path::Path;

fn extension_header(product: &Product, extname: &str, bunit: Option<&str>) -> Header {
    let mut h = Header::new();
    h.append(Card::new("EXTNAME", extname, "extension name"));
    h.append(Card::new("EXTVER", 1, "extension value"));
    if let Some(b) = bunit {
        h.append(Card::new("BUNIT", b, "units of the data"));
    }
    let mut wcs = product.frame.wcs.clone();
    if wcs.name.is_none() {
        wcs.name = Some("DRZWCS".into());
    }
    wcs.write_to_header(&mut h, ' ');
    h.set("ORIENTAT", product.frame.orientat());
    h
}

/// Write `product` to `path` (atomically), with `primary` as the template primary header.
pub fn write_product(path: &Path, product: &Product, primary: &Header) -> Result<(), StepError> {
    let mut p = primary.clone();
    p.retain(|c| !c.keyword.starts_with('D') || !is_drizzle_record(&c.keyword));
    p.set_with_comment("NDRIZIM", product.chips.len(), "Drizzle, number of images drizzled onto this output");
    p.set_with_comment("EXPTIME", product.texptime, "total exposure time of the distinct inputs");
    p.set_with_comment("TEXPTIME", product.texptime, "total exposure time of the distinct inputs");
    let filename = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    p.set_with_comment("FILENAME", filename.as_str(), "name of file");
    for (k, chip) in product.chips.iter().enumerate() {
        let n = format!("D{:03}", k + 1);
        p.append(Card::new(&format!("{n}VER"), concat!("driz ", env!("CARGO_PKG_VERSION")), "Drizzle, task version"));
        p.append(Card::new(&format!("{n}DATA"), chip.label.as_str(), "Drizzle, input data image"));
        p.append(Card::new(&format!("{n}DEXP"), chip.exptime, "Drizzle, input image exposure time (s)"));
        p.append(Card::new(
            &format!("{n}KERN"),
            product.kernel.to_string(),
            "Drizzle, form of weight distribution kernel",
        ));
        p.append(Card::new(&format!("{n}PIXF"), product.pixfrac, "Drizzle, linear size of drop"));
        p.append(Card::new(&format!("{n}SCAL"), chip.pix_ratio, "Drizzle, pixel size (arcsec) of output image"));
        let wt = match product.weight {
            crate::WeightType::Exp => "EXP",
            crate::WeightType::Err => "ERR",
            crate::WeightType::Ivm => "IVM",
        };
        p.append(Card::new(&format!("{n}WTSC"), wt, "Drizzle, weighting factor for input image"));
        let units = match chip.units {
            crate::InputUnits::Counts => "counts",
            crate::InputUnits::Cps => "cps",
        };
        p.append(Card::new(&format!("{n}INUN"), units, "Drizzle, units of input image"));
        p.append(Card::new(&format!("{n}OUUN"), "cps", "Drizzle, units of output image"));
    }
    let mut w = FitsWriter::create(path)?;
    w.primary(&p)?;
    w.image(&extension_header(product, "SCI", Some(&product.bunit)), product.sci.view())?;
    w.image(&extension_header(product, "WHT", None), product.wht.view())?;
    let ctx_header = extension_header(product, "CTX", None);
    if product.ctx.len() == 1 {
        w.image(&ctx_header, product.ctx[0].view())?;
    } else {
        let (ny, nx) = product.ctx[0].dim();
        let mut cube = Array3::<i32>::zeros((product.ctx.len(), ny, nx));
        for (k, plane) in product.ctx.iter().enumerate() {
            cube.index_axis_mut(ndarray::Axis(0), k).assign(plane);
        }
        w.cube(&ctx_header, cube.view())?;
    }
    w.finish()?;
    Ok(())
}

/// `D001DATA`-style keywords of an earlier drizzle, replaced when the template has them.
fn is_drizzle_record(keyword: &str) -> bool {
    keyword.len() == 8 && keyword[1..4].bytes().all(|b| b.is_ascii_digit())
}
