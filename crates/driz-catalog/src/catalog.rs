//! The astrometric catalog service (`haputils.astrometric_utils.get_catalog`), its answer
//! format, local catalog files and the response cache.

use crate::catalog_table::{TextTable, lines, parse_csv, parse_whitespace, table_to_catalog};
use crate::env::{EnvLookup, env_seconds, process_env};
use crate::python_format::{py_fixed, py_str};
use crate::{CatalogError, http};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// drizzlepac's default service location when `ASTROMETRIC_CATALOG_URL` is unset.
pub const DEFAULT_CATALOG_URL: &str = "http://gsss.stsci.edu/webservices";

/// Default bound on one catalog request. drizzlepac sets none (`requests.get` can wait
/// forever); we bound it deliberately. Override with `DRIZ_CATALOG_TIMEOUT` (seconds) or
/// [`CatalogService::with_timeout`].
pub const DEFAULT_CATALOG_TIMEOUT: Duration = Duration::from_secs(60);

/// Extra attempts after a transport failure or an HTTP 5xx (drizzlepac makes none), and
/// the pause before each. The `Error`-first-line retry without EPOCH is separate and always
/// made, as in drizzlepac.
pub const DEFAULT_CATALOG_RETRIES: u32 = 1;
pub const DEFAULT_CATALOG_RETRY_WAIT: Duration = Duration::from_secs(2);

/// One cone search.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogQuery {
    /// Centre (degrees): the CRVAL of the combined field WCS.
    pub ra: f64,
    pub dec: f64,
    /// Search radius (degrees).
    pub radius_deg: f64,
    /// Decimal year to which the service propagates proper motions; `None` (or 0, which is
    /// falsy in Python) omits the EPOCH parameter.
    pub epoch: Option<f64>,
    /// Catalog name as given to the service (`GAIAeDR3`, `GSC242`, `2MASS`, …).
    pub catalog: String,
}

/// One reference source, with the standard column names of drizzlepac's output table.
#[derive(Debug, Clone, PartialEq)]
pub struct RefStar {
    pub ra: f64,
    pub dec: f64,
    /// NaN when the catalog has no magnitude for the source (or no mag column at all).
    pub mag: f64,
    /// The identifier text as written in the source (empty when there is no id column).
    pub obj_id: String,
}

/// A reference catalog: `meta['catalog']` and the rows sorted by `mag` descending
/// (faintest first), as `create_astrometric_catalog` returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct RefCatalog {
    pub name: String,
    pub stars: Vec<RefStar>,
}

/// Client of the catalog web service with bounded time, bounded retries and an optional
/// on-disk cache of answers.
#[derive(Debug, Clone)]
pub struct CatalogService {
    base_url: String,
    timeout: Duration,
    retries: u32,
    retry_wait: Duration,
    cache_dir: Option<PathBuf>,
}

impl CatalogService {
    /// Base URL from `ASTROMETRIC_CATALOG_URL` (default [`DEFAULT_CATALOG_URL`]), timeout
    /// from `DRIZ_CATALOG_TIMEOUT` (seconds, ours), cache directory from
    /// `DRIZ_CATALOG_CACHE` (ours, unset = no cache).
    pub fn from_env() -> CatalogService {
        Self::from_lookup(&process_env)
    }

    /// [`CatalogService::from_env`] on a given lookup.
    pub fn from_lookup(env: EnvLookup<'_>) -> CatalogService {
        let base = env("ASTROMETRIC_CATALOG_URL");
        match &base {
            Some(url) => tracing::debug!("ENVVAR ASTROMETRIC_CATALOG_URL found, setting SERVICELOCATION to {url}."),
            None => tracing::debug!("ENVVAR ASTROMETRIC_CATALOG_URL not found, using {DEFAULT_CATALOG_URL}."),
        }
        let mut service = CatalogService::new(base.as_deref().unwrap_or(DEFAULT_CATALOG_URL));
        if let Some(t) = env_seconds(env, "DRIZ_CATALOG_TIMEOUT") {
            service.timeout = t;
        }
        if let Some(dir) = env("DRIZ_CATALOG_CACHE").filter(|d| !d.trim().is_empty()) {
            service.cache_dir = Some(PathBuf::from(dir));
        }
        service
    }

    /// A client of the service at `base_url` (used verbatim, as drizzlepac does: a trailing
    /// slash would give `//vo/...`).
    pub fn new(base_url: &str) -> CatalogService {
        CatalogService {
            base_url: base_url.to_string(),
            timeout: DEFAULT_CATALOG_TIMEOUT,
            retries: DEFAULT_CATALOG_RETRIES,
            retry_wait: DEFAULT_CATALOG_RETRY_WAIT,
            cache_dir: None,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Number of extra attempts after a transport failure or HTTP 5xx, and the pause before
    /// each.
    pub fn with_retries(mut self, retries: u32, wait: Duration) -> Self {
        self.retries = retries;
        self.retry_wait = wait;
        self
    }

    /// Answers are looked up in, and written to, `dir/<sha1 of the request URL>.csv`.
    pub fn with_cache(mut self, dir: PathBuf) -> Self {
        self.cache_dir = Some(dir);
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// drizzlepac's request URL: numbers as Python `str()`, `EPOCH` with three decimals.
    pub fn request_url(&self, q: &CatalogQuery) -> String {
        let mut url = self.url_without_epoch(q);
        if let Some(epoch) = q.epoch.filter(|e| *e != 0.0) {
            url.push_str(&format!("&EPOCH={}", py_fixed(epoch, 3)));
        }
        url
    }

    fn url_without_epoch(&self, q: &CatalogQuery) -> String {
        format!(
            "{}/vo/CatalogSearch.aspx?RA={}&DEC={}&SR={}&FORMAT=CSV&CAT={}&MINDET=5",
            self.base_url,
            py_str(q.ra),
            py_str(q.dec),
            py_str(q.radius_deg),
            q.catalog
        )
    }

    /// Where the answer to `q` is cached, if a cache directory is set.
    pub fn cache_path(&self, q: &CatalogQuery) -> Option<PathBuf> {
        let key = sha1_smol::Sha1::from(self.request_url(q)).digest().to_string();
        self.cache_dir.as_ref().map(|d| d.join(format!("{key}.csv")))
    }

    /// Queries the service (or the cache). As in drizzlepac, an answer whose first line
    /// starts with `Error` is retried once without `EPOCH`; if that also fails the error
    /// line is returned as [`CatalogError::Service`]. An answer with no rows is an empty
    /// catalog (drizzlepac moves on to the next catalog when fewer than 3 rows come back).
    pub fn fetch(&self, q: &CatalogQuery) -> Result<RefCatalog, CatalogError> {
        let url = self.request_url(q);
        let cache_path = self.cache_path(q);
        let cached = cache_path.as_ref().and_then(|p| std::fs::read_to_string(p).ok().map(|t| (p, t)));
        if let Some((path, text)) = cached {
            match parse_service_text(&text, &q.catalog, &path.display().to_string()) {
                Ok(catalog) => {
                    tracing::info!("Using cached catalog {} for {url}", path.display());
                    return Ok(catalog);
                }
                Err(e) => tracing::warn!("ignoring unreadable cache entry: {e}"),
            }
        }

        tracing::info!("Getting catalog using: \n    {url}");
        let mut used_url = url.clone();
        let mut text = self.get_text(&url)?;
        if first_line(&text).starts_with("Error") {
            used_url = self.url_without_epoch(q);
            tracing::warn!("Problem accessing catalog service - getting catalog using: \n    {used_url}");
            text = self.get_text(&used_url)?;
            if first_line(&text).starts_with("Error") {
                return Err(CatalogError::Service { url: used_url, message: first_line(&text).to_string() });
            }
        }
        let catalog = parse_service_text(&text, &q.catalog, &used_url)?;
        if let Some(path) = &cache_path {
            store_atomically(path, &text);
        }
        Ok(catalog)
    }

    /// One GET with the bounded retries. An `Error…` body is returned whatever the status,
    /// so the caller's EPOCH rule sees it.
    fn get_text(&self, url: &str) -> Result<String, CatalogError> {
        let mut attempt = 0;
        loop {
            let outcome = http::get(url, &[("Content-Type", "text/csv")], self.timeout);
            let retryable = match &outcome {
                Err(failure) => {
                    tracing::warn!("catalog request {url} failed: {failure}");
                    true
                }
                Ok(answer) => answer.status >= 500 && !answer.body.starts_with(b"Error"),
            };
            if retryable && attempt < self.retries {
                attempt += 1;
                std::thread::sleep(self.retry_wait);
                continue;
            }
            let answer = outcome.map_err(|failure| CatalogError::Transport { url: url.to_string(), failure })?;
            let text = String::from_utf8(answer.body).map_err(|_| CatalogError::Parse {
                source_name: url.to_string(),
                message: "answer is not UTF-8 text".to_string(),
            })?;
            if answer.status != 200 && !text.starts_with("Error") {
                return Err(CatalogError::Status { url: url.to_string(), status: answer.status });
            }
            return Ok(text);
        }
    }
}

fn first_line(text: &str) -> &str {
    let line = text.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

fn store_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let result = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&tmp, text))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        tracing::warn!("cannot write catalog cache {}: {e}", path.display());
    }
}

/// Parses the service's CSV answer: line 0 is a summary line (discarded; an `Error…` line
/// is an error), then a header row and the data rows, CRLF-terminated (LF accepted too).
/// Columns are renamed per catalog as drizzlepac does (`ra, dec, mag, objID`, `objid` for
/// 2MASS and PS1); unknown catalogs must already use `RA, DEC, mag, objID`.
pub fn parse_service_csv(text: &str, catalog: &str) -> Result<RefCatalog, CatalogError> {
    parse_service_text(text, catalog, "catalog service answer")
}

fn parse_service_text(text: &str, catalog: &str, source_name: &str) -> Result<RefCatalog, CatalogError> {
    let all = lines(text);
    if all[0].starts_with("Error") {
        return Err(CatalogError::Service { url: source_name.to_string(), message: all[0].to_string() });
    }
    let table = parse_csv(&all[1..], source_name)?;
    table_to_catalog(table, catalog, source_name)
}

/// Reads a catalog from disk (offline fallback). Recognised layouts:
/// * the service's CSV answer as saved (summary first line, then header and rows);
/// * a plain CSV whose first line is the header;
/// * ECSV (`# %ECSV` header; space- or comma-delimited body);
/// * a commented-header text table (`# RA DEC mag objID`, whitespace-separated), as
///   drizzlepac's `refcatalog.cat`.
///
/// Column names are matched case-insensitively (`ra`/`RA`, `dec`/`DEC`, `mag`, `objID`);
/// `mag` and `objID` are optional. The catalog name is `catalog_name`, else the ECSV
/// `meta.catalog` drizzlepac writes, else the file stem.
pub fn read_catalog_file(path: &Path, catalog_name: Option<&str>) -> Result<RefCatalog, CatalogError> {
    read_catalog_file_at(path, catalog_name, None)
}

/// [`read_catalog_file`], with positions moved to `epoch` (decimal year) when the file has
/// proper motions (`pmra`, `pmdec` in mas/yr, `pmra` along the great circle) and the
/// epoch of its positions (`epoch` or `ref_epoch`, decimal year): what the catalog service
/// does for its `EPOCH=` argument, so that an offline Gaia file aligns like the service.
/// Rows with an empty or non-numeric proper motion keep their position.
pub fn read_catalog_file_at(
    path: &Path,
    catalog_name: Option<&str>,
    epoch: Option<f64>,
) -> Result<RefCatalog, CatalogError> {
    let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io { path: path.to_path_buf(), source })?;
    let source_name = path.display().to_string();
    let all = lines(&text);
    let name = catalog_name
        .map(str::to_string)
        .or_else(|| ecsv_meta_catalog(&all))
        .unwrap_or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    let first = all.iter().position(|l| !l.trim().is_empty()).map(|i| all[i]).unwrap_or("");
    if first.starts_with("Error") {
        return Err(CatalogError::Service { url: source_name, message: first.to_string() });
    }
    let table = if first.starts_with("# %ECSV") {
        read_ecsv(&all, &source_name)?
    } else if first.starts_with('#') {
        let names = first.trim_start_matches('#').split_whitespace().map(str::to_string).collect();
        let start = all.iter().position(|l| *l == first).unwrap_or(0) + 1;
        parse_whitespace(names, &all[start..], &source_name)?
    } else {
        let non_empty: Vec<usize> = (0..all.len()).filter(|&i| !all[i].trim().is_empty()).collect();
        let has_ra = |line: &str| line.split(',').any(|c| c.trim().eq_ignore_ascii_case("ra"));
        match non_empty.as_slice() {
            [] | [_] => TextTable { names: Vec::new(), rows: Vec::new() },
            [first, ..] if has_ra(all[*first]) => parse_csv(&all[*first..], &source_name)?,
            [_, second, ..] if has_ra(all[*second]) => parse_csv(&all[*second..], &source_name)?,
            [first, ..] => {
                return Err(CatalogError::MissingColumn {
                    source_name,
                    column: "ra".to_string(),
                    available: all[*first].to_string(),
                });
            }
        }
    };
    let mut table = table;
    if let Some(epoch) = epoch {
        propagate(&mut table, epoch);
    }
    let mut catalog = table_to_catalog(table, "", &source_name)?;
    catalog.name = name;
    Ok(catalog)
}

/// Move RA/Dec of every row with proper motions from the row's epoch to `epoch`.
fn propagate(table: &mut TextTable, epoch: f64) {
    use crate::catalog_table::find_column;
    let col = |n: &str| find_column(&table.names, n);
    let (Some(ra), Some(dec), Some(pmra), Some(pmdec)) = (col("ra"), col("dec"), col("pmra"), col("pmdec")) else {
        return;
    };
    let Some(from) = col("epoch").or_else(|| col("ref_epoch")) else { return };
    for row in &mut table.rows {
        let num = |i: usize| row.get(i).and_then(|c| c.trim().parse::<f64>().ok()).filter(|v| v.is_finite());
        let (Some(a), Some(d), Some(pa), Some(pd), Some(t)) = (num(ra), num(dec), num(pmra), num(pmdec), num(from))
        else {
            continue;
        };
        let dt = epoch - t;
        row[dec] = format!("{:.12}", d + pd * dt / 3.6e6);
        row[ra] = format!("{:.12}", a + pa * dt / 3.6e6 / d.to_radians().cos());
    }
}

fn read_ecsv(all: &[&str], source_name: &str) -> Result<TextTable, CatalogError> {
    let comma = all.iter().take_while(|l| l.starts_with('#')).any(|l| {
        let l = l.trim_start_matches('#').trim();
        l.starts_with("delimiter:") && l.contains(',')
    });
    let body: Vec<&str> = all.iter().copied().filter(|l| !l.starts_with('#')).collect();
    if comma {
        return parse_csv(&body, source_name);
    }
    let Some(header_index) = body.iter().position(|l| !l.trim().is_empty()) else {
        return Ok(TextTable { names: Vec::new(), rows: Vec::new() });
    };
    let names = crate::catalog_table::split_whitespace_quoted(body[header_index]);
    parse_whitespace(names, &body[header_index + 1..], source_name)
}

/// The `catalog` entry of an ECSV header's meta (`# - {catalog: GAIAeDR3}`).
fn ecsv_meta_catalog(all: &[&str]) -> Option<String> {
    if !all.first()?.starts_with("# %ECSV") {
        return None;
    }
    all.iter().take_while(|l| l.starts_with('#')).find_map(|l| {
        let entry = l.trim_start_matches('#').trim().strip_prefix("- {catalog:")?.strip_suffix('}')?;
        Some(entry.trim().trim_matches(|c| c == '\'' || c == '"').to_string())
    })
}

#[cfg(test)]
mod epoch_tests {
    use super::*;

    #[test]
    fn offline_file_positions_follow_proper_motion() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gaia.csv");
        std::fs::write(
            &path,
            "GAIADR3 catalog search: 2 sources\r\nobjID,ra,dec,pmra,pmdec,mag,epoch\r\n1,10.0,60.0,36.0,-72.0,18.0,2016.0\r\n2,10.1,60.1,,,19.0,2016.0\r\n",
        )
        .unwrap();
        let at = read_catalog_file_at(&path, Some("GAIAeDR3"), Some(2026.0)).unwrap();
        let plain = read_catalog_file(&path, Some("GAIAeDR3")).unwrap();
        let star = |c: &RefCatalog, id: &str| c.stars.iter().find(|s| s.obj_id == id).unwrap().clone();
        // 10 years: +360 mas along RA (great circle), -720 mas in Dec.
        let (a, p) = (star(&at, "1"), star(&plain, "1"));
        assert!(((a.dec - p.dec) * 3.6e6 + 720.0).abs() < 1e-6);
        assert!(((a.ra - p.ra) * 60f64.to_radians().cos() * 3.6e6 - 360.0).abs() < 1e-6);
        assert_eq!(star(&at, "2").ra, star(&plain, "2").ra, "no proper motion, no move");
    }
}
