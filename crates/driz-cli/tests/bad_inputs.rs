//! `runastrodriz` on bad inputs, as a user meets them: each case ends with its documented
//! exit status and message, and nothing is lost (inputs stay valid FITS files, a file the
//! run could not use is left byte for byte as it was, no half-written product or temporary
//! file remains).
//!
//! The data: a `driz simulate --small` ACS/WFC association of two exposures (FLT + FLC),
//! run with the a priori and a posteriori stages off so that each case takes seconds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn simulate(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_driz"))
        .args(["simulate", "--instrument", "acs-wfc", "--exposures", "2", "--seed", "4", "--small", "--out"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `runastrodriz ARGS` in `dir`, optionally under a shell prologue (`ulimit`).
fn runastrodriz(dir: &Path, prologue: Option<&str>, args: &[&str]) -> Output {
    let exe = env!("CARGO_BIN_EXE_runastrodriz");
    let mut cmd = match prologue {
        None => {
            let mut c = Command::new(exe);
            c.args(args);
            c
        }
        Some(p) => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(format!("{p}; exec \"$0\" \"$@\"")).arg(exe).args(args);
            c
        }
    };
    cmd.current_dir(dir)
        .env("jref", format!("{}/", dir.join("ref").display()))
        .env("ASTROMETRY_COMPUTE_APOSTERIORI", "off")
        .env("ASTROMETRY_APPLY_APRIORI", "off")
        .env_remove("RAISE_PIPELINE_ERRORS")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    v.sort();
    v
}

/// Every FITS file in `dir` opens and lists its extensions (`driz info`).
fn all_readable(dir: &Path) {
    for f in files(dir).iter().filter(|f| f.ends_with(".fits")) {
        let out = Command::new(env!("CARGO_BIN_EXE_driz")).arg("info").arg(dir.join(f)).output().unwrap();
        assert!(out.status.success(), "{f} is no longer readable: {}", text(&out));
    }
}

fn no_leftovers(dir: &Path) {
    let left: Vec<String> = files(dir).into_iter().filter(|f| f.ends_with(".tmp") || f.contains("_pipeline")).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// Set a primary keyword of a simulated file through `driz` itself is not offered, so edit
/// the card in place: the simulated headers hold each keyword once, padded to 80 columns.
fn set_primary_card(path: &Path, keyword: &str, value: &str) {
    let mut bytes = std::fs::read(path).unwrap();
    let key = format!("{keyword:<8}= ");
    let at = (0..bytes.len() / 80).map(|i| i * 80).find(|&i| bytes[i..i + 10] == *key.as_bytes()).unwrap();
    // Strings start at column 11, numbers end at column 30.
    let card = if value.starts_with('\'') {
        format!("{key}{value:<20} / edited by the bad-input test")
    } else {
        format!("{key}{value:>20} / edited by the bad-input test")
    };
    let mut card = card.into_bytes();
    card.resize(80, b' ');
    bytes[at..at + 80].copy_from_slice(&card);
    std::fs::write(path, bytes).unwrap();
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(source: &Path) -> Case {
        let dir = tempfile::tempdir().unwrap();
        for f in files(source) {
            let from = source.join(&f);
            if from.is_dir() {
                std::fs::create_dir(dir.path().join(&f)).unwrap();
                for g in files(&from) {
                    std::fs::copy(from.join(&g), dir.path().join(&f).join(&g)).unwrap();
                }
            } else {
                std::fs::copy(&from, dir.path().join(&f)).unwrap();
            }
        }
        Case { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn bad_inputs_end_as_documented() {
    let source = tempfile::tempdir().unwrap();
    simulate(source.path());
    let asn = "jsm001010_asn.fits";

    // A member whose calibrated files are missing (only its RAW is left): exit 1, the
    // message names the member; nothing is drizzled, the other exposures stay readable.
    let c = Case::new(source.path());
    std::fs::remove_file(c.path("jsm001a2q_flt.fits")).unwrap();
    std::fs::remove_file(c.path("jsm001a2q_flc.fits")).unwrap();
    let out = runastrodriz(c.dir.path(), None, &[asn]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no calibrated file for association member jsm001a2q"), "{}", text(&out));
    assert!(!c.path("jsm001010_drz.fits").exists());
    all_readable(c.dir.path());
    no_leftovers(c.dir.path());

    // A missing RAW: DRIZCORR is read from the first member's next completion (its FLT,
    // PERFORM) as drizzlepac's buildRootname does, and the association is processed.
    let c = Case::new(source.path());
    std::fs::remove_file(c.path("jsm001a1q_raw.fits")).unwrap();
    let out = runastrodriz(c.dir.path(), None, &[asn]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(c.path("jsm001010_drz.fits").is_file() && c.path("jsm001010_drc.fits").is_file());
    no_leftovers(c.dir.path());

    // DRIZCORR = OMIT: nothing drizzled, exit 0, the trailer says why.
    let c = Case::new(source.path());
    set_primary_card(&c.path("jsm001a1q_raw.fits"), "DRIZCORR", "'OMIT    '");
    let out = runastrodriz(c.dir.path(), None, &[asn]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!c.path("jsm001010_drz.fits").exists());
    let trailer = std::fs::read_to_string(c.path("jsm001010.tra")).unwrap();
    assert!(trailer.contains("astrodrizzle processing not requested for jsm001010_asn.fits"), "{trailer}");
    all_readable(c.dir.path());
    no_leftovers(c.dir.path());

    // Every exposure with EXPTIME 0: astrodrizzle drops them all and writes empty
    // products (header-only SCI/WHT/CTX); exit 0.
    let c = Case::new(source.path());
    for f in ["jsm001a1q_flt.fits", "jsm001a1q_flc.fits", "jsm001a2q_flt.fits", "jsm001a2q_flc.fits"] {
        set_primary_card(&c.path(f), "EXPTIME", "0.0");
    }
    let out = runastrodriz(c.dir.path(), None, &[asn]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let info = Command::new(env!("CARGO_BIN_EXE_driz")).arg("info").arg(c.path("jsm001010_drz.fits")).output().unwrap();
    assert!(info.status.success(), "{}", text(&info));
    all_readable(c.dir.path());
    no_leftovers(c.dir.path());

    // One truncated FLT: exit 1 naming the file; that file is left exactly as it was (it
    // used to be "repaired" into a shorter valid file), the others stay readable.
    let c = Case::new(source.path());
    let flt = c.path("jsm001a2q_flt.fits");
    let cut = std::fs::read(&flt).unwrap()[..1_000_000].to_vec();
    std::fs::write(&flt, &cut).unwrap();
    let out = runastrodriz(c.dir.path(), None, &[asn]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("jsm001a2q_flt.fits") && text(&out).contains("truncated"), "{}", text(&out));
    assert_eq!(std::fs::read(&flt).unwrap(), cut, "the truncated file was modified");
    assert!(!c.path("jsm001010_drz.fits").exists());
    no_leftovers(c.dir.path());

    // The disk fills up while the product is written (a file-size limit that the 2.7 MB
    // exposures pass and the 18 MB product does not; SIGXFSZ ignored so that the write
    // fails with an error instead of killing the process): exit 1, the message names the
    // product, no partial product or temporary file, the exposures readable.
    let c = Case::new(source.path());
    let out = runastrodriz(c.dir.path(), Some("trap '' XFSZ; ulimit -f 8000"), &["-i", asn]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // CFITSIO fails when the data unit is sized or when the pixels are written.
    assert!(
        text(&out).contains("./jsm001010_drz.fits[1]: ") && text(&out).contains("error writing to FITS file"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains(".jsm001010_drz.fits."), "the temporary name leaked: {}", text(&out));
    assert!(!c.path("jsm001010_drz.fits").exists() && !c.path("jsm001010_drc.fits").exists());
    all_readable(c.dir.path());
    no_leftovers(c.dir.path());
}
