//! Errors of matching, fitting and alignment. Messages follow tweakwcs's where a caller may
//! want to log the same text.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum MatchError {
    #[error("'{0}' must be a positive number")]
    NotPositive(&'static str),
    #[error("{0} catalog must contain at least one source")]
    EmptyCatalog(&'static str),
    /// stimage ran out of output slots (one per image source): some image sources were
    /// matched to several reference sources. tweakwcs's `MatchSourceConfusionError`.
    #[error("Number of output coordinates exceeded allocation ({0})")]
    SourceConfusion(usize),
    #[error("search radius {searchrad} over pixel scale {pscale} gives a 2-D histogram too large to build")]
    SearchRadiusTooLarge { searchrad: f64, pscale: f64 },
    #[error("{points} image points but {labels} source catalog labels")]
    SourceLabels { points: usize, labels: usize },
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum FitError {
    #[error("input coordinate arrays must have the same length ({0} and {1})")]
    LengthMismatch(usize, usize),
    #[error("at least {needed} points are required for a '{fitgeom}' fit, got {got}")]
    NotEnoughPoints { fitgeom: &'static str, needed: usize, got: usize },
    #[error("Singular matrix: suspected colinear points.")]
    SingularMatrix,
    #[error("the value of sigma for clipping iterations must be positive")]
    InvalidSigma,
    #[error("unsupported fitgeom {0:?}: expected 'shift', 'rshift', 'rscale' or 'general'")]
    UnknownFitGeom(String),
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum AlignError {
    #[error("Too few input images (or groups of images) with non-empty catalogs.")]
    NotEnoughCatalogs,
    #[error("Reference catalog must contain at least one valid source.")]
    EmptyRefCatalog,
    #[error("reference catalog has {ra} RA values and {dec} Dec values")]
    RefCatalogShape { ra: usize, dec: usize },
    #[error("chip {name}: {x} x values and {y} y values")]
    ChipCatalogShape { name: String, x: usize, y: usize },
    /// tweakwcs fails (KeyError) when a group with sources, none of them valid, has to
    /// expand the reference catalog.
    #[error("group {0}: no valid source to match and expand the reference catalog with")]
    NoValidSources(usize),
    #[error(transparent)]
    Match(#[from] MatchError),
    #[error(transparent)]
    Fit(#[from] FitError),
    #[error(transparent)]
    Wcs(#[from] driz_wcs::WcsError),
}
