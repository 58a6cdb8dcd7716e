//! `driz drizzle` and `driz blot`: drizzle chips into a product, blot a product back.

use anyhow::{Context, bail};
use clap::Args;
use driz_fits::{Fits, FitsWriter, parse_file_spec};
use driz_kernels::{Interp, Kernel};
use driz_steps::{
    BlotOptions, DrizzleOptions, InputUnits, WeightType, blot_onto_chip, chips_of, drizzle_chips, write_product,
};
use driz_wcs::{Frame, FrameOverrides};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DrizzleArgs {
    /// Output product (SCI, WHT, CTX)
    #[arg(long, short)]
    pub output: PathBuf,
    /// Use this image's WCS (and size) as the output frame, e.g. 'ref_drz.fits[sci,1]'
    #[arg(long = "ref")]
    pub reference: Option<String>,
    /// square, point, turbo, gaussian, lanczos2, lanczos3
    #[arg(long, default_value = "square")]
    pub kernel: Kernel,
    #[arg(long, default_value_t = 1.0)]
    pub pixfrac: f64,
    /// Output pixel scale, arcsec
    #[arg(long)]
    pub scale: Option<f64>,
    /// Orientation of the output +Y axis, degrees east of north (0 = north up)
    #[arg(long)]
    pub rot: Option<f64>,
    /// Output size in pixels, NX NY
    #[arg(long, num_args = 2, value_names = ["NX", "NY"])]
    pub size: Option<Vec<f64>>,
    /// Output reference position RA DEC, degrees
    #[arg(long, num_args = 2, value_names = ["RA", "DEC"], allow_negative_numbers = true)]
    pub center: Option<Vec<f64>>,
    /// Weighting: EXP (exposure time), ERR ((EXPTIME/ERR)^2) or IVM (IVM extensions)
    #[arg(long = "wht-type", default_value = "EXP")]
    pub wht_type: WeightType,
    /// DQ bits that count as good (sum of flags); any other set bit masks the pixel
    #[arg(long, default_value_t = 0)]
    pub bits: u32,
    /// Input units (default: from BUNIT, a '/' means cps)
    #[arg(long, value_parser = ["cps", "counts"])]
    pub units: Option<String>,
    /// Value for pixels without weight: a number, NaN or INDEF (default: INDEF, left NaN)
    #[arg(long, default_value = "INDEF")]
    pub fillval: String,
    /// Inputs: FILE (all SCI chips) or FILE[sci,N]
    #[arg(required = true)]
    pub inputs: Vec<String>,
}

#[derive(Args, Debug)]
pub struct BlotArgs {
    #[arg(long, short)]
    pub output: PathBuf,
    /// nearest, linear, poly3, poly5, lanczos3, lanczos5
    #[arg(long, default_value = "poly5")]
    pub interp: Interp,
    /// Keep the blotted image a count rate instead of multiplying by the exposure time
    #[arg(long)]
    pub cps: bool,
    #[arg(long, default_value_t = 0.0)]
    pub fillval: f32,
    /// The drizzled image
    pub drizzled: PathBuf,
    /// The chip to blot onto: FILE[sci,N]
    pub target: String,
}

fn parse_fill(text: &str) -> anyhow::Result<Option<f32>> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("indef") {
        return Ok(None);
    }
    if t.eq_ignore_ascii_case("nan") {
        return Ok(Some(f32::NAN));
    }
    Ok(Some(t.parse::<f32>().with_context(|| format!("--fillval {t:?} is not a number, NaN or INDEF"))?))
}

fn reference_frame(spec: &str) -> anyhow::Result<Frame> {
    let (path, hdu) = parse_file_spec(spec).map_err(|e| anyhow::anyhow!("--ref {e}"))?;
    let mut fits = Fits::open(&path)?;
    let index = match hdu {
        Some(h) => fits.find(&h)?,
        None => fits.position("SCI", 1).unwrap_or(0),
    };
    let size =
        fits.hdu(index).image_size().with_context(|| format!("--ref {spec}: the extension has no image size"))?;
    let wcs = fits.wcs(index, ' ')?;
    Ok(Frame { wcs: wcs.celestial, size })
}

pub fn run_drizzle(args: &DrizzleArgs) -> anyhow::Result<i32> {
    if args.pixfrac.is_nan() || args.pixfrac < 0.0 {
        bail!("--pixfrac must be >= 0, got {}", args.pixfrac);
    }
    let mut chips = Vec::new();
    let mut primary = None;
    for input in &args.inputs {
        let (path, hdu) = parse_file_spec(input).map_err(|e| anyhow::anyhow!("{e}"))?;
        if primary.is_none() {
            primary = Some(Fits::open(&path)?.primary_header().clone());
        }
        chips.extend(chips_of(&path, hdu.as_ref())?);
    }
    let overrides = FrameOverrides {
        ra_dec: args.center.as_ref().map(|c| (c[0], c[1])),
        scale: args.scale,
        rot: args.rot,
        crpix: None,
        size: args.size.as_ref().map(|s| [s[0], s[1]]),
    };
    let options = DrizzleOptions {
        kernel: args.kernel,
        pixfrac: args.pixfrac,
        reference_frame: args.reference.as_deref().map(reference_frame).transpose()?,
        overrides,
        weight: args.wht_type,
        bits: args.bits,
        units: args.units.as_deref().map(|u| if u == "cps" { InputUnits::Cps } else { InputUnits::Counts }),
        fillval: parse_fill(&args.fillval)?,
    };
    let product = drizzle_chips(&chips, &options)?;
    write_product(&args.output, &product, primary.as_ref().expect("at least one input"))?;
    let covered = product.wht.iter().filter(|&&w| w > 0.0).count();
    println!(
        "{}: {}x{} pixels, {} chips, {} with weight, EXPTIME {} s",
        args.output.display(),
        product.frame.size[0],
        product.frame.size[1],
        product.chips.len(),
        covered,
        product.texptime
    );
    Ok(0)
}

pub fn run_blot(args: &BlotArgs) -> anyhow::Result<i32> {
    let (path, hdu) = parse_file_spec(&args.target).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hdu = hdu.unwrap_or(driz_fits::HduSpec::Name("SCI".into(), 1));
    let chip = chips_of(&path, Some(&hdu))?.remove(0);
    let options = BlotOptions { interp: args.interp, to_counts: !args.cps, fillval: args.fillval };
    let blotted = blot_onto_chip(&args.drizzled, &chip, &options)?;
    let target = Fits::open(&path)?;
    let mut header = target.hdu(chip.sci).header.clone();
    header.set_with_comment("BUNIT", if args.cps { "ELECTRONS/S" } else { "ELECTRONS" }, "units of the blotted data");
    header.add_history(&format!("blotted from {} with {:?} interpolation", args.drizzled.display(), args.interp));
    let mut w = FitsWriter::create(&args.output)?;
    w.primary(target.primary_header())?;
    w.image(&header, blotted.view())?;
    w.finish()?;
    println!("{}: {}x{} blotted from {}", args.output.display(), chip.size[0], chip.size[1], args.drizzled.display());
    Ok(0)
}
