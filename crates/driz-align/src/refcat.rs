//! The reference catalog of the field (runastrodriz-spec §6.6): the field's combined WCS,
//! its centre and radius, the epoch, and the catalog from the service or a file.

use crate::config::CatalogSource;
use crate::error::{AlignError, Result};
use crate::exposures::ExposureData;
use crate::quality::separation;
use driz_catalog::{CatalogQuery, CatalogService, RefCatalog};
use driz_wcs::{Frame, FrameChip, FrameReference, default_frame};
use tracing::info;

/// The field's WCS: a single undistorted chip without IDCSCALE as it is, else stwcs's
/// combined output WCS of every chip (the frame astrodrizzle would make).
pub fn field_frame(images: &[ExposureData]) -> Result<Frame> {
    let chips: Vec<_> = images.iter().flat_map(|im| im.chips.iter()).collect();
    if chips.len() == 1
        && !chips[0].wcs.has_distortion()
        && chips[0].header.get_f64("IDCSCALE").ok().flatten().is_none()
    {
        return Ok(Frame { wcs: chips[0].wcs.celestial.clone(), size: chips[0].size });
    }
    let frame_chips: Vec<FrameChip> = chips.iter().map(|c| FrameChip { wcs: &c.wcs, size: c.size }).collect();
    let reference = FrameReference::from_headers(&images[0].primary, &images[0].chips[0].header)
        .map_err(|cause| AlignError::Wcs { context: "field WCS".into(), cause })?;
    default_frame(&frame_chips, &reference).map_err(|cause| AlignError::Wcs { context: "field WCS".into(), cause })
}

/// Centre (CRVAL) and radius (degrees): the farthest footprint corner from CRVAL.
pub fn search_cone(frame: &Frame) -> (f64, f64, f64) {
    let (nx, ny) = (frame.size[0] as f64, frame.size[1] as f64);
    let centre = (frame.wcs.crval[0], frame.wcs.crval[1]);
    let radius = [(1.0, 1.0), (1.0, ny), (nx, ny), (nx, 1.0)]
        .iter()
        .map(|&(x, y)| separation(centre, frame.wcs.foc2world(x, y)))
        .fold(0.0, f64::max);
    (centre.0, centre.1, radius)
}

/// The reference catalog for the exposures from `source`.
pub fn reference_catalog(
    images: &[ExposureData],
    source: &CatalogSource,
    timeout: Option<std::time::Duration>,
    cache: Option<&std::path::Path>,
) -> Result<RefCatalog> {
    match source {
        CatalogSource::File { path, name } => {
            let epoch = observation_epoch(images)?;
            let cat = driz_catalog::read_catalog_file_at(path, Some(name), Some(epoch))
                .map_err(|e| AlignError::Catalog(e.to_string()))?;
            info!("reference catalog {name} from {}: {} sources", path.display(), cat.stars.len());
            Ok(cat)
        }
        CatalogSource::Service { base_url, name } => {
            let frame = field_frame(images)?;
            let (ra, dec, radius) = search_cone(&frame);
            let epoch = observation_epoch(images)?;
            let mut service = CatalogService::new(base_url);
            if let Some(t) = timeout {
                service = service.with_timeout(t);
            }
            if let Some(dir) = cache {
                service = service.with_cache(dir.to_path_buf());
            }
            let query = CatalogQuery { ra, dec, radius_deg: radius, epoch: Some(epoch), catalog: name.clone() };
            info!("reference catalog request: {}", service.request_url(&query));
            let cat = service.fetch(&query).map_err(|e| AlignError::Catalog(e.to_string()))?;
            info!("reference catalog {name}: {} sources", cat.stars.len());
            Ok(cat)
        }
    }
}

/// Decimal year of the first exposure's `DATE-OBS` (and `TIME-OBS`).
fn observation_epoch(images: &[ExposureData]) -> Result<f64> {
    let date = images[0].text("DATE-OBS");
    let time = images[0].text("TIME-OBS");
    driz_catalog::decimal_year(&date, Some(time.as_str()).filter(|t| !t.is_empty()))
        .map_err(|e| AlignError::Catalog(format!("{}: DATE-OBS '{date}': {e}", images[0].path.display())))
}
