//! Pixel types that can be read from and written to FITS images.

use crate::raw::code;
use std::ffi::c_int;

/// A pixel type: its CFITSIO datatype code and the BITPIX of an image written with it
/// (`u16` is written as BITPIX 16 with BZERO 32768, as HST DQ arrays are).
pub trait Pixel: Copy + Default + Send + Sync + 'static {
    const DATATYPE: c_int;
    const BITPIX: c_int;
}

macro_rules! pixel {
    ($t:ty, $datatype:expr, $bitpix:expr) => {
        impl Pixel for $t {
            const DATATYPE: c_int = $datatype;
            const BITPIX: c_int = $bitpix;
        }
    };
}

pixel!(u8, code::TBYTE, 8);
pixel!(i16, code::TSHORT, 16);
pixel!(u16, code::TUSHORT, 20);
pixel!(i32, code::TINT, 32);
pixel!(f32, code::TFLOAT, -32);
pixel!(f64, code::TDOUBLE, -64);
