//! `driz astrodrizzle`: the AstroDrizzle step chain on an association, a list or a
//! wildcard, with drizzlepac's parameter names, progress bars per step and a summary.

use anyhow::Context;
use clap::Args;
use driz_astrodrizzle::{Progress, UserParams, astrodrizzle, effective_params, interpret, output_param};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Mutex;

#[derive(Args, Debug)]
pub struct AstrodrizzleArgs {
    /// An association (`*_asn.fits`), a list (`@file`, comma separated) or a wildcard
    pub input: Option<String>,
    /// Product name (default: from the association, `final`, or the single file's rootname)
    #[arg(long)]
    pub output: Option<String>,
    /// A parameter, drizzlepac's name: --param combine_type=median (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Parameters from a TOML or JSON file (applied before --param)
    #[arg(long = "params-file", value_name = "FILE")]
    pub params_file: Option<PathBuf>,
    /// Do not read the MDRIZTAB named in the input headers (by default it is used when it
    /// exists, as the pipeline does; mdriztab=False)
    #[arg(long)]
    pub no_mdriztab: bool,
    /// Keep intermediate products in memory (in_memory=True)
    #[arg(long)]
    pub in_memory: bool,
    /// Number of threads (num_cores; default all)
    #[arg(long)]
    pub num_cores: Option<usize>,
    /// Work (and write the products) in this directory instead of the current one
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Print the effective parameters (defaults < MDRIZTAB row < yours) as TOML and exit
    #[arg(long)]
    pub dump_params: bool,
    /// Debug logging
    #[arg(long, short)]
    pub debug: bool,
}

impl AstrodrizzleArgs {
    fn user_params(&self) -> anyhow::Result<UserParams> {
        let mut settings = Vec::new();
        if self.no_mdriztab {
            settings.push(("mdriztab".to_string(), "False".to_string()));
        }
        if self.in_memory {
            settings.push(("in_memory".to_string(), "True".to_string()));
        }
        if let Some(n) = self.num_cores {
            settings.push(("num_cores".to_string(), n.to_string()));
        }
        if let Some(o) = &self.output {
            settings.push(("output".to_string(), o.clone()));
        }
        for p in &self.params {
            let (name, value) = p.split_once('=').with_context(|| format!("--param {p:?}: expected NAME=VALUE"))?;
            settings.push((name.trim().to_string(), value.trim().to_string()));
        }
        Ok(UserParams { file: self.params_file.clone(), settings, prefer_mdriztab: true })
    }
}

/// Progress bars on the terminal, one per step (hidden when stderr is not a terminal).
/// Progress bars on a terminal, nothing otherwise (logs and CI output stay clean).
pub fn progress_bars() -> Box<dyn Progress> {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        Box::new(Bars { current: Mutex::new(None) })
    } else {
        Box::new(driz_astrodrizzle::Silent)
    }
}

struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn start(&self, step: &str, total: u64) {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>16} [{bar:32}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(step.to_string());
        *self.current.lock().expect("progress lock") = Some(bar);
    }
    fn advance(&self, n: u64) {
        if let Some(b) = self.current.lock().expect("progress lock").as_ref() {
            b.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(b) = self.current.lock().expect("progress lock").take() {
            b.finish_and_clear();
        }
    }
}

pub fn run_astrodrizzle(args: &AstrodrizzleArgs) -> anyhow::Result<i32> {
    crate::logging::init(args.debug);
    let user = args.user_params()?;
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().context("current directory")?,
    };
    if args.dump_params {
        let params = match &args.input {
            Some(input) => {
                let explicit = user.resolve()?;
                let inputs = interpret(input, &output_param(&explicit)?, &dir)?;
                effective_params(&inputs, &user)?
            }
            None => user.resolve()?,
        };
        print!("{}", params.dump_toml());
        return Ok(0);
    }
    let input = args.input.as_deref().context("no input given (an association, a list or a wildcard)")?;
    let bars = progress_bars();
    let outcome = astrodrizzle(input, &user, &dir, bars.as_ref())?;
    for (f, why) in &outcome.dropped {
        println!("dropped {}: {why}", f.display());
    }
    for s in &outcome.skipped {
        println!("skipped: {s}");
    }
    for (f, chip, sky) in &outcome.sky {
        println!("{}[sci,{chip}] MDRIZSKY {sky}", f.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
    }
    for (f, chip, n) in &outcome.cosmic_rays {
        println!(
            "{}[sci,{chip}] cosmic-ray pixels {n}",
            f.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        );
    }
    match &outcome.product {
        Some(p) => println!("product {}", p.display()),
        None => println!("no product (driz_combine off)"),
    }
    Ok(0)
}
