//! The legacy `runastrodriz [-bdahfgimn:v] inputFilename [newpath]` command line, parsed
//! with POSIX getopt rules as drizzlepac does: options are single letters, may be
//! bundled (`-bf`), `-n` takes a value (`-n 4` or `-n4`), and option parsing stops at the
//! first non-option argument or `--`.
//!
//! Deliberate differences from drizzlepac 3.11 (see docs/compatibility.md):
//! `-h` prints the usage instead of nothing, `-v` is a plain flag (drizzlepac's `v:` swallows
//! the next argument), and an unknown option is a clean error with exit status 1.

use anyhow::bail;

pub const USAGE: &str = "runastrodriz [-bdahfgimn:v] inputFilename [newpath]";

pub const HELP: &str = "\
Usage: runastrodriz [-bdahfgimn:v] inputFilename [newpath]

Process an HST association (<root>_asn.fits) or a single exposure (<root>_raw.fits,
_flt.fits, _flc.fits): distortion-model WCS, AstroDrizzle, a priori and a posteriori
astrometry, verification, final drizzled products, headerlets and the <root>.tra trailer.
If newpath is given, the data are processed in that directory.

Options:
  -b      basic mode: do not write the final per-exposure headerlet files
  -d      debug: verbose logging, keep intermediate files and directories
  -a      force alignment: run verification even if a priori and a posteriori are off
  -h      print this help and exit
  -f      force: process as if DRIZCORR=PERFORM; keep exposures with bad guiding
  -g      do not align to an external catalog (a posteriori); ASTROMETRY_COMPUTE_APOSTERIORI overrides
  -i      in-memory final drizzle
  -m      write a manifest file <root>_manifest.txt
  -n N    number of cores for the drizzle steps
  -v      verify guiding and drop exposures with bad guiding (a plain flag here)

Exit status:
  0   success (also when DRIZCORR is not PERFORM: nothing to do)
  65  no viable data in the input exposures
  1   error (bad arguments, unreadable input, processing failure)
drizzlepac's command line exits 0 where the pipeline asks for 65; driz returns 65.
";

/// The input and the arguments of `runastrodriz.process(...)` the command line gives.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    pub input: String,
    pub options: driz_runastrodriz::Options,
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    Help,
    Run(RunOptions),
}

pub fn parse(args: &[String]) -> anyhow::Result<Parsed> {
    // The command line's defaults: the Python API's, but the final drizzle not in memory.
    let mut o = driz_runastrodriz::Options { inmemory: false, ..driz_runastrodriz::Options::default() };
    let mut help = false;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            i += 1;
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            break;
        }
        let letters: Vec<char> = arg[1..].chars().collect();
        let mut j = 0;
        while j < letters.len() {
            match letters[j] {
                'b' => o.headerlets = false,
                'd' => o.debug = true,
                'a' => o.force_alignment = true,
                'h' => help = true,
                'f' => o.force = true,
                'g' => o.align_to_gaia = false,
                'i' => o.inmemory = true,
                'm' => o.make_manifest = true,
                'v' => o.do_verify_guiding = true,
                'n' => {
                    let rest: String = letters[j + 1..].iter().collect();
                    let value = if !rest.is_empty() {
                        rest
                    } else {
                        i += 1;
                        match args.get(i) {
                            Some(v) => v.clone(),
                            None => bail!("option -n requires an argument\nusage: {USAGE}"),
                        }
                    };
                    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                        bail!("option -n: number of cores must be a positive integer, got {value:?}");
                    }
                    let n: usize = value.parse()?;
                    if n == 0 {
                        bail!("option -n: number of cores must be at least 1");
                    }
                    o.num_cores = Some(n);
                    j = letters.len();
                    continue;
                }
                other => bail!("unknown option -{other}\nusage: {USAGE}"),
            }
            j += 1;
        }
        i += 1;
    }
    if help {
        return Ok(Parsed::Help);
    }
    let positional = &args[i..];
    let input = match positional {
        [] => bail!("no input file given\nusage: {USAGE}"),
        [first] => first.clone(),
        [first, .., last] => {
            o.newpath = Some(last.clone());
            first.clone()
        }
    };
    Ok(Parsed::Run(RunOptions { input, options: o }))
}

/// Run the pipeline as asked; returns the exit status (0, 65 no viable data, 1 error).
pub fn run(options: &RunOptions) -> i32 {
    let bars = crate::astrodrizzle_cmd::progress_bars();
    match driz_runastrodriz::process(&options.input, &options.options, bars.as_ref()) {
        Ok(report) => {
            for p in &report.products {
                eprintln!("runastrodriz: wrote {}", p.display());
            }
            driz_runastrodriz::EXIT_OK
        }
        Err(e) => {
            eprintln!("runastrodriz: error: {e}");
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_like_getopt() {
        let Parsed::Run(o) = parse(&args("-bfn 4 -gi j8bt06010_asn.fits /tmp/work")).unwrap() else { panic!() };
        assert!(!o.options.headerlets && o.options.force && !o.options.align_to_gaia && o.options.inmemory);
        assert_eq!(o.options.num_cores, Some(4));
        assert_eq!(o.input, "j8bt06010_asn.fits");
        assert_eq!(o.options.newpath.as_deref(), Some("/tmp/work"));
        let Parsed::Run(o) = parse(&args("-n2 -v -- -odd_name.fits")).unwrap() else { panic!() };
        assert_eq!(o.options.num_cores, Some(2));
        assert!(o.options.do_verify_guiding);
        assert_eq!(o.input, "-odd_name.fits");
        // Options stop at the first positional argument; the last positional is newpath.
        let Parsed::Run(o) = parse(&args("a_asn.fits b c")).unwrap() else { panic!() };
        assert_eq!(o.options.newpath.as_deref(), Some("c"));
        assert_eq!(parse(&args("-h")).unwrap(), Parsed::Help);
        assert_eq!(parse(&args("-dh x")).unwrap(), Parsed::Help);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse(&args("-x a.fits")).unwrap_err().to_string().contains("unknown option -x"));
        assert!(parse(&args("-n four a.fits")).unwrap_err().to_string().contains("positive integer"));
        assert!(parse(&args("-n")).unwrap_err().to_string().contains("requires an argument"));
        assert!(parse(&args("-f")).unwrap_err().to_string().contains("no input file"));
    }
}
