//! Writing FITS files without ever leaving a broken one: new files and updates are both
//! written to a temporary file in the target's directory, flushed, synced and renamed
//! over the target. A crash or an error leaves the old file (or none) in place.

use crate::error::{FitsError, Result};
use crate::file::Fits;
use crate::pixel::Pixel;
use crate::raw::{Raw, code};
use crate::table::Column;
use driz_header::Header;
use ndarray::{ArrayView2, ArrayView3};
use std::path::{Path, PathBuf};

/// Keywords that describe the data layout. CFITSIO writes them itself; header rewrites
/// leave them alone so that the data stay readable.
pub fn is_structural(keyword: &str) -> bool {
    const FIXED: [&str; 13] = [
        "SIMPLE", "XTENSION", "BITPIX", "NAXIS", "EXTEND", "PCOUNT", "GCOUNT", "GROUPS", "BSCALE", "BZERO", "BLANK",
        "TFIELDS", "THEAP",
    ];
    const INDEXED: [&str; 9] = ["NAXIS", "TTYPE", "TFORM", "TBCOL", "TSCAL", "TZERO", "TNULL", "TDIM", "TUNIT"];
    let k = keyword.trim();
    if FIXED.contains(&k) || k == "END" {
        return true;
    }
    INDEXED.iter().any(|p| k.strip_prefix(p).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
}

fn card_keyword(image: &str) -> &str {
    image.get(..8).unwrap_or(image).trim()
}

/// Write all non-structural cards of `header` into the current HDU, after removing the
/// ones it has now. Keyword order and comments are those of `header`.
fn replace_cards(raw: &mut Raw, header: &Header, label: &str) -> Result<()> {
    let existing = raw.records(label)?;
    for k in (1..=existing.len()).rev() {
        if !is_structural(card_keyword(&existing[k - 1])) {
            raw.delete_record(k, label)?;
        }
    }
    for card in header.cards() {
        if card.keyword != "CONTINUE" && is_structural(&card.keyword) && !card.is_hierarch() {
            continue;
        }
        for image in card.images() {
            raw.append_record(&image, label)?;
        }
    }
    raw.reparse(label)
}

/// A temporary sibling of `target`, removed on drop unless persisted.
fn temp_sibling(target: &Path) -> Result<tempfile::TempPath> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map(|f| f.into_temp_path())
        .map_err(|cause| FitsError::Io { path: target.to_path_buf(), cause })
}

/// What [`commit_with`] syncs to disk (named apart from the `Sync` trait).
#[derive(Clone, Copy, PartialEq)]
enum Durability {
    /// Scratch files: the rename alone keeps them never half-written. No directory sync
    /// either: it commits the filesystem's journal, which waits for every file written
    /// since (a fifth of a second for each mask file of a pipeline run).
    Nothing,
    /// Products: the file, then the rename (the directory).
    FileAndRename,
    /// Input updates, whose copy was synced when it was made: the rename.
    Rename,
}

/// Rename the temporary file over the target, syncing what `durability` says.
fn commit_with(temp: tempfile::TempPath, target: &Path, durability: Durability) -> Result<()> {
    let io = |cause| FitsError::Io { path: target.to_path_buf(), cause };
    if durability == Durability::FileAndRename {
        std::fs::File::open(&temp).and_then(|f| f.sync_all()).map_err(io)?;
    }
    temp.persist(target).map_err(|e| io(e.error))?;
    if durability != Durability::Nothing
        && let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
    {
        // Directory sync makes the rename durable; not all filesystems allow it.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// A new image HDU at the end of the file, written in one pass: it is created at its final
/// size and its cards are written before the data unit is placed (CFITSIO places it when
/// the header is re-read), so the header can grow without moving anything, and the pixels
/// are the only bytes written to the data unit. (Resizing an HDU instead would first write
/// its whole data unit as zeros.)
fn append_array<T: Pixel>(raw: &mut Raw, header: &Header, dims: &[usize], data: &[T], label: &str) -> Result<()> {
    raw.create_image(T::BITPIX, dims, label)?;
    replace_cards(raw, header, label)?;
    raw.write_pixels(T::DATATYPE, data, label)
}

fn append_image<T: Pixel>(raw: &mut Raw, header: &Header, data: ArrayView2<T>, label: &str) -> Result<()> {
    let (ny, nx) = data.dim();
    let contiguous = data.as_standard_layout();
    append_array(raw, header, &[nx, ny], contiguous.as_slice().expect("standard layout"), label)
}

fn append_cube<T: Pixel>(raw: &mut Raw, header: &Header, data: ArrayView3<T>, label: &str) -> Result<()> {
    let (nz, ny, nx) = data.dim();
    let contiguous = data.as_standard_layout();
    append_array(raw, header, &[nx, ny, nz], contiguous.as_slice().expect("standard layout"), label)
}

fn append_header_only(raw: &mut Raw, header: &Header, label: &str) -> Result<()> {
    raw.create_image(8, &[], label)?;
    replace_cards(raw, header, label)
}

/// A non-standard extension holding raw bytes (`XTENSION = '<xtension>'`, BITPIX 8,
/// NAXIS 1, NAXIS1 = byte count), as astropy writes stwcs's `HDRLET` (a whole FITS
/// file). CFITSIO reads such an HDU back as a 1-D BITPIX-8 image.
fn append_nonstandard(raw: &mut Raw, xtension: &str, header: &Header, data: &[u8], label: &str) -> Result<()> {
    raw.create_image(8, &[data.len()], label)?;
    replace_cards(raw, header, label)?;
    raw.write_pixels(code::TBYTE, data, label)?;
    let card = driz_header::Card::new("XTENSION", xtension, "FITS extension");
    raw.modify_record(1, &card.images()[0], label)
}

fn append_table(raw: &mut Raw, header: &Header, columns: &[(String, Column)], label: &str) -> Result<()> {
    let rows = columns.first().map_or(0, |(_, c)| c.len());
    if let Some((name, _)) = columns.iter().find(|(_, c)| c.len() != rows) {
        return Err(FitsError::invalid(&raw.path, label, format!("column {name} has a different number of rows")));
    }
    let names: Vec<String> = columns.iter().map(|(n, _)| n.clone()).collect();
    let forms: Vec<String> = columns.iter().map(|(_, c)| c.tform()).collect();
    raw.create_table(&names, &forms, label)?;
    replace_cards(raw, header, label)?;
    for (i, (_, column)) in columns.iter().enumerate() {
        let col = i + 1;
        match column {
            Column::Text(v) => raw.write_string_column(col, v, label)?,
            Column::Logical(v) => raw.write_logical_column(col, v, label)?,
            Column::Integer(v) => raw.write_column(code::TLONGLONG, col, v, label)?,
            Column::Float(v) => raw.write_column(code::TDOUBLE, col, v, label)?,
            Column::FloatVector(v) => {
                let flat: Vec<f64> = v.concat();
                raw.write_column(code::TDOUBLE, col, &flat, label)?
            }
        }
    }
    Ok(())
}

/// A new FITS file, written atomically: nothing appears at the target until
/// [`FitsWriter::finish`] succeeds.
pub struct FitsWriter {
    raw: Raw,
    temp: tempfile::TempPath,
    target: PathBuf,
    count: usize,
    durable: bool,
    /// The file starts without HDUs; the primary is made by the first write, so that a
    /// primary holding data is written at its final size (see [`append_array`]).
    has_primary: bool,
}

impl FitsWriter {
    /// Start a file that will replace `target` (if it exists) on `finish`.
    pub fn create(target: impl AsRef<Path>) -> Result<FitsWriter> {
        let target = target.as_ref().to_path_buf();
        let temp = temp_sibling(&target)?;
        std::fs::remove_file(&temp).map_err(|cause| FitsError::Io { path: target.clone(), cause })?;
        let raw = Raw::create(&temp)?;
        Ok(FitsWriter { raw, temp, target, count: 1, durable: true, has_primary: false })
    }

    /// Like [`FitsWriter::create`] for intermediate products: still renamed into place
    /// whole, but not synced to disk (a crash may lose it, never half-write it).
    pub fn create_scratch(target: impl AsRef<Path>) -> Result<FitsWriter> {
        let mut w = FitsWriter::create(target)?;
        w.durable = false;
        Ok(w)
    }

    /// Errors name the target, not the temporary file being written.
    fn named<T>(&self, result: Result<T>) -> Result<T> {
        result.map_err(|e| rename_path(e, &self.temp, &self.target))
    }

    /// Give the file its empty primary HDU if nothing has made one yet.
    fn ensure_primary(&mut self) -> Result<()> {
        if self.has_primary {
            return Ok(());
        }
        self.has_primary = true;
        let made = self.raw.create_image(8, &[], "0");
        self.named(made)
    }

    /// The label of the next extension, once the file has a primary HDU.
    fn next_label(&mut self) -> Result<String> {
        self.ensure_primary()?;
        let l = self.count.to_string();
        self.count += 1;
        Ok(l)
    }

    /// Set the cards of the (data-less) primary HDU.
    pub fn primary(&mut self, header: &Header) -> Result<()> {
        let raw = &mut self.raw;
        let result = if self.has_primary {
            raw.move_to(0).and_then(|_| replace_cards(raw, header, "0"))
        } else {
            raw.create_image(8, &[], "0").and_then(|_| replace_cards(raw, header, "0"))
        };
        self.has_primary = true;
        self.named(result)
    }

    /// A primary HDU holding `data` (the layout of single-array files such as
    /// AstroDrizzle's intermediate products).
    pub fn primary_image<T: Pixel>(&mut self, header: &Header, data: ArrayView2<T>) -> Result<()> {
        let (ny, nx) = data.dim();
        let raw = &mut self.raw;
        if !self.has_primary {
            self.has_primary = true;
            let contiguous = data.as_standard_layout();
            let pixels = contiguous.as_slice().expect("standard layout");
            let result = append_array(raw, header, &[nx, ny], pixels, "0");
            return self.named(result);
        }
        let result = (|| {
            raw.move_to(0)?;
            // Cards first, data size second (see append_image).
            raw.resize_image(T::BITPIX, &[], "0")?;
            replace_cards(raw, header, "0")?;
            raw.resize_image(T::BITPIX, &[nx, ny], "0")?;
            let contiguous = data.as_standard_layout();
            raw.write_pixels(T::DATATYPE, contiguous.as_slice().expect("standard layout"), "0")
        })();
        self.named(result)
    }

    pub fn image<T: Pixel>(&mut self, header: &Header, data: ArrayView2<T>) -> Result<()> {
        let label = self.next_label()?;
        let result = append_image(&mut self.raw, header, data, &label);
        self.named(result)
    }

    /// A 3-D image (planes, rows, columns), e.g. a context cube of more than 32 inputs.
    pub fn cube<T: Pixel>(&mut self, header: &Header, data: ArrayView3<T>) -> Result<()> {
        let label = self.next_label()?;
        let result = append_cube(&mut self.raw, header, data, &label);
        self.named(result)
    }

    /// An image extension without data (NAXIS = 0), e.g. a headerlet's SIPWCS.
    pub fn header_only(&mut self, header: &Header) -> Result<()> {
        let label = self.next_label()?;
        let result = append_header_only(&mut self.raw, header, &label);
        self.named(result)
    }

    /// A non-standard extension holding raw bytes (see [`FitsUpdate::append_nonstandard`]).
    pub fn nonstandard(&mut self, xtension: &str, header: &Header, data: &[u8]) -> Result<()> {
        let label = self.next_label()?;
        let result = append_nonstandard(&mut self.raw, xtension, header, data, &label);
        self.named(result)
    }

    pub fn table(&mut self, header: &Header, columns: &[(String, Column)]) -> Result<()> {
        let label = self.next_label()?;
        let result = append_table(&mut self.raw, header, columns, &label);
        self.named(result)
    }

    /// Copy HDU `index` of an open file verbatim.
    pub fn copy_hdu(&mut self, from: &mut Fits, index: usize) -> Result<()> {
        let label = self.next_label()?;
        let result = self.raw.copy_hdu_from(from.raw(), index, &label);
        self.named(result)
    }

    /// Flush, close and move the file into place.
    pub fn finish(mut self) -> Result<()> {
        self.ensure_primary()?;
        let flushed = self.raw.flush();
        self.named(flushed)?;
        let FitsWriter { raw, temp, target, durable, .. } = self;
        drop(raw);
        commit_with(temp, &target, if durable { Durability::FileAndRename } else { Durability::Nothing })
    }
}

/// An open temporary copy of a file being updated; see [`update_file`].
pub struct FitsUpdate {
    fits: Fits,
}

impl FitsUpdate {
    /// The file as it is now, for reading (headers, images, WCS).
    pub fn fits(&mut self) -> &mut Fits {
        &mut self.fits
    }

    /// Replace the non-structural cards of HDU `index` with those of `header`.
    pub fn set_header(&mut self, index: usize, header: &Header) -> Result<()> {
        let label = self.fits.hdu(index).label();
        let raw = self.fits.raw();
        raw.move_to(index)?;
        replace_cards(raw, header, &label)?;
        self.rescan()
    }

    /// Overwrite the pixels of image HDU `index` (same size; converted to its type).
    pub fn write_image<T: Pixel>(&mut self, index: usize, data: ArrayView2<T>) -> Result<()> {
        let hdu = self.fits.hdu(index);
        let label = hdu.label();
        let (ny, nx) = data.dim();
        if hdu.image_size() != Some([nx, ny]) {
            return Err(FitsError::invalid(self.fits.path(), &label, format!("image is not {nx}x{ny}")));
        }
        let raw = self.fits.raw();
        raw.move_to(index)?;
        let contiguous = data.as_standard_layout();
        raw.write_pixels(T::DATATYPE, contiguous.as_slice().expect("standard layout"), &label)
    }

    pub fn append_image<T: Pixel>(&mut self, header: &Header, data: ArrayView2<T>) -> Result<()> {
        let label = self.fits.hdus().len().to_string();
        let raw = self.fits.raw();
        let last = raw.num_hdus()? - 1;
        raw.move_to(last)?;
        append_image(raw, header, data, &label)?;
        self.rescan()
    }

    pub fn append_header_only(&mut self, header: &Header) -> Result<()> {
        let label = self.fits.hdus().len().to_string();
        let raw = self.fits.raw();
        let last = raw.num_hdus()? - 1;
        raw.move_to(last)?;
        append_header_only(raw, header, &label)?;
        self.rescan()
    }

    pub fn append_table(&mut self, header: &Header, columns: &[(String, Column)]) -> Result<()> {
        let label = self.fits.hdus().len().to_string();
        let raw = self.fits.raw();
        let last = raw.num_hdus()? - 1;
        raw.move_to(last)?;
        append_table(raw, header, columns, &label)?;
        self.rescan()
    }

    /// Append a non-standard extension holding `data` as raw bytes (see
    /// [`Fits::read_bytes`]), e.g. an stwcs `HDRLET` with `xtension = "HDRLET"`.
    pub fn append_nonstandard(&mut self, xtension: &str, header: &Header, data: &[u8]) -> Result<()> {
        let label = self.fits.hdus().len().to_string();
        let raw = self.fits.raw();
        let last = raw.num_hdus()? - 1;
        raw.move_to(last)?;
        append_nonstandard(raw, xtension, header, data, &label)?;
        self.rescan()
    }

    /// Delete HDU `index` (not the primary).
    pub fn delete_hdu(&mut self, index: usize) -> Result<()> {
        if index == 0 {
            return Err(FitsError::invalid(self.fits.path(), "0", "the primary HDU cannot be deleted"));
        }
        let label = self.fits.hdu(index).label();
        let raw = self.fits.raw();
        raw.move_to(index)?;
        raw.delete_current_hdu(&label)?;
        self.rescan()
    }

    fn rescan(&mut self) -> Result<()> {
        self.fits.raw().flush()?;
        self.fits.rescan()
    }
}

/// Update `path` atomically: `edit` works on a temporary copy, which replaces the file only
/// if `edit` and the final flush succeed. Compressed (`.gz`) files are refused.
pub fn update_file<R>(path: impl AsRef<Path>, edit: impl FnOnce(&mut FitsUpdate) -> Result<R>) -> Result<R> {
    let (result, pending) = prepare_update(path, edit)?;
    pending.commit()?;
    Ok(result)
}

/// An edited and synced copy of a file, waiting to replace it ([`PendingUpdate::commit`]);
/// dropped uncommitted, the copy is removed and the file stays as it was.
#[derive(Debug)]
pub struct PendingUpdate {
    temp: tempfile::TempPath,
    target: PathBuf,
}

impl PendingUpdate {
    /// The file this update replaces.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Rename the copy over the file (and sync the directory): the update takes effect.
    pub fn commit(self) -> Result<()> {
        commit_with(self.temp, &self.target, Durability::Rename)
    }
}

/// The first half of [`update_file`]: `edit` on a temporary copy of `path`, flushed and
/// synced to disk, without replacing `path` yet, so that several files can be prepared
/// (the slow part: a copy and a sync each) and then replaced together, or not at all.
pub fn prepare_update<R>(
    path: impl AsRef<Path>,
    edit: impl FnOnce(&mut FitsUpdate) -> Result<R>,
) -> Result<(R, PendingUpdate)> {
    let path = path.as_ref();
    let mut magic = [0u8; 2];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|cause| FitsError::Io { path: path.to_path_buf(), cause })?;
        let _ = f.read(&mut magic);
    }
    if magic == [0x1f, 0x8b] {
        return Err(FitsError::invalid(path, "", "file is gzip-compressed; gunzip it before updating it"));
    }
    let temp = temp_sibling(path)?;
    std::fs::copy(path, &temp).map_err(|cause| FitsError::Io { path: path.to_path_buf(), cause })?;
    let named = |e| rename_path(e, &temp, path);
    let mut update = FitsUpdate { fits: Fits::open_mode(&temp, true).map_err(named)? };
    let result = edit(&mut update).map_err(named)?;
    update.fits.raw().flush().map_err(named)?;
    drop(update);
    std::fs::File::open(&temp)
        .and_then(|f| f.sync_all())
        .map_err(|cause| FitsError::Io { path: path.to_path_buf(), cause })?;
    Ok((result, PendingUpdate { temp, target: path.to_path_buf() }))
}

/// Errors from the temporary copy `temp` should name the user's file `path`, also inside
/// CFITSIO's messages.
fn rename_path(e: FitsError, temp: &Path, path: &Path) -> FitsError {
    let p = path.to_path_buf();
    let scrub = |m: String| m.replace(&*temp.to_string_lossy(), &path.to_string_lossy());
    match e {
        FitsError::Cfitsio { hdu, status, message, .. } => {
            FitsError::Cfitsio { path: p, hdu, status, message: scrub(message) }
        }
        FitsError::MissingHdu { spec, .. } => FitsError::MissingHdu { path: p, spec },
        FitsError::Header { hdu, cause, .. } => FitsError::Header { path: p, hdu, cause },
        FitsError::Wcs { hdu, cause, .. } => FitsError::Wcs { path: p, hdu, cause },
        FitsError::Invalid { hdu, message, .. } => FitsError::Invalid { path: p, hdu, message: scrub(message) },
        FitsError::Io { cause, .. } => FitsError::Io { path: p, cause },
    }
}
