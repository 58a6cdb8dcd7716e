//! Reading an HST multi-extension FITS file: its HDU list, headers, images, tables and
//! chip WCSs.

use crate::error::{FitsError, HduLabel, Result};
use crate::pixel::Pixel;
use crate::raw::{Raw, code};
use crate::spec::HduSpec;
use crate::table::{Column, read_column};
use driz_header::Header;
use driz_wcs::{HstWcs, LookupTable, TableKind, WcsError};
use ndarray::Array2;
use std::path::Path;

/// What kind of data an HDU holds.
#[derive(Debug, Clone, PartialEq)]
pub enum HduKind {
    /// An image; `dims` are NAXIS1, NAXIS2, … (empty for a header-only HDU). `bitpix` is
    /// the equivalent type after BZERO/BSCALE (20 for unsigned 16-bit).
    Image {
        bitpix: i32,
        dims: Vec<usize>,
    },
    BinTable {
        rows: usize,
    },
    AsciiTable {
        rows: usize,
    },
}

/// One HDU: position, name, version, kind and header.
#[derive(Debug, Clone)]
pub struct Hdu {
    pub index: usize,
    /// Upper-case EXTNAME, empty when absent (always for the primary).
    pub extname: String,
    /// EXTVER, 1 when absent.
    pub extver: i64,
    pub kind: HduKind,
    pub header: Header,
}

impl Hdu {
    /// `SCI,1`, or the index when the HDU has no name.
    pub fn label(&self) -> String {
        if self.extname.is_empty() { self.index.to_string() } else { format!("{},{}", self.extname, self.extver) }
    }

    /// Image size as `[NAXIS1, NAXIS2]`, or `None` for tables and header-only HDUs.
    pub fn image_size(&self) -> Option<[usize; 2]> {
        let size = match &self.kind {
            HduKind::Image { dims, .. } if dims.len() == 2 => [dims[0], dims[1]],
            HduKind::Image { dims, .. } if dims.len() == 1 => [dims[0], 1],
            _ => return None,
        };
        (size[0] > 0 && size[1] > 0).then_some(size)
    }
}

/// An open FITS file (read-only). Headers of all HDUs are read once on open.
pub struct Fits {
    raw: Raw,
    hdus: Vec<Hdu>,
}

impl Fits {
    pub fn open(path: impl AsRef<Path>) -> Result<Fits> {
        Fits::open_mode(path.as_ref(), false)
    }

    pub(crate) fn open_mode(path: &Path, writable: bool) -> Result<Fits> {
        let mut raw = Raw::open(path, writable)?;
        let hdus = scan_hdus(&mut raw)?;
        Ok(Fits { raw, hdus })
    }

    pub(crate) fn raw(&mut self) -> &mut Raw {
        &mut self.raw
    }

    pub fn path(&self) -> &Path {
        &self.raw.path
    }

    pub fn hdus(&self) -> &[Hdu] {
        &self.hdus
    }

    pub fn primary_header(&self) -> &Header {
        &self.hdus[0].header
    }

    /// Index of the HDU `spec` names; an error naming the file when it is absent.
    pub fn find(&self, spec: &HduSpec) -> Result<usize> {
        let found = match spec {
            HduSpec::Index(i) => (*i < self.hdus.len()).then_some(*i),
            HduSpec::Name(name, ver) => {
                self.hdus.iter().position(|h| h.extname.eq_ignore_ascii_case(name) && h.extver == *ver)
            }
        };
        found.ok_or_else(|| FitsError::MissingHdu { path: self.path().to_path_buf(), spec: spec.to_string() })
    }

    /// The HDU named `extname`, `extver`, if present.
    pub fn position(&self, extname: &str, extver: i64) -> Option<usize> {
        self.hdus.iter().position(|h| h.extname.eq_ignore_ascii_case(extname) && h.extver == extver)
    }

    pub fn hdu(&self, index: usize) -> &Hdu {
        &self.hdus[index]
    }

    /// A header-value error located in HDU `index` of this file.
    pub fn header_error(&self, index: usize, e: driz_header::HeaderError) -> FitsError {
        FitsError::Header {
            path: self.path().to_path_buf(),
            hdu: HduLabel(self.hdus[index].label()),
            cause: Box::new(e),
        }
    }

    /// Read a 2-D image (a 1-D image comes back as one row), converted to `T`.
    pub fn read_image<T: Pixel>(&mut self, index: usize) -> Result<Array2<T>> {
        let label = self.hdus[index].label();
        let [nx, ny] = self.hdus[index].image_size().ok_or_else(|| {
            FitsError::invalid(self.path(), &label, "not a 2-D image (no data, a table, or more than 2 axes)")
        })?;
        self.raw.move_to(index)?;
        let mut data = vec![T::default(); nx * ny];
        self.raw.read_pixels(T::DATATYPE, 1, &mut data, &label)?;
        Ok(Array2::from_shape_vec((ny, nx), data).expect("length is nx*ny"))
    }

    /// The data of a BITPIX-8, 1-D HDU as bytes: how CFITSIO presents a non-standard
    /// extension such as stwcs's `XTENSION = 'HDRLET'` (a whole FITS file as data).
    pub fn read_bytes(&mut self, index: usize) -> Result<Vec<u8>> {
        let label = self.hdus[index].label();
        let n = match &self.hdus[index].kind {
            HduKind::Image { bitpix: 8, dims } if dims.len() == 1 => dims[0],
            _ => return Err(FitsError::invalid(self.path(), &label, "not a 1-D BITPIX 8 (byte) extension")),
        };
        self.raw.move_to(index)?;
        let mut data = vec![0u8; n];
        self.raw.read_pixels(u8::DATATYPE, 1, &mut data, &label)?;
        Ok(data)
    }

    /// Read a 3-D image as (planes, rows, columns); a 2-D image comes back as one plane.
    pub fn read_cube<T: Pixel>(&mut self, index: usize) -> Result<ndarray::Array3<T>> {
        let label = self.hdus[index].label();
        let dims = match &self.hdus[index].kind {
            HduKind::Image { dims, .. } if dims.len() == 3 => [dims[0], dims[1], dims[2]],
            HduKind::Image { dims, .. } if dims.len() == 2 => [dims[0], dims[1], 1],
            _ => return Err(FitsError::invalid(self.path(), &label, "not a 2-D or 3-D image")),
        };
        self.raw.move_to(index)?;
        let mut data = vec![T::default(); dims.iter().product()];
        self.raw.read_pixels(T::DATATYPE, 1, &mut data, &label)?;
        Ok(ndarray::Array3::from_shape_vec((dims[2], dims[1], dims[0]), data).expect("length matches dims"))
    }

    /// Read rows `first_row..first_row + nrows` (0-based) of a 2-D image.
    pub fn read_image_rows<T: Pixel>(&mut self, index: usize, first_row: usize, nrows: usize) -> Result<Array2<T>> {
        let label = self.hdus[index].label();
        let [nx, ny] =
            self.hdus[index].image_size().ok_or_else(|| FitsError::invalid(self.path(), &label, "not a 2-D image"))?;
        if first_row + nrows > ny {
            return Err(FitsError::invalid(
                self.path(),
                &label,
                format!("rows {first_row}..{} beyond {ny}", first_row + nrows),
            ));
        }
        self.raw.move_to(index)?;
        let mut data = vec![T::default(); nx * nrows];
        self.raw.read_pixels(T::DATATYPE, first_row * nx + 1, &mut data, &label)?;
        Ok(Array2::from_shape_vec((nrows, nx), data).expect("length is nx*nrows"))
    }

    /// A column of a table HDU by name (case-insensitive).
    pub fn read_column(&mut self, index: usize, name: &str) -> Result<Column> {
        let label = self.hdus[index].label();
        let rows = match self.hdus[index].kind {
            HduKind::BinTable { rows } | HduKind::AsciiTable { rows } => rows,
            _ => return Err(FitsError::invalid(self.path(), &label, "not a table")),
        };
        let col = column_number(&self.hdus[index].header, name)
            .ok_or_else(|| FitsError::invalid(self.path(), &label, format!("no column {name}")))?;
        self.raw.move_to(index)?;
        read_column(&mut self.raw, col, rows, &label)
    }

    /// Column names of a table HDU, in order.
    pub fn column_names(&self, index: usize) -> Vec<String> {
        let h = &self.hdus[index].header;
        let n = h.get_i64("TFIELDS").ok().flatten().unwrap_or(0).max(0);
        (1..=n).map(|i| h.get_str(&format!("TTYPE{i}")).ok().flatten().unwrap_or("").trim().to_string()).collect()
    }

    /// A lookup-table extension (`D2IMARR`/`WCSDVARR`) as a [`LookupTable`].
    pub fn lookup_table(&mut self, kind: TableKind, extver: i64) -> std::result::Result<LookupTable, WcsError> {
        let index =
            self.position(kind.extname(), extver).ok_or_else(|| WcsError::BadTable("extension is missing".into()))?;
        let [nx, ny] = self.hdus[index]
            .image_size()
            .ok_or_else(|| WcsError::BadTable("extension has no 1-D or 2-D data".into()))?;
        let header = self.hdus[index].header.clone();
        let data = self.read_image::<f32>(index).map_err(|e| WcsError::BadTable(e.to_string()))?;
        LookupTable::new(&header, [nx, ny], data.into_raw_vec_and_offset().0)
    }

    /// The WCS of HDU `index` with key `key` (`' '` primary), distortion tables included.
    pub fn wcs(&mut self, index: usize, key: char) -> Result<HstWcs> {
        let header = self.hdus[index].header.clone();
        let label = self.hdus[index].label();
        let mut tables = |kind: TableKind, extver: i64| self.lookup_table(kind, extver);
        HstWcs::from_header(&header, key, &mut tables).map_err(|cause| FitsError::Wcs {
            path: self.raw.path.clone(),
            hdu: HduLabel(label),
            cause: Box::new(cause),
        })
    }

    /// Re-read the HDU list after the file changed.
    pub(crate) fn rescan(&mut self) -> Result<()> {
        self.hdus = scan_hdus(&mut self.raw)?;
        Ok(())
    }
}

fn column_number(header: &Header, name: &str) -> Option<usize> {
    let n = header.get_i64("TFIELDS").ok().flatten()?;
    (1..=n.max(0) as usize).find(|i| {
        header.get_str(&format!("TTYPE{i}")).ok().flatten().is_some_and(|t| t.trim().eq_ignore_ascii_case(name))
    })
}

/// Bytes of an HDU's data unit without the fill: |BITPIX|/8 · GCOUNT · (PCOUNT + ΠNAXISn).
fn data_bytes(header: &Header) -> u64 {
    let int = |k: &str| header.get_i64(k).ok().flatten();
    let naxis = int("NAXIS").unwrap_or(0).max(0);
    if naxis == 0 {
        return 0;
    }
    let elements = (1..=naxis).map(|i| int(&format!("NAXIS{i}")).unwrap_or(0).max(0) as u64).product::<u64>();
    let bits = int("BITPIX").unwrap_or(8).unsigned_abs();
    let (pcount, gcount) = (int("PCOUNT").unwrap_or(0).max(0) as u64, int("GCOUNT").unwrap_or(1).max(0) as u64);
    bits / 8 * gcount * (pcount + elements)
}

/// Length of an uncompressed FITS file (`None` for gzip and other compressed files, which
/// CFITSIO inflates in memory, and when the file cannot be read).
fn plain_fits_len(path: &Path) -> Option<u64> {
    use std::io::Read;
    let mut start = [0u8; 6];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut start)).ok()?;
    (&start == b"SIMPLE").then(|| std::fs::metadata(path).ok().map(|m| m.len())).flatten()
}

fn scan_hdus(raw: &mut Raw) -> Result<Vec<Hdu>> {
    let n = raw.num_hdus()?;
    let file_len = plain_fits_len(&raw.path);
    let mut data_end = 0;
    let mut hdus = Vec::with_capacity(n);
    for index in 0..n {
        let hdutype = raw.move_to(index)?;
        let label = index.to_string();
        let images = raw.records(&label)?;
        let header = Header::from_card_images(images.iter().map(String::as_str)).map_err(|cause| {
            FitsError::Header { path: raw.path.clone(), hdu: HduLabel(label.clone()), cause: Box::new(cause) }
        })?;
        let extname = match header.get("EXTNAME") {
            Some(v) => v.as_str().unwrap_or("").trim().to_ascii_uppercase(),
            None => String::new(),
        };
        let extver = header.get("EXTVER").and_then(|v| v.as_i64()).unwrap_or(1);
        // CFITSIO lists the HDUs whose headers it finds and reads missing data as fill, so
        // a truncated file would otherwise look valid (and be rewritten without its tail).
        if let Some(len) = file_len {
            data_end = raw.data_start(&label)? + data_bytes(&header);
            if data_end > len {
                return Err(FitsError::invalid(
                    &raw.path,
                    &label,
                    format!("the file is truncated: this HDU's data end at byte {data_end}, the file has {len} bytes"),
                ));
            }
        }
        let kind = match hdutype {
            code::IMAGE_HDU => {
                let (_, equiv, dims) = raw.image_shape(&label)?;
                HduKind::Image { bitpix: equiv, dims }
            }
            code::BINARY_TBL => HduKind::BinTable { rows: raw.num_rows(&label)? },
            _ => HduKind::AsciiTable { rows: raw.num_rows(&label)? },
        };
        hdus.push(Hdu { index, extname, extver, kind, header });
    }
    if hdus.is_empty() {
        return Err(FitsError::invalid(&raw.path, "", "file has no HDUs"));
    }
    // A partial block after the last HDU is the start of a header cut short.
    if let (Some(len), Some(last)) = (file_len, hdus.last()) {
        let end = data_end.div_ceil(2880) * 2880;
        if len > end && !(len - end).is_multiple_of(2880) {
            return Err(FitsError::invalid(
                &raw.path,
                "",
                format!("the file is truncated: {} bytes of an incomplete HDU follow HDU {}", len - end, last.index),
            ));
        }
    }
    Ok(hdus)
}
