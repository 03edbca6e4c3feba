//! Generated pictures: seeded OneNote images (`png = { width, height, pattern }`), stand-ins for
//! images the emulator cannot fetch, and user photos. Everything here is deterministic — the same
//! inputs give the same bytes — so seeded resources can be compared byte for byte and kept in
//! golden files.

use uuid::Uuid;

/// The largest side a generated picture may have (keeps hostile seeds and requests cheap).
pub const MAX_SIDE: u32 = 2048;

/// A `width` × `height` RGB PNG; `pattern` picks the colours and the drawing (stripes, checks,
/// gradient, rings).
pub fn generate_png(width: u32, height: u32, pattern: u32) -> Vec<u8> {
    let (width, height) = (width.clamp(1, MAX_SIDE), height.clamp(1, MAX_SIDE));
    let palette = palette(pattern);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let pick = match pattern % 4 {
                0 => ((x / 16) % 2) as usize,
                1 => (((x / 24) + (y / 24)) % 2) as usize,
                2 => usize::from(x * 4 / width.max(1) >= 2),
                _ => {
                    let (cx, cy) = (width as i64 / 2, height as i64 / 2);
                    let (dx, dy) = (x as i64 - cx, y as i64 - cy);
                    (((dx * dx + dy * dy) as f64).sqrt() as usize / 12) % 2
                }
            };
            let [r, g, b] = palette[pick];
            // A gentle vertical shade keeps the picture from compressing to nothing.
            let shade = (y * 40 / height.max(1)) as u8;
            pixels.extend_from_slice(&[
                r.saturating_sub(shade),
                g.saturating_sub(shade),
                b.saturating_sub(shade),
            ]);
        }
    }
    encode(width, height, &pixels)
}

/// A user's photo: initials-free, a ringed disc in colours taken from the user's id.
pub fn avatar_png(user: Uuid) -> Vec<u8> {
    let bytes = user.as_bytes();
    let pattern = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) & !3 | 3;
    generate_png(96, 96, pattern)
}

fn palette(pattern: u32) -> [[u8; 3]; 2] {
    const COLOURS: [[u8; 3]; 8] = [
        [0x1e, 0x4e, 0x79],
        [0xf2, 0xc8, 0x11],
        [0x2e, 0x75, 0xb5],
        [0xe8, 0x6a, 0x33],
        [0x3a, 0x9d, 0x5d],
        [0xd6, 0xe4, 0xf0],
        [0x8e, 0x44, 0xad],
        [0xf5, 0xf5, 0xf5],
    ];
    let a = (pattern / 4) as usize % COLOURS.len();
    let b = (a + 1 + (pattern / 32) as usize % (COLOURS.len() - 1)) % COLOURS.len();
    [COLOURS[a], COLOURS[b]]
}

fn encode(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Writing into a Vec with a matching buffer cannot fail.
    let mut writer = encoder.write_header().expect("PNG header into memory");
    writer.write_image_data(rgb).expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    out
}

/// The pixel size of a PNG, read from its header.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || !bytes.starts_with(SIGNATURE) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let height = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_deterministic_and_sized() {
        let a = generate_png(120, 60, 3);
        assert_eq!(a, generate_png(120, 60, 3));
        assert_ne!(a, generate_png(120, 60, 4));
        assert_eq!(png_size(&a), Some((120, 60)));
        assert_eq!(png_size(&generate_png(0, 99_999, 0)), Some((1, MAX_SIDE)));
        let id = Uuid::new_v4();
        assert_eq!(avatar_png(id), avatar_png(id));
        assert_eq!(png_size(b"not a png"), None);
    }
}
