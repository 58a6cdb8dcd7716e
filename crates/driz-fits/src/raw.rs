//! The only place that calls CFITSIO. Everything above works with `Header`s, arrays and
//! column values; this module turns CFITSIO statuses into errors that name the file.

use crate::error::{FitsError, HduLabel, Result};
use fitsio::sys;
use std::ffi::{CStr, CString, c_char, c_int, c_long};
use std::path::{Path, PathBuf};

/// CFITSIO type codes and image BITPIX values we use.
pub(crate) mod code {
    use std::ffi::c_int;
    pub const TBIT: c_int = 1;
    pub const TBYTE: c_int = 11;
    pub const TSBYTE: c_int = 12;
    pub const TLOGICAL: c_int = 14;
    pub const TSTRING: c_int = 16;
    pub const TUSHORT: c_int = 20;
    pub const TSHORT: c_int = 21;
    pub const TUINT: c_int = 30;
    pub const TINT: c_int = 31;
    pub const TULONG: c_int = 40;
    pub const TLONG: c_int = 41;
    pub const TFLOAT: c_int = 42;
    pub const TULONGLONG: c_int = 80;
    pub const TLONGLONG: c_int = 81;
    pub const TDOUBLE: c_int = 82;
    pub const IMAGE_HDU: c_int = 0;
    pub const BINARY_TBL: c_int = 2;
}

pub(crate) struct Raw {
    file: fitsio::FitsFile,
    pub path: PathBuf,
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| FitsError::invalid(path, "", "file name is not valid UTF-8"))
}

/// CFITSIO's description of a status and the messages on its error stack.
fn cfitsio_message(status: c_int) -> String {
    let mut text = [0 as c_char; 31];
    // SAFETY: ffgerr writes at most 30 characters and a NUL into the buffer.
    unsafe { sys::ffgerr(status, text.as_mut_ptr()) };
    let mut parts = vec![unsafe { CStr::from_ptr(text.as_ptr()) }.to_string_lossy().into_owned()];
    loop {
        let mut msg = [0 as c_char; 81];
        // SAFETY: ffgmsg writes at most 80 characters and a NUL.
        let more = unsafe { sys::ffgmsg(msg.as_mut_ptr()) };
        if more == 0 {
            break;
        }
        let m = unsafe { CStr::from_ptr(msg.as_ptr()) }.to_string_lossy().trim().to_string();
        if !m.is_empty() && parts.len() < 6 {
            parts.push(m);
        }
    }
    parts.join("; ")
}

impl Raw {
    pub fn open(path: &Path, writable: bool) -> Result<Raw> {
        let name = path_str(path)?;
        if !path.is_file() {
            return Err(FitsError::Io {
                path: path.to_path_buf(),
                cause: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            });
        }
        let opened = if writable { fitsio::FitsFile::edit(name) } else { fitsio::FitsFile::open(name) };
        match opened {
            Ok(file) => Ok(Raw { file, path: path.to_path_buf() }),
            Err(fitsio::errors::Error::Fits(e)) => Err(FitsError::Cfitsio {
                path: path.to_path_buf(),
                hdu: HduLabel::default(),
                status: e.status,
                message: format!("cannot open as FITS: {}", cfitsio_message(e.status)),
            }),
            Err(e) => Err(FitsError::invalid(path, "", format!("cannot open as FITS: {e}"))),
        }
    }

    /// A new file without any HDU yet (the first `create_image` makes the primary); fails if
    /// the file exists.
    pub fn create(path: &Path) -> Result<Raw> {
        let name = CString::new(path_str(path)?)
            .map_err(|_| FitsError::invalid(path, "", "cannot create: the path holds a NUL byte"))?;
        let mut fptr = std::ptr::null_mut();
        let mut status = 0;
        // SAFETY: a NUL-terminated name and out-pointers that live through the call.
        unsafe { sys::ffinit(&mut fptr, name.as_ptr(), &mut status) };
        if status != 0 || fptr.is_null() {
            return Err(FitsError::invalid(path, "", format!("cannot create: {}", cfitsio_message(status))));
        }
        // SAFETY: `fptr` was just opened read-write by ffinit and is owned by the FitsFile
        // from here on (which closes it on drop).
        match unsafe { fitsio::FitsFile::from_raw(fptr, fitsio::FileOpenMode::READWRITE) } {
            Ok(file) => Ok(Raw { file, path: path.to_path_buf() }),
            Err(e) => {
                // SAFETY: `fptr` is open and owned by no FitsFile (from_raw failed).
                unsafe { sys::ffclos(fptr, &mut status) };
                Err(FitsError::invalid(path, "", format!("cannot create: {e}")))
            }
        }
    }

    pub fn ptr(&mut self) -> *mut sys::fitsfile {
        // SAFETY: the pointer stays valid while `self.file` lives; callers use it only
        // for CFITSIO calls made through `&mut self`.
        unsafe { self.file.as_raw() }
    }

    pub fn check(&self, status: c_int, hdu: &str, what: &str) -> Result<()> {
        if status == 0 {
            return Ok(());
        }
        Err(FitsError::Cfitsio {
            path: self.path.clone(),
            hdu: HduLabel(hdu.to_string()),
            status,
            message: format!("{what}: {}", cfitsio_message(status)),
        })
    }

    pub fn num_hdus(&mut self) -> Result<usize> {
        let mut n: c_int = 0;
        let mut status = 0;
        unsafe { sys::ffthdu(self.ptr(), &mut n, &mut status) };
        self.check(status, "", "counting HDUs")?;
        Ok(n.max(0) as usize)
    }

    /// Byte offset of the current HDU's data unit.
    pub fn data_start(&mut self, label: &str) -> Result<u64> {
        let (mut head, mut data, mut end): (sys::LONGLONG, sys::LONGLONG, sys::LONGLONG) = (0, 0, 0);
        let mut status = 0;
        unsafe { sys::ffghadll(self.ptr(), &mut head, &mut data, &mut end, &mut status) };
        self.check(status, label, "locating the data unit")?;
        Ok(data.max(0) as u64)
    }

    /// Move to HDU `index` (0 = primary); returns the CFITSIO HDU type.
    pub fn move_to(&mut self, index: usize) -> Result<c_int> {
        let mut hdutype: c_int = 0;
        let mut status = 0;
        unsafe { sys::ffmahd(self.ptr(), index as c_int + 1, &mut hdutype, &mut status) };
        self.check(status, &index.to_string(), "moving to HDU")?;
        Ok(hdutype)
    }

    /// All card images of the current HDU, `END` excluded.
    pub fn records(&mut self, label: &str) -> Result<Vec<String>> {
        let (mut nkeys, mut more): (c_int, c_int) = (0, 0);
        let mut status = 0;
        unsafe { sys::ffghsp(self.ptr(), &mut nkeys, &mut more, &mut status) };
        self.check(status, label, "reading the header size")?;
        let mut out = Vec::with_capacity(nkeys.max(0) as usize);
        for k in 1..=nkeys {
            let mut buf = [0 as c_char; 81];
            unsafe { sys::ffgrec(self.ptr(), k, buf.as_mut_ptr(), &mut status) };
            self.check(status, label, "reading a header card")?;
            let bytes = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes();
            out.push(String::from_utf8_lossy(bytes).into_owned());
        }
        Ok(out)
    }

    /// BITPIX as stored, the equivalent BITPIX after BZERO/BSCALE, and the axis lengths
    /// (NAXIS1 first) of the current image HDU.
    pub fn image_shape(&mut self, label: &str) -> Result<(i32, i32, Vec<usize>)> {
        let mut bitpix: c_int = 0;
        let mut naxis: c_int = 0;
        let mut naxes = [0i64; 9];
        let mut status = 0;
        unsafe {
            sys::ffgiprll(self.ptr(), 9, &mut bitpix, &mut naxis, naxes.as_mut_ptr(), &mut status);
        }
        self.check(status, label, "reading the image size")?;
        let mut equiv: c_int = 0;
        unsafe { sys::ffgiet(self.ptr(), &mut equiv, &mut status) };
        self.check(status, label, "reading the image type")?;
        let dims = naxes[..naxis.clamp(0, 9) as usize].iter().map(|&n| n.max(0) as usize).collect();
        Ok((bitpix, equiv, dims))
    }

    /// Read `n` pixels starting at 1-based element `first` of the current image, converted
    /// by CFITSIO to `datatype` (BSCALE/BZERO applied).
    pub fn read_pixels<T: Copy + Default>(
        &mut self,
        datatype: c_int,
        first: usize,
        out: &mut [T],
        label: &str,
    ) -> Result<()> {
        if out.is_empty() {
            return Ok(());
        }
        let mut status = 0;
        let mut anynul: c_int = 0;
        unsafe {
            sys::ffgpv(
                self.ptr(),
                datatype,
                first as i64,
                out.len() as i64,
                std::ptr::null_mut(),
                out.as_mut_ptr().cast(),
                &mut anynul,
                &mut status,
            );
        }
        self.check(status, label, "reading image pixels")
    }

    pub fn create_image(&mut self, bitpix: c_int, dims: &[usize], label: &str) -> Result<()> {
        let mut naxes: Vec<c_long> = dims.iter().map(|&d| d as c_long).collect();
        let mut status = 0;
        unsafe { sys::ffcrim(self.ptr(), bitpix, naxes.len() as c_int, naxes.as_mut_ptr(), &mut status) };
        self.check(status, label, "creating an image HDU")
    }

    /// Change the type and size of the current image HDU (e.g. give the empty primary
    /// array data).
    pub fn resize_image(&mut self, bitpix: c_int, dims: &[usize], label: &str) -> Result<()> {
        let mut naxes: Vec<c_long> = dims.iter().map(|&d| d as c_long).collect();
        let mut status = 0;
        unsafe { sys::ffrsim(self.ptr(), bitpix, naxes.len() as c_int, naxes.as_mut_ptr(), &mut status) };
        self.check(status, label, "resizing an image HDU")
    }

    pub fn write_pixels<T: Copy>(&mut self, datatype: c_int, data: &[T], label: &str) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let mut status = 0;
        unsafe {
            sys::ffppr(self.ptr(), datatype, 1, data.len() as i64, data.as_ptr() as *mut _, &mut status);
        }
        self.check(status, label, "writing image pixels")
    }

    /// Append a card image at the end of the current header.
    pub fn append_record(&mut self, image: &str, label: &str) -> Result<()> {
        let c = CString::new(image).map_err(|_| FitsError::invalid(&self.path, label, "card with a NUL byte"))?;
        let mut status = 0;
        unsafe { sys::ffprec(self.ptr(), c.as_ptr(), &mut status) };
        self.check(status, label, &format!("writing card {:?}", image.trim_end()))
    }

    /// Replace the card at 1-based position `k` (used to give an extension a
    /// non-standard `XTENSION`, e.g. stwcs's `HDRLET`).
    pub fn modify_record(&mut self, k: usize, image: &str, label: &str) -> Result<()> {
        let c = CString::new(image).map_err(|_| FitsError::invalid(&self.path, label, "card with a NUL byte"))?;
        let mut status = 0;
        unsafe { sys::ffmrec(self.ptr(), k as c_int, c.as_ptr(), &mut status) };
        self.check(status, label, &format!("rewriting card {k} as {:?}", image.trim_end()))
    }

    /// Delete the card at 1-based position `k`.
    pub fn delete_record(&mut self, k: usize, label: &str) -> Result<()> {
        let mut status = 0;
        unsafe { sys::ffdrec(self.ptr(), k as c_int, &mut status) };
        self.check(status, label, "deleting a header card")
    }

    /// Re-read the current HDU's structure after its header was rewritten.
    pub fn reparse(&mut self, label: &str) -> Result<()> {
        let mut status = 0;
        unsafe { sys::ffrdef(self.ptr(), &mut status) };
        self.check(status, label, "re-reading the HDU structure")
    }

    pub fn num_rows(&mut self, label: &str) -> Result<usize> {
        let mut n: i64 = 0;
        let mut status = 0;
        unsafe { sys::ffgnrwll(self.ptr(), &mut n, &mut status) };
        self.check(status, label, "counting table rows")?;
        Ok(n.max(0) as usize)
    }

    /// Type code, repeat count and width of 1-based column `col`.
    pub fn column_type(&mut self, col: usize, label: &str) -> Result<(c_int, usize, usize)> {
        let (mut typecode, mut repeat, mut width): (c_int, c_long, c_long) = (0, 0, 0);
        let mut status = 0;
        unsafe { sys::ffgtcl(self.ptr(), col as c_int, &mut typecode, &mut repeat, &mut width, &mut status) };
        self.check(status, label, &format!("reading the type of column {col}"))?;
        Ok((typecode, repeat.max(0) as usize, width.max(0) as usize))
    }

    /// Read `n` elements of column `col` from row 1, converted to `datatype`.
    pub fn read_column<T: Copy + Default>(
        &mut self,
        datatype: c_int,
        col: usize,
        out: &mut [T],
        label: &str,
    ) -> Result<()> {
        if out.is_empty() {
            return Ok(());
        }
        let mut status = 0;
        let mut anynul: c_int = 0;
        unsafe {
            sys::ffgcv(
                self.ptr(),
                datatype,
                col as c_int,
                1,
                1,
                out.len() as i64,
                std::ptr::null_mut(),
                out.as_mut_ptr().cast(),
                &mut anynul,
                &mut status,
            );
        }
        self.check(status, label, &format!("reading column {col}"))
    }

    /// Read a string column: `rows` values of at most `width` characters.
    pub fn read_string_column(&mut self, col: usize, rows: usize, width: usize, label: &str) -> Result<Vec<String>> {
        let mut buffers: Vec<Vec<c_char>> = (0..rows).map(|_| vec![0 as c_char; width + 1]).collect();
        let mut pointers: Vec<*mut c_char> = buffers.iter_mut().map(|b| b.as_mut_ptr()).collect();
        let mut status = 0;
        let mut anynul: c_int = 0;
        if rows > 0 {
            let mut nul = [0 as c_char; 1];
            unsafe {
                sys::ffgcvs(
                    self.ptr(),
                    col as c_int,
                    1,
                    1,
                    rows as i64,
                    nul.as_mut_ptr(),
                    pointers.as_mut_ptr(),
                    &mut anynul,
                    &mut status,
                );
            }
            self.check(status, label, &format!("reading string column {col}"))?;
        }
        Ok(buffers
            .iter()
            .map(|b| unsafe { CStr::from_ptr(b.as_ptr()) }.to_string_lossy().trim_end().to_string())
            .collect())
    }

    /// Create a binary table with the given column names and TFORMs.
    pub fn create_table(&mut self, names: &[String], forms: &[String], label: &str) -> Result<()> {
        let c_names: Vec<CString> = names.iter().map(|n| CString::new(n.as_str()).unwrap_or_default()).collect();
        let c_forms: Vec<CString> = forms.iter().map(|n| CString::new(n.as_str()).unwrap_or_default()).collect();
        let mut p_names: Vec<*mut c_char> = c_names.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        let mut p_forms: Vec<*mut c_char> = c_forms.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        let mut status = 0;
        unsafe {
            sys::ffcrtb(
                self.ptr(),
                code::BINARY_TBL,
                0,
                names.len() as c_int,
                p_names.as_mut_ptr(),
                p_forms.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut status,
            );
        }
        self.check(status, label, "creating a binary table")
    }

    pub fn write_column<T: Copy>(&mut self, datatype: c_int, col: usize, data: &[T], label: &str) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let mut status = 0;
        unsafe {
            sys::ffpcl(
                self.ptr(),
                datatype,
                col as c_int,
                1,
                1,
                data.len() as i64,
                data.as_ptr() as *mut _,
                &mut status,
            );
        }
        self.check(status, label, &format!("writing column {col}"))
    }

    pub fn write_string_column(&mut self, col: usize, data: &[String], label: &str) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let c: Vec<CString> = data.iter().map(|s| CString::new(s.as_str()).unwrap_or_default()).collect();
        let mut p: Vec<*mut c_char> = c.iter().map(|s| s.as_ptr() as *mut c_char).collect();
        let mut status = 0;
        unsafe { sys::ffpcls(self.ptr(), col as c_int, 1, 1, data.len() as i64, p.as_mut_ptr(), &mut status) };
        self.check(status, label, &format!("writing string column {col}"))
    }

    pub fn write_logical_column(&mut self, col: usize, data: &[bool], label: &str) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let mut bytes: Vec<c_char> = data.iter().map(|&b| b as c_char).collect();
        let mut status = 0;
        unsafe { sys::ffpcll(self.ptr(), col as c_int, 1, 1, data.len() as i64, bytes.as_mut_ptr(), &mut status) };
        self.check(status, label, &format!("writing logical column {col}"))
    }

    /// Copy HDU `index` of `from` to the end of this file.
    pub fn copy_hdu_from(&mut self, from: &mut Raw, index: usize, label: &str) -> Result<()> {
        from.move_to(index)?;
        let mut status = 0;
        unsafe { sys::ffcopy(from.ptr(), self.ptr(), 0, &mut status) };
        self.check(status, label, "copying an HDU")
    }

    pub fn delete_current_hdu(&mut self, label: &str) -> Result<()> {
        let mut status = 0;
        let mut hdutype: c_int = 0;
        unsafe { sys::ffdhdu(self.ptr(), &mut hdutype, &mut status) };
        self.check(status, label, "deleting an HDU")
    }

    /// Flush everything to disk and report any error (closing in `Drop` cannot).
    pub fn flush(&mut self) -> Result<()> {
        let mut status = 0;
        unsafe { sys::ffflus(self.ptr(), &mut status) };
        self.check(status, "", "writing the file")
    }
}
