#!/usr/bin/env python3
"""Make the drizzlepac 3.11.0 reference fixtures for the ``driz-params`` crate.

What it makes (in ``testdata/params/``)
--------------------------------------
``astrodrizzle_defaults.json``
    ``teal.load('astrodrizzle', defaults=True)``: every parameter of
    ``pars/astrodrizzle.cfg`` with its default value, grouped by cfg section in
    cfg order (the TEAL-only entries ``_task_name_``, ``_mdriztab_btn_`` and the
    ``_RULES_`` section are left out).
``bit_flags.json``
    ``stsci.tools.bitmask.interpret_bit_flags`` on a list of strings: the
    integer (Python int, so ``~`` gives negative numbers), ``null`` for None, or
    the exception type and message.
``mdz_sim_acs.fits``, ``mdz_sim_ir.fits``
    Copies of the MDRIZTAB tables written by ``driz simulate`` (ACS/WFC and
    WFC3/IR, 4 rows each).
``mdz_handmade.fits``, ``mdz_bad_format.fits``, ``mdz_unknown_column.fits``
    Hand-made MDRIZTABs: several filters, unsorted ``numimages``, 'ANY' rows, a
    filter with no qualifying row, blank strings, NaN floats, the integer null
    sentinel, renamed columns (subsky, crbitval, readnoise), the columns copied
    to both drizzle steps (refimage, bits, ra, dec), coeffs as a string column;
    then one table with a ``1D`` column (mdzhandler rejects it) and one with a
    column that is not a parameter (``mergeConfigObj`` raises KeyError).
``mdriztab_cases.json``
    For each (table, primary header, number of images): the filter string
    (``fileutil.getFilterNames``), the row ``mdzhandler.getMdriztabParameters``
    picks (parsed from its "read from row N" message, 1-based there, stored
    0-based), the dict it returns, and the full parameter set after
    ``cfgpars.mergeConfigObj`` of that dict into the defaults; or the error.
``filter_strings.json``
    ``fileutil.getFilterNames`` for a few primary headers.

How to run (from the repository root)
-------------------------------------
    /tmp/driz-bin/driz simulate --instrument acs-wfc --exposures 4 --small --out /tmp/params-sim-acs
    /tmp/driz-bin/driz simulate --instrument wfc3-ir --exposures 4 --small --out /tmp/params-sim-ir
    .venv-ref/bin/python testdata/scripts/make_params_fixtures.py \
        [--sim-acs /tmp/params-sim-acs] [--sim-ir /tmp/params-sim-ir]

When a simulation directory is missing, the copy already in ``testdata/params``
is used. Versions used are written into every JSON file.
"""
import argparse
import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile

import numpy as np
from astropy.io import fits

import astropy
import drizzlepac
from drizzlepac import mdzhandler
from stsci.tools import bitmask, cfgpars, fileutil, teal

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, '..', 'params'))

VERSIONS = {
    'drizzlepac': drizzlepac.__version__,
    'astropy': astropy.__version__,
    'numpy': np.__version__,
}

SKIP_KEYS = {'_task_name_', '_mdriztab_btn_'}
SKIP_SECTIONS = {'_RULES_'}


def plain(v):
    """A JSON-able Python value (numpy scalars become int/float/bool/str)."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if np.isnan(v) else v
    if isinstance(v, (str, np.str_)):
        return str(v)
    if v is None:
        return None
    raise TypeError('unexpected value %r of type %s' % (v, type(v)))


def same(a, b):
    return type(a) is type(b) and a == b


def sections(cfg):
    """[(section, [(name, value), ...]), ...] in cfg order; '' is the top level."""
    out = [('', [])]
    for key, val in cfg.items():
        if isinstance(val, dict):
            if key in SKIP_SECTIONS:
                continue
            out.append((key, [(k, plain(v)) for k, v in val.items()]))
        elif key not in SKIP_KEYS:
            out[0][1].append((key, plain(val)))
    return out


def flat(cfg):
    return {k: v for _, items in sections(cfg) for k, v in items}


def defaults():
    return teal.load('astrodrizzle', defaults=True)


def write_json(name, obj):
    """One line per case (or per section) keeps the files small and their diffs readable."""
    path = os.path.join(OUT, name)
    key = 'cases' if 'cases' in obj else 'sections'
    head = {k: v for k, v in obj.items() if k != key}
    with open(path, 'w') as f:
        f.write(json.dumps(head)[:-1] + ', "%s": [\n' % key)
        f.write(',\n'.join(json.dumps(c) for c in obj[key]))
        f.write('\n]}\n')
    print('%s: %d bytes' % (name, os.path.getsize(path)))


# --------------------------------------------------------------------------- defaults
def make_defaults():
    secs = sections(defaults())
    write_json('astrodrizzle_defaults.json', {
        'versions': VERSIONS,
        'sections': [{'name': s, 'params': [[k, v] for k, v in items]} for s, items in secs],
    })


# --------------------------------------------------------------------------- bit flags
BIT_FLAG_CASES = [
    '4096', '0', ' 0 ', '64,32', '64+32', '64, 32', ' 64 + 32 ', '~4096', '~ 4096', '~(64,32)', '~(64+32)',
    '(64,32)', '((4,8))', '(4)', '~0', '12', '4,8,16', '4+8+16', '~4,8,16', '4,4', '4, 04', '1_024', '+16',
    '-4', '0016', 'None', 'NONE', 'none', 'INDEF', 'indef', '', '   ', '3,4', '6+8', '0,4', '4,0', '-4,8',
    '4,', ',4', '+4', '4++8', '4,8+16', '~', '()', '~()', '(4', '4)', '(4),(8)', '4~', '4,~8', 'abc', '0x10',
    '4.0', '1e3', '1__0', '_1', '1_', '65535', '2147483648,1', '1024,512,256', '~(1024+512+256+64+16)',
    '336', '~None', '( 4 , 8 )', '8 ,', '\t32\n',
]


def make_bit_flags():
    cases = []
    for s in BIT_FLAG_CASES:
        try:
            with np.errstate(all='ignore'):
                import warnings
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    v = bitmask.interpret_bit_flags(s)
            cases.append({'input': s, 'value': v})
        except Exception as e:  # noqa: BLE001 - the exception is the expected result
            cases.append({'input': s, 'error': type(e).__name__, 'message': str(e)})
    write_json('bit_flags.json', {'versions': VERSIONS, 'cases': cases})


# --------------------------------------------------------------------------- MDRIZTAB
NULL_INT = -2147483647


def col(name, fmt, values):
    return fits.Column(name=name, format=fmt, array=np.array(values))


def write_table(name, columns, primary=None):
    ph = fits.PrimaryHDU()
    for k, v in (primary or {}).items():
        ph.header[k] = v
    hdul = fits.HDUList([ph, fits.BinTableHDU.from_columns(columns)])
    path = os.path.join(OUT, name)
    hdul.writeto(path, overwrite=True)
    print('%s: %d bytes' % (name, os.path.getsize(path)))
    return path


def make_handmade():
    # row: filter, numimages, and one value per column below
    filters = ['F555W', 'F555W', 'F555W', 'ANY', 'ANY', 'F814W,CLEAR2L', 'f555w', 'F435W']
    numimages = [1, 3, 2, 1, 5, 4, 1, 2]
    n = len(filters)
    nan = np.nan
    cols = [
        col('filter', '14A', filters),
        col('numimages', '1J', numimages),
        col('build', '1L', [True, False, True, False, True, False, True, False]),
        col('shiftfile', '8A', ['INDEF', '', 'x.txt', 'INDEF', '', '', '', '']),
        col('mdriztab', '1L', [True] * n),
        col('staticfile', '8A', ['INDEF', 'a.fits', '', '', '', '', '', '']),
        col('coeffs', '8A', ['header', 'INDEF', '', 'None', ' ', 'no', 'False', 'x']),
        col('refimage', '12A', ['', 'ref.fits', '', 'r[sci,1]', '', '', '', '']),
        col('bits', '1J', [0, 64, 336, 4096, 0, 1360, 0, NULL_INT]),
        col('driz_sep_bits', '1J', [0, 8578, 336, 0, 0, 1360, 0, 0]),
        col('final_bits', '10A', ['336', '', '~4096', 'None', '64,32', '0', '', '8']),
        col('subsky', '1L', [True, False, True, True, False, True, False, True]),
        col('skymethod', '15A', ['localmin', 'match', 'globalmin+match', 'globalmin', 'localmin', 'localmin',
                                 'match', 'localmin']),
        col('skywidth', '1E', [0.1, nan, 0.3, 0.1, nan, 0.1, 0.1, 0.1]),
        col('skylower', '1E', [nan, -100.0, nan, 0.0, nan, nan, nan, nan]),
        col('skyuser', '8A', ['', 'MDRIZSKY', '', '', '', '', '', '']),
        col('crbitval', '1J', [4096, 8192, 4096, 4096, 4096, 4096, 4096, 4096]),
        col('readnoise', '1E', [nan, 4.71, 5.0, nan, nan, nan, nan, nan]),
        col('ra', '1E', [nan, 150.1, 10.0, nan, nan, 0.5, nan, nan]),
        col('dec', '1E', [nan, 2.2, -30.25, nan, nan, nan, nan, nan]),
        col('final_outnx', '1J', [NULL_INT, 4096, NULL_INT, 100, NULL_INT, NULL_INT, NULL_INT, NULL_INT]),
        col('num_cores', '1J', [NULL_INT, 1, 2, NULL_INT, 4, NULL_INT, NULL_INT, NULL_INT]),
        col('combine_grow', '1E', [1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0]),
        col('combine_type', '7A', ['minmed', 'median', 'imedian', 'iminmed', 'mean', 'sum', 'imean', 'minmed']),
        col('combine_nsigma', '6A', ['4 3', '5 4', '4 3', '3 2', '4 3', '4 3', '4 3', '4 3']),
        col('combine_nhigh', '1J', [0, 1, 0, 0, 2, 0, 0, 0]),
        col('final_wht_type', '3A', ['EXP', 'IVM', 'ERR', 'EXP', 'EXP', 'EXP', 'EXP', 'EXP']),
        col('final_kernel', '8A', ['square', 'lanczos3', 'gaussian', 'point', 'turbo', 'square', 'square',
                                   'square']),
        col('final_fillval', '1E', [nan, 0.0, nan, -1.5, nan, nan, nan, nan]),
        col('final_scale', '1E', [nan, 0.05, 0.1283, nan, nan, nan, nan, nan]),
        col('final_units', '6A', ['cps', 'counts', 'cps', 'cps', 'counts', 'cps', 'cps', 'cps']),
        col('driz_cr_snr', '8A', ['3.5 3.0', '4.0 3.5', '3.5 3.0', '3.5 3.0', '3.5 3.0', '3.5 3.0', '3.5 3.0',
                                  '3.5 3.0']),
        col('static_sig', '1E', [4.0, 3.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]),
        col('resetbits', '1J', [4096, 0, 4096, NULL_INT, 4096, 4096, 4096, 4096]),
        col('proc_unit', '9A', ['native', 'electrons', 'native', 'native', 'native', 'native', 'native',
                                'native']),
    ]
    primary = {'INSTRUME': 'ACS', 'DETECTOR': 'WFC', 'FILETYPE': 'MULTIDRIZZLE PARAMETERS'}
    write_table('mdz_handmade.fits', cols, primary)

    bad = [col('filter', '8A', ['F555W']), col('numimages', '1J', [1]), col('static_sig', '1D', [4.0])]
    write_table('mdz_bad_format.fits', bad, primary)
    unknown = [col('filter', '8A', ['F555W']), col('numimages', '1J', [1]), col('static_sig', '1E', [4.0]),
               col('not_a_param', '1J', [3])]
    write_table('mdz_unknown_column.fits', unknown, primary)


def run_case(workdir, table, header, nimages):
    """getMdriztabParameters on `nimages` copies of a primary header pointing at `table`."""
    hdr = fits.Header()
    for k, v in header.items():
        hdr[k] = v
    hdr['MDRIZTAB'] = os.path.join(OUT, table)
    path = os.path.join(workdir, 'case_flt.fits')
    fits.PrimaryHDU(header=hdr).writeto(path, overwrite=True)
    files = [path] * nimages
    case = {'table': table, 'header': header, 'nimages': nimages,
            'filter': fileutil.getFilterNames(fits.getheader(path))}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            pars = mdzhandler.getMdriztabParameters(files)
        m = re.search(r'read from row (\d+)', out.getvalue())
        case['row'] = int(m.group(1)) - 1
        case['interpreted'] = {k: plain(v) for k, v in pars.items()}
        cfg = defaults()
        before = flat(cfg)
        cfgpars.mergeConfigObj(cfg, pars)
        after = flat(cfg)
        case['merged_changed'] = {k: v for k, v in after.items() if not same(v, before[k])}
    except Exception as e:  # noqa: BLE001 - the exception is the expected result
        case['error'] = type(e).__name__
        case['message'] = str(e)
        m = re.search(r'read from row (\d+)', out.getvalue())
        if m:
            case['row'] = int(m.group(1)) - 1
    return case


def make_mdriztab_cases(sim_acs, sim_ir):
    for src, dst in ((sim_acs, 'mdz_sim_acs.fits'), (sim_ir, 'mdz_sim_ir.fits')):
        if src and os.path.isdir(os.path.join(src, 'ref')):
            found = [f for f in os.listdir(os.path.join(src, 'ref')) if f.endswith('_mdz.fits')]
            shutil.copy(os.path.join(src, 'ref', found[0]), os.path.join(OUT, dst))
            print('%s: copied from %s' % (dst, os.path.join(src, 'ref', found[0])))
        elif not os.path.exists(os.path.join(OUT, dst)):
            sys.exit('no %s and no simulation directory to copy it from' % dst)
    make_handmade()

    acs = {'INSTRUME': 'ACS', 'DETECTOR': 'WFC', 'FILTER1': 'F606W', 'FILTER2': 'CLEAR2L'}
    ir = {'INSTRUME': 'WFC3', 'DETECTOR': 'IR', 'FILTER': 'F160W'}
    f555 = {'INSTRUME': 'ACS', 'DETECTOR': 'WFC', 'FILTER1': 'F555W', 'FILTER2': ''}
    f814 = {'INSTRUME': 'ACS', 'DETECTOR': 'WFC', 'FILTER1': 'F814W', 'FILTER2': 'CLEAR2L'}
    f435 = {'INSTRUME': 'ACS', 'DETECTOR': 'WFC', 'FILTER1': 'CLEAR1L', 'FILTER2': 'F435W'}
    other = {'INSTRUME': 'ACS', 'DETECTOR': 'WFC', 'FILTER1': 'F475W', 'FILTER2': 'CLEAR2L'}
    wfc3_two = {'INSTRUME': 'WFC3', 'DETECTOR': 'UVIS', 'FILTER': 'F555W', 'FILTER2': 'F814W'}
    cases = []
    with tempfile.TemporaryDirectory() as work:
        for n in (1, 2, 3, 4, 6):
            cases.append(run_case(work, 'mdz_sim_acs.fits', acs, n))
            cases.append(run_case(work, 'mdz_sim_ir.fits', ir, n))
        cases.append(run_case(work, 'mdz_sim_ir.fits', acs, 3))  # no filter match, no ANY: row 0
        for header in (f555, f814, f435, other, wfc3_two):
            for n in (1, 2, 3, 4, 5, 9):
                cases.append(run_case(work, 'mdz_handmade.fits', header, n))
        cases.append(run_case(work, 'mdz_bad_format.fits', f555, 1))
        cases.append(run_case(work, 'mdz_unknown_column.fits', f555, 1))
    write_json('mdriztab_cases.json', {'versions': VERSIONS, 'cases': cases})


def make_filter_strings():
    headers = [
        {'INSTRUME': 'ACS', 'FILTER1': 'F606W', 'FILTER2': 'CLEAR2L'},
        {'INSTRUME': 'ACS', 'FILTER1': 'CLEAR1L', 'FILTER2': 'F814W'},
        {'INSTRUME': 'ACS', 'FILTER1': 'F606W', 'FILTER2': ''},
        {'INSTRUME': 'ACS', 'FILTER1': '  ', 'FILTER2': 'F435W'},
        {'INSTRUME': 'ACS', 'FILTER1': 'F606W'},
        {'INSTRUME': 'ACS', 'FILTER1': ' F606W', 'FILTER2': 'N/A'},
        {'INSTRUME': 'WFC3', 'FILTER': 'F160W'},
        {'INSTRUME': 'WFC3', 'FILTER': 'F555W', 'FILTER2': 'F814W'},
        {'INSTRUME': 'WFPC2', 'FILTNAM1': 'F555W', 'FILTNAM2': ''},
        {'INSTRUME': 'STIS', 'OPT_ELEM': 'MIRVIS', 'FILTER': 'Clear'},
        {'INSTRUME': 'NICMOS', 'FILTER': 'F110W'},
        {'INSTRUME': 'ACS'},
    ]
    cases = []
    for h in headers:
        hdr = fits.Header()
        for k, v in h.items():
            hdr[k] = v
        cases.append({'header': h, 'filter': fileutil.getFilterNames(hdr)})
    write_json('filter_strings.json', {'versions': VERSIONS, 'cases': cases})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sim-acs', default='/tmp/params-sim-acs')
    ap.add_argument('--sim-ir', default='/tmp/params-sim-ir')
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    make_defaults()
    make_bit_flags()
    make_mdriztab_cases(args.sim_acs, args.sim_ir)
    make_filter_strings()


if __name__ == '__main__':
    main()
