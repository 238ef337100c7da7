//! The shapes of ids and secrets: UUIDs, 64-hex event ids, random alphanumeric tokens.

use std::fmt::Write as _;

use rand::Rng;

/// Format two 64-bit values as a version-4-looking UUID string.
pub(crate) fn format_uuid(a: u64, b: u64) -> String {
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// A UUID-shaped id from any random generator.
pub(crate) fn random_uuid<R: Rng + ?Sized>(rng: &mut R) -> String {
    format_uuid(rng.random(), rng.random())
}

/// A 64-character lowercase hex id (the shape Basiq uses for event ids).
pub(crate) fn hex64<R: Rng + ?Sized>(rng: &mut R) -> String {
    let mut s = String::with_capacity(64);
    for _ in 0..4 {
        let v: u64 = rng.random();
        let _ = write!(s, "{v:016x}");
    }
    s
}

/// A random alphanumeric string of `len` characters.
pub(crate) fn random_token<R: Rng + ?Sized>(rng: &mut R, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}
