//! The astrometry database client (stwcs `updatewcs.astrometry_utils.AstrometryDB`):
//! availability probe, observation lookup and headerlet download, plus an offline
//! directory that plays the same role.

use crate::env::{EnvLookup, env_seconds, env_two_word, process_env};
use crate::fits_card::primary_string_value;
use crate::{DbError, EnvError, http};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// stwcs's built-in service location (overridden by `ASTROMETRY_SERVICE_URL`).
pub const DEFAULT_ASTROMETRY_URL: &str = "https://mast.stsci.edu/portal/astrometryDB/";
/// stwcs's availability probe: 5 s timeout, 3 tries, 60 s apart.
pub const AVAILABILITY_TIMEOUT: Duration = Duration::from_secs(5);
pub const AVAILABILITY_TRIES: u32 = 3;
pub const AVAILABILITY_RETRY_WAIT: Duration = Duration::from_secs(60);
/// Bound on observation and headerlet requests. stwcs sets none; ours can be changed with
/// `DRIZ_ASTROMETRY_TIMEOUT` (seconds) or [`AstrometryDb::with_timeout`].
pub const DEFAULT_DB_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
enum Source {
    Remote(String),
    Offline(PathBuf),
}

/// Access to a priori WCS solutions, remote or from a local directory.
///
/// Offline layout ([`AstrometryDb::offline`]):
/// ```text
/// <dir>/<observation id>/<anything>.fits   one headerlet per solution; its primary WCSNAME
///                                          names the solution, the file stem is its id
/// <dir>/<observation id>/best.txt          optional: the WCSNAME (or file stem) of the best one
/// ```
/// A missing `<dir>/<observation id>` directory means "no solutions" (a new observation).
#[derive(Debug, Clone)]
pub struct AstrometryDb {
    source: Source,
    enabled: bool,
    raise_errors: bool,
    timeout: Duration,
    availability_timeout: Duration,
    availability_tries: u32,
    availability_wait: Duration,
}

/// What the database holds for one observation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observation {
    pub solutions: Vec<Solution>,
    /// The `bestSolutionID` text (a solution id, not yet a WCSNAME).
    pub best_solution_id: Option<String>,
    /// True when the database answered 404 (an observation it has never seen; not an error).
    pub new_observation: bool,
}

/// One `<solution>` element: every descendant element's tag and text, in document order
/// (a repeated tag keeps its first position and its last text, as a Python dict would).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Solution {
    /// `solutionID` (empty when absent or empty: stwcs skips such solutions).
    pub solution_id: String,
    /// `wcsName`, the WCSNAME of the headerlet.
    pub wcs_name: String,
    pub fields: Vec<(String, String)>,
}

impl Observation {
    /// stwcs's translation of `bestSolutionID` into the WCSNAME of that solution (only
    /// solutions with an id take part).
    pub fn best_wcs_name(&self) -> Option<&str> {
        let best = self.best_solution_id.as_deref().filter(|b| !b.is_empty())?;
        self.solutions.iter().find(|s| !s.solution_id.is_empty() && s.solution_id == best).map(|s| s.wcs_name.as_str())
    }
}

impl AstrometryDb {
    /// URL from `ASTROMETRY_SERVICE_URL` (default [`DEFAULT_ASTROMETRY_URL`]);
    /// `ASTROMETRY_STEP_CONTROL` `on`/`off` (case-insensitive, not stripped; default on);
    /// `RAISE_PIPELINE_ERRORS` `true`/`false` (same rule; default false); our
    /// `DRIZ_ASTROMETRY_TIMEOUT`. Other values of the stwcs variables are errors, as in stwcs.
    pub fn from_env() -> Result<AstrometryDb, EnvError> {
        Self::from_lookup(&process_env)
    }

    /// [`AstrometryDb::from_env`] on a given lookup.
    pub fn from_lookup(env: EnvLookup<'_>) -> Result<AstrometryDb, EnvError> {
        let enabled = env_two_word(env, "ASTROMETRY_STEP_CONTROL", "on", "off", true)?;
        let raise_errors = env_two_word(env, "RAISE_PIPELINE_ERRORS", "true", "false", false)?;
        let url = env("ASTROMETRY_SERVICE_URL").unwrap_or_else(|| DEFAULT_ASTROMETRY_URL.to_string());
        let mut db = AstrometryDb::new(&url);
        db.enabled = enabled;
        db.raise_errors = raise_errors;
        if let Some(t) = env_seconds(env, "DRIZ_ASTROMETRY_TIMEOUT") {
            db.timeout = t;
        }
        if !enabled {
            tracing::info!("Astrometry update step has been turned off");
        }
        Ok(db)
    }

    /// A client of the service at `base_url`; paths are appended verbatim, so the URL must
    /// end with `/` as stwcs's default does.
    pub fn new(base_url: &str) -> AstrometryDb {
        AstrometryDb {
            source: Source::Remote(base_url.to_string()),
            enabled: true,
            raise_errors: false,
            timeout: DEFAULT_DB_TIMEOUT,
            availability_timeout: AVAILABILITY_TIMEOUT,
            availability_tries: AVAILABILITY_TRIES,
            availability_wait: AVAILABILITY_RETRY_WAIT,
        }
    }

    /// Solutions from a local directory (layout in the type's documentation).
    pub fn offline(dir: &Path) -> AstrometryDb {
        let mut db = AstrometryDb::new("");
        db.source = Source::Offline(dir.to_path_buf());
        db
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Availability probe settings: `tries` (1–10, stwcs's cap), pause between tries, and
    /// the timeout of each probe.
    pub fn with_availability(mut self, tries: u32, wait: Duration, timeout: Duration) -> Self {
        self.availability_tries = tries.clamp(1, 10);
        self.availability_wait = wait;
        self.availability_timeout = timeout;
        self
    }

    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    pub fn with_raise_errors(mut self, raise_errors: bool) -> Self {
        self.raise_errors = raise_errors;
        self
    }

    /// False when `ASTROMETRY_STEP_CONTROL=off`: no database solutions and no guide-star
    /// offset solution are made.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// `RAISE_PIPELINE_ERRORS`: the caller should stop on database errors instead of
    /// logging them and carrying on.
    pub fn raise_errors(&self) -> bool {
        self.raise_errors
    }

    /// The service URL (None for an offline directory).
    pub fn base_url(&self) -> Option<&str> {
        match &self.source {
            Source::Remote(url) => Some(url),
            Source::Offline(_) => None,
        }
    }

    /// The observation id stwcs uses: ROOTNAME up to the first `_`.
    pub fn observation_id(rootname: &str) -> &str {
        rootname.split('_').next().unwrap_or(rootname)
    }

    /// [`AstrometryDb::availability`] as a flag.
    pub fn available(&self) -> bool {
        self.availability().is_ok()
    }

    /// Probes `<base>availability` (header `Content-Type: text/xml`) up to the configured
    /// number of tries; any non-200 answer or transport failure counts as unavailable.
    /// Offline: the directory must exist. Disabled: [`DbError::Disabled`] without a request.
    pub fn availability(&self) -> Result<(), DbError> {
        if !self.enabled {
            return Err(DbError::Disabled);
        }
        let base = match &self.source {
            Source::Offline(dir) if dir.is_dir() => return Ok(()),
            Source::Offline(dir) => {
                return Err(DbError::Unavailable {
                    url: dir.display().to_string(),
                    attempts: 1,
                    last: "not a directory".to_string(),
                });
            }
            Source::Remote(base) => base,
        };
        let url = format!("{base}availability");
        tracing::info!("AstrometryDB URL: {url}");
        let mut last = String::new();
        for attempt in 1..=self.availability_tries {
            match http::get(&url, &[("Content-Type", "text/xml")], self.availability_timeout) {
                Ok(answer) if answer.status == 200 => {
                    tracing::info!("AstrometryDB service available");
                    return Ok(());
                }
                Ok(answer) => last = format!("HTTP {}", answer.status),
                Err(failure) => last = failure.to_string(),
            }
            tracing::warn!("AstrometryDB service call failed: {url}: {last}");
            if attempt < self.availability_tries {
                tracing::warn!(
                    "AstrometryDB service unavailable! Retrying in {} seconds ({} attempt(s) remaining)",
                    self.availability_wait.as_secs_f64(),
                    self.availability_tries - attempt
                );
                std::thread::sleep(self.availability_wait);
            }
        }
        Err(DbError::Unavailable { url, attempts: self.availability_tries, last })
    }

    /// `GET <base>observation/read/<id>`: 200 → the parsed solutions; 404 → an empty
    /// observation with `new_observation` set (never an error); anything else → error.
    pub fn observation(&self, rootname: &str) -> Result<Observation, DbError> {
        if !self.enabled {
            return Err(DbError::Disabled);
        }
        let id = Self::observation_id(rootname);
        match &self.source {
            Source::Offline(dir) => offline_observation(&dir.join(id)),
            Source::Remote(base) => {
                let url = format!("{base}observation/read/{id}");
                tracing::info!("Accessing AstrometryDB service :\n\t{url}");
                let answer = http::get(&url, &[("Content-Type", "text/xml")], self.timeout)
                    .map_err(|failure| DbError::Transport { url: url.clone(), failure })?;
                match answer.status {
                    200 => {
                        let text = String::from_utf8_lossy(&answer.body);
                        parse_observation_xml(&text, &url)
                    }
                    404 => {
                        tracing::info!("No solutions found in database for {id}");
                        Ok(Observation { new_observation: true, ..Observation::default() })
                    }
                    status => Err(DbError::Status { url, status }),
                }
            }
        }
    }

    /// The headerlet FITS file of one solution:
    /// `GET <base>observation/read/<id>?wcsname=<WCSNAME>` (header
    /// `Content-Type: application/fits`), `<id>` being the observation id. Any non-200
    /// answer is an error (stwcs silently skips that solution). The caller still has to
    /// append the `DATE` day to an `OPUS` HDRNAME, as stwcs does after download.
    pub fn headerlet_bytes(&self, rootname: &str, wcsname: &str) -> Result<Vec<u8>, DbError> {
        if !self.enabled {
            return Err(DbError::Disabled);
        }
        let id = Self::observation_id(rootname);
        match &self.source {
            Source::Offline(dir) => offline_headerlet(&dir.join(id), id, wcsname),
            Source::Remote(base) => {
                let url = format!("{base}observation/read/{id}?wcsname={wcsname}");
                tracing::info!("Retrieving astrometrically-updated WCS \"{wcsname}\" for observation \"{id}\"");
                let answer = http::get(&url, &[("Content-Type", "application/fits")], self.timeout)
                    .map_err(|failure| DbError::Transport { url: url.clone(), failure })?;
                if answer.status != 200 {
                    return Err(DbError::Status { url, status: answer.status });
                }
                Ok(answer.body)
            }
        }
    }
}

/// Parses the database's observation XML: every `solution` element (at any depth) and the
/// last `bestSolutionID` element's text.
pub fn parse_observation_xml(text: &str, source_name: &str) -> Result<Observation, DbError> {
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| DbError::Xml { url: source_name.to_string(), message: e.to_string() })?;
    let mut observation = Observation::default();
    for node in doc.descendants().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "solution" => observation.solutions.push(read_solution(node)),
            "bestSolutionID" => observation.best_solution_id = node.text().map(str::to_string),
            _ => {}
        }
    }
    if observation.solutions.is_empty() {
        tracing::warn!("No new WCS's found in {source_name}");
    }
    Ok(observation)
}

fn read_solution(solution: roxmltree::Node<'_, '_>) -> Solution {
    let mut fields: Vec<(String, String)> = Vec::new();
    for field in solution.descendants().filter(|n| n.is_element() && n.tag_name().name() != "solution") {
        let tag = field.tag_name().name().to_string();
        let text = field.text().unwrap_or("").to_string();
        match fields.iter_mut().find(|(t, _)| *t == tag) {
            Some(existing) => existing.1 = text,
            None => fields.push((tag, text)),
        }
    }
    let get = |tag: &str| fields.iter().find(|(t, _)| t == tag).map(|(_, v)| v.clone()).unwrap_or_default();
    Solution { solution_id: get("solutionID"), wcs_name: get("wcsName"), fields }
}

/// Headerlet files of one observation directory, sorted by name, with their WCSNAME.
fn offline_headerlets(dir: &Path) -> Result<Vec<(PathBuf, String)>, DbError> {
    let io = |source| DbError::Io { path: dir.to_path_buf(), source };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("fits")))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).map_err(|source| DbError::Io { path: path.clone(), source })?;
        match primary_string_value(&bytes, "WCSNAME") {
            Some(name) => out.push((path, name)),
            None => tracing::warn!("{}: no WCSNAME in the primary header; skipped", path.display()),
        }
    }
    Ok(out)
}

fn offline_observation(dir: &Path) -> Result<Observation, DbError> {
    if !dir.is_dir() {
        tracing::info!("No solutions found in {}", dir.display());
        return Ok(Observation { new_observation: true, ..Observation::default() });
    }
    let solutions: Vec<Solution> = offline_headerlets(dir)?
        .into_iter()
        .map(|(path, wcs_name)| {
            let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let file = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Solution {
                fields: vec![
                    ("solutionID".into(), id.clone()),
                    ("wcsName".into(), wcs_name.clone()),
                    ("filename".into(), file),
                ],
                solution_id: id,
                wcs_name,
            }
        })
        .collect();
    let best_path = dir.join("best.txt");
    let best_solution_id = match std::fs::read_to_string(&best_path) {
        Ok(text) => {
            let wanted = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
            let found = solutions
                .iter()
                .find(|s| s.wcs_name == wanted)
                .or_else(|| solutions.iter().find(|s| s.solution_id == wanted));
            if found.is_none() {
                tracing::warn!("{}: '{wanted}' matches no headerlet; no best solution", best_path.display());
            }
            found.map(|s| s.solution_id.clone())
        }
        Err(_) => None,
    };
    Ok(Observation { solutions, best_solution_id, new_observation: false })
}

fn offline_headerlet(dir: &Path, id: &str, wcsname: &str) -> Result<Vec<u8>, DbError> {
    let not_found = || DbError::HeaderletNotFound {
        rootname: id.to_string(),
        wcsname: wcsname.to_string(),
        location: dir.display().to_string(),
    };
    if !dir.is_dir() {
        return Err(not_found());
    }
    let (path, _) = offline_headerlets(dir)?.into_iter().find(|(_, name)| name == wcsname).ok_or_else(not_found)?;
    std::fs::read(&path).map_err(|source| DbError::Io { path, source })
}
