//! Table columns: reading any scalar or fixed-length vector column, and describing
//! columns to write.

use crate::error::{FitsError, Result};
use crate::raw::{Raw, code};

/// The values of one column, one entry per row.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Text(Vec<String>),
    Logical(Vec<bool>),
    Integer(Vec<i64>),
    Float(Vec<f64>),
    /// A vector column (repeat > 1) of numbers: `values[row]` has `repeat` elements.
    FloatVector(Vec<Vec<f64>>),
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Text(v) => v.len(),
            Column::Logical(v) => v.len(),
            Column::Integer(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::FloatVector(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// TFORM of the column as written (strings get the width of their longest value).
    pub(crate) fn tform(&self) -> String {
        match self {
            Column::Text(v) => format!("{}A", v.iter().map(String::len).max().unwrap_or(1).max(1)),
            Column::Logical(_) => "L".into(),
            Column::Integer(_) => "K".into(),
            Column::Float(_) => "D".into(),
            Column::FloatVector(v) => format!("{}D", v.first().map_or(1, Vec::len).max(1)),
        }
    }
}

pub(crate) fn read_column(raw: &mut Raw, col: usize, rows: usize, label: &str) -> Result<Column> {
    let (typecode, repeat, width) = raw.column_type(col, label)?;
    if typecode < 0 {
        return Err(FitsError::invalid(
            &raw.path,
            label,
            format!("column {col} has variable length, which is not supported"),
        ));
    }
    match typecode {
        code::TSTRING => Ok(Column::Text(raw.read_string_column(col, rows, width.max(repeat), label)?)),
        code::TLOGICAL => {
            let mut v = vec![0i8; rows * repeat.max(1)];
            raw.read_column(code::TLOGICAL, col, &mut v, label)?;
            Ok(Column::Logical(v.iter().step_by(repeat.max(1)).map(|&b| b != 0).collect()))
        }
        code::TBIT
        | code::TBYTE
        | code::TSBYTE
        | code::TSHORT
        | code::TUSHORT
        | code::TINT
        | code::TUINT
        | code::TLONG
        | code::TULONG
        | code::TLONGLONG
        | code::TULONGLONG
            if repeat <= 1 =>
        {
            let mut v = vec![0i64; rows];
            raw.read_column(code::TLONGLONG, col, &mut v, label)?;
            Ok(Column::Integer(v))
        }
        _ if repeat <= 1 => {
            let mut v = vec![0f64; rows];
            raw.read_column(code::TDOUBLE, col, &mut v, label)?;
            Ok(Column::Float(v))
        }
        _ => {
            let mut v = vec![0f64; rows * repeat];
            raw.read_column(code::TDOUBLE, col, &mut v, label)?;
            Ok(Column::FloatVector(v.chunks(repeat).map(<[f64]>::to_vec).collect()))
        }
    }
}
