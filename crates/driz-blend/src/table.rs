//! The HDRTAB table: one row per input chip, one column per table rule, with the column
//! types numpy guesses from the values and the binary-table header astropy writes.

use crate::aggregate::{BlendValue, NumpyKind, numpy_kind};
use driz_header::{Card, Header, python_float_repr};

/// EXTNAME of the table extension.
pub const HDRTAB_EXTNAME: &str = "HDRTAB";

/// A column's values, typed as numpy types them.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// numpy `<U{width}`, written as `{width}A`. `width` can exceed every value's length:
    /// numbers mixed into a string column widen it to numpy's text size for them
    /// (21 for integers, 32 for floats and missing values, 5 for logicals).
    Text { width: usize, values: Vec<String> },
    /// `L`
    Logical(Vec<bool>),
    /// int64, `K`
    Integer(Vec<i64>),
    /// float64, `D`; missing values are NaN.
    Float(Vec<f64>),
}

impl ColumnData {
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Text { values, .. } => values.len(),
            ColumnData::Logical(v) => v.len(),
            ColumnData::Integer(v) => v.len(),
            ColumnData::Float(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The TFORM astropy writes.
    pub fn tform(&self) -> String {
        match self {
            ColumnData::Text { width, .. } => format!("{width}A"),
            ColumnData::Logical(_) => "L".into(),
            ColumnData::Integer(_) => "K".into(),
            ColumnData::Float(_) => "D".into(),
        }
    }

    /// Bytes per row.
    pub fn row_bytes(&self) -> usize {
        match self {
            ColumnData::Text { width, .. } => *width,
            ColumnData::Logical(_) => 1,
            ColumnData::Integer(_) | ColumnData::Float(_) => 8,
        }
    }

    /// Build a column the way fitsblender does: `np.array` over the values, with NaN
    /// standing in for inputs that lack the keyword.
    pub(crate) fn from_values(values: &[Option<BlendValue>]) -> ColumnData {
        let any_missing = values.iter().any(Option::is_none);
        let mut kind = numpy_kind(values.iter().flatten());
        if any_missing && kind != NumpyKind::Text {
            kind = NumpyKind::Float;
        }
        match kind {
            NumpyKind::Text => {
                let width = values.iter().map(text_width).max().unwrap_or(1).max(1);
                ColumnData::Text { width, values: values.iter().map(as_text).collect() }
            }
            NumpyKind::Float => {
                ColumnData::Float(values.iter().map(|v| v.as_ref().map_or(f64::NAN, BlendValue::as_f64)).collect())
            }
            NumpyKind::Int => ColumnData::Integer(
                values
                    .iter()
                    .map(|v| match v {
                        Some(BlendValue::Int { value, .. }) => *value,
                        Some(BlendValue::Bool(b)) => i64::from(*b),
                        _ => 0,
                    })
                    .collect(),
            ),
            NumpyKind::Bool => {
                ColumnData::Logical(values.iter().map(|v| matches!(v, Some(BlendValue::Bool(true)))).collect())
            }
        }
    }
}

/// numpy's string length for a value placed in a unicode array.
fn text_width(value: &Option<BlendValue>) -> usize {
    match value {
        Some(BlendValue::Text(s)) => s.chars().count(),
        Some(BlendValue::Bool(_)) => 5,
        Some(BlendValue::Int { .. }) => 21,
        Some(BlendValue::Float(_)) | None => 32,
    }
}

fn as_text(value: &Option<BlendValue>) -> String {
    match value {
        Some(BlendValue::Text(s)) => s.clone(),
        Some(BlendValue::Bool(b)) => if *b { "True" } else { "False" }.into(),
        Some(BlendValue::Int { value, .. }) => value.to_string(),
        Some(BlendValue::Float(f)) => python_float_repr(*f),
        None => "nan".into(),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    pub name: String,
    pub data: ColumnData,
}

/// The HDRTAB table: one row per input chip, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderTable {
    pub rows: usize,
    pub columns: Vec<TableColumn>,
}

impl HeaderTable {
    /// The extension header astropy builds for the table (`BinTableHDU.from_columns`
    /// followed by `EXTNAME = 'HDRTAB'`).
    pub fn extension_header(&self) -> Header {
        let mut cards = vec![
            Card::new("XTENSION", "BINTABLE", "binary table extension"),
            Card::new("BITPIX", 8, "array data type"),
            Card::new("NAXIS", 2, "number of array dimensions"),
            Card::new(
                "NAXIS1",
                self.columns.iter().map(|c| c.data.row_bytes()).sum::<usize>(),
                "length of dimension 1",
            ),
            Card::new("NAXIS2", self.rows, "length of dimension 2"),
            Card::new("PCOUNT", 0, "number of group parameters"),
            Card::new("GCOUNT", 1, "number of groups"),
            Card::new("TFIELDS", self.columns.len(), "number of table fields"),
        ];
        for (i, column) in self.columns.iter().enumerate() {
            cards.push(Card::new(&format!("TTYPE{}", i + 1), column.name.as_str(), ""));
            cards.push(Card::new(&format!("TFORM{}", i + 1), column.data.tform(), ""));
        }
        cards.push(Card::new("EXTNAME", HDRTAB_EXTNAME, ""));
        let images: Vec<String> = cards.iter().flat_map(Card::images).collect();
        Header::from_card_images(images.iter().map(String::as_str)).unwrap_or_default()
    }

    pub fn column(&self, name: &str) -> Option<&TableColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}
