"""Wall time and peak memory: drizzlepac 3.11.0 AstroDrizzle vs `driz astrodrizzle` on simulated ACS/WFC data.

    .venv-ref/bin/python testdata/scripts/astrodrizzle_bench.py --driz PATH_TO_DRIZ --sim PATH_TO_DRIZ_FOR_SIMULATE \
        [--work /work/refruns/bench] [--small] [--instrument acs-wfc] [--seed 1] [--json out.json] \
        [--driz-cmd TEMPLATE] [--no-drizzlepac] [--no-driz] [--no-default-cores] [--keep] N1 N2 ...

For each N: `SIM simulate --instrument acs-wfc --exposures N --seed S --out WORK/sim_N [--small]`, then
`SIM updatewcs` on every FLT/FLC (jref/iref pointing at WORK/sim_N/ref/). The simulated directory is
reused when WORK/sim_N/bench_sim.json records the same settings. Then, each on a fresh copy:
  * drizzlepac, num_cores=1        (astrodrizzle_reference_run.py SIM_N RUN --param num_cores=1)
  * drizzlepac, default num_cores  (--param num_cores=None, i.e. all CPUs; skip with --no-default-cores)
  * driz: `driz astrodrizzle ASN --param updatewcs=False --no-mdriztab` run in the copy directory
    (--driz-cmd, a template with {driz} and {asn}); a non-zero exit is recorded and the run skipped.
Both tools see the same files: with FLT and FLC present the FLCs are left out of the copy (as
astrodrizzle_reference_run.py does, since drizzlepac refuses such an ASN).

Measurements per run:
  * wall_s: elapsed time of the whole process (`/usr/bin/time -v`); for drizzlepac this includes the
    Python start-up, imports and the copy of the inputs; `astrodrizzle_s` is the AstroDrizzle call alone
    (from run.json) and `copy_s` the copy.
  * maxrss_mb: 'Maximum resident set size' from `/usr/bin/time -v` = the peak of the largest single
    process (the timed process or one waited-for descendant, whichever is larger). drizzlepac's
    multiprocessing workers (num_cores > 1) are separate processes: their memory is NOT added to it.
  * tree_rss_mb / tree_pss_mb: peak over time of the summed VmRSS / Pss (smaps_rollup) of the whole
    process tree, sampled every --interval s by polling /proc (psutil is used if installed). The RSS sum
    counts pages shared by forked workers several times; the PSS sum splits them and is the fairer total.
Prints a table and writes JSON (--json, default WORK/bench.json). Scratch run directories are deleted
after each run unless --keep. Always exits 0.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REF_SCRIPT = os.path.join(HERE, "astrodrizzle_reference_run.py")
DEFAULT_DRIZ_CMD = "{driz} astrodrizzle {asn} --param updatewcs=False --no-mdriztab"


# ---------------------------------------------------------------- process-tree memory sampling
def _children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                s = fh.read()
            ppid = int(s[s.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError):
            pass
    return kids


def _tree(pid):
    kids = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _mem_kb(pid):
    rss = pss = None
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    break
    except OSError:
        return None, None
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
    except OSError:
        pass
    return rss, pss


class TreeSampler(threading.Thread):
    def __init__(self, pid, interval):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self.stop = threading.Event()
        try:
            import psutil  # noqa: F401
            self.psutil = psutil
        except ImportError:
            self.psutil = None

    def sample(self):
        rss_sum = pss_sum = 0
        n = 0
        if self.psutil is not None:
            try:
                root = self.psutil.Process(self.pid)
                procs = [root] + root.children(recursive=True)
            except self.psutil.Error:
                return
            for p in procs:
                try:
                    m = p.memory_full_info()
                    rss_sum += m.rss // 1024
                    pss_sum += getattr(m, "pss", 0) // 1024
                    n += 1
                except self.psutil.Error:
                    pass
        else:
            for p in _tree(self.pid):
                r, s = _mem_kb(p)
                if r is not None:
                    rss_sum += r
                    pss_sum += s or 0
                    n += 1
        self.peak_rss = max(self.peak_rss, rss_sum)
        self.peak_pss = max(self.peak_pss, pss_sum)
        self.peak_procs = max(self.peak_procs, n)

    def run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)


def parse_time_v(path):
    out = {}
    try:
        txt = open(path).read()
    except OSError:
        return out
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt)
    if m:
        out["maxrss_mb"] = round(int(m.group(1)) / 1024.0, 1)
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", txt)
    if m:
        parts = [float(x) for x in m.group(1).split(":")]
        sec = 0.0
        for x in parts:
            sec = sec * 60 + x
        out["wall_s_time_v"] = sec
    for key, name in (("User time (seconds)", "user_s"), ("System time (seconds)", "sys_s"),
                      ("Percent of CPU this job got", "cpu_percent")):
        m = re.search(re.escape(key) + r": ([\d.]+)", txt)
        if m:
            out[name] = float(m.group(1))
    m = re.search(r"Exit status: (\d+)", txt)
    if m:
        out["exit_status"] = int(m.group(1))
    return out


def timed(cmd, cwd, env, log, interval):
    tfile = log + ".time"
    full = ["/usr/bin/time", "-v", "-o", tfile] + cmd
    # Start each timed run with no dirty pages left from the copy or the previous tool's
    # outputs: their writeback would otherwise land on whichever run comes next.
    os.sync()
    time.sleep(2)
    t0 = time.time()
    with open(log, "w") as fh:
        try:
            p = subprocess.Popen(full, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        except OSError as e:
            return dict(ok=False, error=repr(e))
        s = TreeSampler(p.pid, interval)
        s.start()
        rc = p.wait()
        s.stop.set()
        s.join()
    wall = time.time() - t0
    res = dict(rc=rc, ok=rc == 0, wall_s=round(wall, 3), tree_rss_mb=round(s.peak_rss / 1024.0, 1),
               tree_pss_mb=round(s.peak_pss / 1024.0, 1), max_procs=s.peak_procs, log=log)
    res.update(parse_time_v(tfile))
    if rc != 0:
        try:
            res["error_tail"] = open(log, errors="replace").read()[-2000:]
        except OSError:
            pass
    return res


# ---------------------------------------------------------------- data
def ref_env(d):
    env = dict(os.environ)
    env["jref"] = os.path.join(d, "ref") + "/"
    env["iref"] = os.path.join(d, "ref") + "/"
    return env


def make_sim(sim_bin, inst, n, seed, small, d):
    stamp = dict(instrument=inst, exposures=n, seed=seed, small=small, sim=os.path.abspath(sim_bin))
    sf = os.path.join(d, "bench_sim.json")
    if os.path.exists(sf):
        try:
            if json.load(open(sf)) == stamp:
                print(f"   reusing {d}", flush=True)
                return dict(reused=True)
        except ValueError:
            pass
    shutil.rmtree(d, ignore_errors=True)
    cmd = [sim_bin, "simulate", "--instrument", inst, "--exposures", str(n), "--seed", str(seed), "--out", d]
    if small:
        cmd.append("--small")
    t0 = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t_sim = time.time() - t0
    files = sorted(glob.glob(os.path.join(d, "*_fl[tc].fits")))
    t0 = time.time()
    subprocess.run([sim_bin, "updatewcs"] + files, check=True, env=ref_env(d), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    t_upd = time.time() - t0
    json.dump(stamp, open(sf, "w"))
    return dict(reused=False, simulate_s=round(t_sim, 2), updatewcs_s=round(t_upd, 2), n_files=len(files))


def fresh_copy_like_reference(src, dst):
    """Copy src to dst, leaving out the FLCs when FLTs exist too (as astrodrizzle_reference_run.py)."""
    shutil.rmtree(dst, ignore_errors=True)
    flt = glob.glob(os.path.join(src, "*_flt.fits"))
    flc = glob.glob(os.path.join(src, "*_flc.fits"))
    skip = {os.path.basename(f) for f in flc} if (flt and flc) else set()
    t0 = time.time()
    shutil.copytree(src, dst, ignore=lambda d, names: [x for x in names if d == src and x in skip])
    return time.time() - t0


# ---------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[4, 8, 16])
    ap.add_argument("--driz", required=True, help="driz binary under test")
    ap.add_argument("--sim", required=True, help="driz binary used for simulate/updatewcs")
    ap.add_argument("--work", default="/work/refruns/bench")
    ap.add_argument("--instrument", default="acs-wfc")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--small", action="store_true", help="small subarray frames (smoke test)")
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--driz-cmd", default=DEFAULT_DRIZ_CMD, help=f"template, default {DEFAULT_DRIZ_CMD!r}")
    ap.add_argument("--python", default=sys.executable, help="Python of the reference environment")
    ap.add_argument("--no-drizzlepac", action="store_true")
    ap.add_argument("--no-driz", action="store_true")
    ap.add_argument("--no-default-cores", action="store_true", help="skip the drizzlepac num_cores=None run")
    ap.add_argument("--keep", action="store_true", help="keep the run directories")
    ap.add_argument("--interval", type=float, default=0.2, help="memory sampling interval, s")
    a = ap.parse_args(argv)

    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    results = dict(settings=dict(vars(a), cpu_count=os.cpu_count(), host_load=os.getloadavg()), runs=[], sims={})
    tag = "s" if a.small else ""
    for n in a.sizes:
        sim_dir = os.path.join(work, f"sim_{a.instrument}_{n}{tag}")
        print(f"== N={n}: data {sim_dir}", flush=True)
        try:
            results["sims"][str(n)] = make_sim(a.sim, a.instrument, n, a.seed, a.small, sim_dir)
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"   simulate/updatewcs failed: {e}", flush=True)
            results["sims"][str(n)] = dict(error=repr(e))
            continue
        asn = os.path.basename(glob.glob(os.path.join(sim_dir, "*_asn.fits"))[0])
        runs = []
        if not a.no_drizzlepac:
            runs.append(("drizzlepac", "1", ["num_cores=1"]))
            if not a.no_default_cores:
                runs.append(("drizzlepac", f"default({os.cpu_count()})", ["num_cores=None"]))
        if not a.no_driz:
            runs.append(("driz", "-", None))
        for tool, cores, params in runs:
            rd = os.path.join(work, f"run_{tool}_{n}{tag}_{'nc1' if cores == '1' else 'ncdef'}")
            log = rd + ".log"
            rec = dict(n=n, tool=tool, cores=cores, dir=rd)
            if tool == "drizzlepac":
                cmd = [a.python, REF_SCRIPT, sim_dir, rd]
                for p in params:
                    cmd += ["--param", p]
                r = timed(cmd, work, dict(os.environ), log, a.interval)
                rj = os.path.join(rd, "run.json")
                if os.path.exists(rj):
                    j = json.load(open(rj))
                    r.update(astrodrizzle_s=j.get("wall_seconds"), copy_s=j.get("copy_seconds"),
                             product=j.get("product"), ad_ok=j.get("ok"))
                    if not j.get("ok"):
                        r["ok"] = False
                        r["error_tail"] = (j.get("error") or "")[-2000:]
            else:
                copy_s = fresh_copy_like_reference(sim_dir, rd)
                cmd = shlex.split(a.driz_cmd.format(driz=shlex.quote(a.driz), asn=shlex.quote(asn)))
                r = timed(cmd, rd, ref_env(rd), log, a.interval)
                r["copy_s"] = round(copy_s, 3)
                prods = sorted(os.path.basename(p) for p in glob.glob(os.path.join(rd, "*_dr[zc].fits")))
                r["product"] = prods[0] if prods else None
                if not r.get("ok"):
                    r["skipped"] = True
                    print(f"   driz run failed (rc {r.get('rc')}), skipped: "
                          f"{(r.get('error_tail') or '').strip().splitlines()[-1:]}", flush=True)
            rec.update(r)
            results["runs"].append(rec)
            print(f"   {tool:10s} cores {cores:10s} ok {rec.get('ok')!s:5s} wall {rec.get('wall_s')} s "
                  f"AD {rec.get('astrodrizzle_s')} s maxRSS {rec.get('maxrss_mb')} MB "
                  f"tree RSS {rec.get('tree_rss_mb')} MB PSS {rec.get('tree_pss_mb')} MB", flush=True)
            if not a.keep:
                shutil.rmtree(rd, ignore_errors=True)

    print()
    hdr = f"{'N':>3} {'tool':10} {'cores':11} {'ok':5} {'wall s':>8} {'AD call s':>9} {'maxRSS MB':>9} " \
          f"{'treeRSS MB':>10} {'treePSS MB':>10} {'procs':>5}"
    print(hdr)
    print("-" * len(hdr))
    for r in results["runs"]:
        f = lambda v, w, p=1: (f"{v:{w}.{p}f}" if isinstance(v, (int, float)) else f"{'-':>{w}}")
        print(f"{r['n']:>3} {r['tool']:10} {r['cores']:11} {str(r.get('ok')):5} {f(r.get('wall_s'), 8)} "
              f"{f(r.get('astrodrizzle_s'), 9)} {f(r.get('maxrss_mb'), 9)} {f(r.get('tree_rss_mb'), 10)} "
              f"{f(r.get('tree_pss_mb'), 10)} {r.get('max_procs', '-'):>5}")
    print("maxRSS = /usr/bin/time -v peak of the largest single process (drizzlepac's multiprocessing workers are"
          " not added); treeRSS/treePSS = peak summed over the process tree, sampled every"
          f" {a.interval} s (RSS double-counts shared pages; PSS does not).")
    out = a.json_out or os.path.join(work, "bench.json")
    with open(out, "w") as fh:
        json.dump(results, fh, indent=1, default=str)
    print(f"JSON written to {out}")
    return 0


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001
        import traceback
        traceback.print_exc()
    sys.exit(0)
