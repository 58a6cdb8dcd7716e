//! `runastrodriz [-bdahfgimn:v] inputFilename [newpath]`: drizzlepac's pipeline command line.

use driz_cli::legacy::{HELP, Parsed, parse, run};

/// Large arrays on huge pages: far fewer page faults and TLB misses (see `driz_heap`).
#[global_allocator]
static ALLOCATOR: driz_heap::HugePageAlloc = driz_heap::HugePageAlloc;

fn main() {
    driz_cli::quiet_broken_pipe();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match parse(&args) {
        Ok(Parsed::Help) => {
            print!("{HELP}");
            0
        }
        Ok(Parsed::Run(options)) => {
            driz_runastrodriz::trailer::install(options.options.debug);
            run(&options)
        }
        Err(e) => {
            eprintln!("runastrodriz: error: {e}");
            driz_cli::EXIT_ERROR
        }
    };
    std::process::exit(code);
}
