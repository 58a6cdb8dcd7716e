//! Headerlets (see below).
