//! Headerlet files (`<root>_flt_hlet.fits`: write, read, apply as primary, HDRLET
//! extensions): not implemented yet (wcs-alignment.md §2.2–2.4). `driz headerlet list`
//! lists the HDRLET extensions of a file through `driz_fits`.
