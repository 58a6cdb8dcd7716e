//! Reference-file names as HST headers give them: `jref$name_idc.fits` (IRAF-style prefix
//! resolved through the environment variable `jref`, likewise `iref`, `uref` or any other
//! prefix) or a plain name, taken relative to the exposure's directory.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Resolve a reference-file keyword value. `exposure` is the file whose header names it
/// (used for relative names and in messages); `keyword` names the keyword for messages.
/// The file must exist.
pub fn resolve(value: &str, exposure: &Path, keyword: &str) -> Result<PathBuf> {
    let path = expand(value, exposure).map_err(|m| Error::file(exposure, format!("{keyword} = '{value}': {m}")))?;
    if !path.is_file() {
        return Err(Error::file(
            exposure,
            format!("{keyword} = '{value}': reference file {} not found", path.display()),
        ));
    }
    Ok(path)
}

/// The path a reference name stands for, without checking that it exists.
pub fn expand(value: &str, exposure: &Path) -> std::result::Result<PathBuf, String> {
    let value = value.trim();
    if let Some((prefix, name)) = value.split_once('$') {
        let dir = std::env::var_os(prefix)
            .ok_or_else(|| format!("environment variable {prefix} (for the {prefix}$ prefix) is not set"))?;
        return Ok(PathBuf::from(dir).join(name));
    }
    let p = PathBuf::from(value);
    if p.is_absolute() {
        return Ok(p);
    }
    let dir = exposure.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(dir.join(p))
}

/// Whether two reference names stand for the same file (stwcs compares the expanded strings).
pub fn same_reference(a: &str, b: &str, exposure: &Path) -> bool {
    match (expand(a, exposure), expand(b, exposure)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_next_to_the_exposure() {
        let p = expand("postsm4_idc.fits", Path::new("/data/x/j94f05bgq_flt.fits")).unwrap();
        assert_eq!(p, PathBuf::from("/data/x/postsm4_idc.fits"));
        let p = expand("postsm4_idc.fits", Path::new("j94f05bgq_flt.fits")).unwrap();
        assert_eq!(p, PathBuf::from("./postsm4_idc.fits"));
    }

    #[test]
    fn prefixes_need_their_variable() {
        let e = expand("zzdrizref$x_idc.fits", Path::new("a.fits")).unwrap_err();
        assert!(e.contains("zzdrizref"), "{e}");
        let e = resolve("nosuch_idc.fits", Path::new("/tmp/a_flt.fits"), "IDCTAB").unwrap_err().to_string();
        assert!(e.contains("IDCTAB") && e.contains("not found") && e.contains("/tmp/a_flt.fits"), "{e}");
    }
}
