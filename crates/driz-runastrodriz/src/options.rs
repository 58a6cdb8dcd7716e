//! The arguments of `runastrodriz.process(...)`.

/// drizzlepac's `process(inFile, force, newpath, num_cores, inmemory, headerlets,
/// align_to_gaia, force_alignment, do_verify_guiding, debug, make_manifest)`; `Default`
/// gives the Python API's defaults (`inmemory=True`), the command line turns it off.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub force: bool,
    pub newpath: Option<String>,
    pub num_cores: Option<usize>,
    pub inmemory: bool,
    pub headerlets: bool,
    pub align_to_gaia: bool,
    pub force_alignment: bool,
    pub do_verify_guiding: bool,
    pub debug: bool,
    pub make_manifest: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            force: false,
            newpath: None,
            num_cores: None,
            inmemory: true,
            headerlets: true,
            align_to_gaia: true,
            force_alignment: false,
            do_verify_guiding: false,
            debug: false,
            make_manifest: false,
        }
    }
}
