//! Photos of flipcharts and pin boards (issue 14): what a phone or the
//! moderator uploads is decoded for real (JPEG, PNG or WebP; anything else
//! is refused), turned upright by its EXIF orientation, scaled to at most
//! [`MAX_SIDE`] pixels on the long side and encoded again as JPEG, with a
//! thumbnail. The new files are made from the pixels alone, so no EXIF,
//! GPS position, camera serial, XMP or colour profile of the upload
//! survives. The dimensions are read from the header and checked before a
//! pixel is decoded, and the decoder's allocations are bounded
//! ([`MAX_DECODE_BYTES`]), so a small file declaring a huge picture (a
//! decompression bomb) costs nothing. Pure: no I/O.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The long side of a stored photo at most.
pub const MAX_SIDE: u32 = 2048;
/// The long side of a thumbnail at most.
pub const THUMBNAIL_SIDE: u32 = 320;
/// A side of an upload at most (a 12-megapixel phone photo is 4032 × 3024).
pub const MAX_UPLOAD_SIDE: u32 = 12_000;
/// Pixels of an upload at most: 50 megapixels.
pub const MAX_UPLOAD_PIXELS: u64 = 50_000_000;
/// What the decoder may allocate for one upload.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// JPEG quality of the stored photo and the thumbnail.
const QUALITY: u8 = 85;

/// Where a photo stands (`photos.status`, `docs/protocol.md`, "Photos"),
/// which decides who sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoStatus {
    /// Seen by everyone with a token of the board (and of its event).
    Shown,
    /// Put away by the moderator: the moderator and who uploaded it.
    Hidden,
    /// A participant's upload while the moderator approves photos first
    /// (`meta.photosNeedApproval`): the moderator and who uploaded it.
    Pending,
}

impl PhotoStatus {
    pub const ALL: [PhotoStatus; 3] = [
        PhotoStatus::Shown,
        PhotoStatus::Hidden,
        PhotoStatus::Pending,
    ];

    /// The id the store and the API use.
    pub const fn id(self) -> &'static str {
        match self {
            PhotoStatus::Shown => "shown",
            PhotoStatus::Hidden => "hidden",
            PhotoStatus::Pending => "pending",
        }
    }

    pub fn from_id(id: &str) -> Option<PhotoStatus> {
        PhotoStatus::ALL
            .into_iter()
            .find(|status| status.id() == id)
    }
}

/// What became of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    #[error("this is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error(
        "the image has {} pixels; at most {MAX_UPLOAD_SIDE} on a side and {MAX_UPLOAD_PIXELS} in all are taken",
        size(*.0)
    )]
    TooLarge(Option<(u32, u32)>),
    #[error("the image could not be read: {0}")]
    Broken(String),
    #[error("the photo could not be written: {0}")]
    Encode(String),
}

fn size(dimensions: Option<(u32, u32)>) -> String {
    match dimensions {
        Some((width, height)) => format!("{width} × {height}"),
        None => "too many".to_owned(),
    }
}

/// The format of an upload by its first bytes, if it is one we take.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(bytes).ok()? {
        format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => Some(format),
        _ => None,
    }
}

/// Decodes, checks, turns, scales and encodes an upload.
pub fn take_in(bytes: &[u8]) -> Result<Processed, PhotoError> {
    let format = sniff(bytes).ok_or(PhotoError::NotAnImage)?;
    if format == ImageFormat::Jpeg && !jpeg_is_whole(bytes) {
        return Err(PhotoError::Broken(
            "the JPEG ends before its end marker".into(),
        ));
    }
    // The header's dimensions first, for the refusal's message.
    if let Ok((width, height)) =
        ImageReader::with_format(Cursor::new(bytes), format).into_dimensions()
    {
        check_dimensions(width, height)?;
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_UPLOAD_SIDE);
    limits.max_image_height = Some(MAX_UPLOAD_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height)?;
    // A broken orientation tag is no reason to refuse the picture.
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    let stored = if picture.width().max(picture.height()) > MAX_SIDE {
        picture.resize(MAX_SIDE, MAX_SIDE, FilterType::Triangle)
    } else {
        picture
    };
    let thumbnail = stored.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    Ok(Processed {
        jpeg: encode(&stored)?,
        width: stored.width(),
        height: stored.height(),
        thumbnail: encode(&thumbnail)?,
    })
}

/// A photo from a board file (`kartenwand import`): kept byte for byte
/// when it is a JPEG as [`take_in`] writes them (whole, no metadata
/// segment, at most [`MAX_SIDE`] pixels on the long side), so export →
/// import → export gives the same file; only its thumbnail is made anew.
/// Anything else is taken in as an upload is.
pub fn restore(bytes: &[u8]) -> Result<Processed, PhotoError> {
    if sniff(bytes) == Some(ImageFormat::Jpeg) && jpeg_is_whole(bytes) && !jpeg_has_metadata(bytes)
    {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Jpeg);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        reader.limits(limits);
        if let Ok(decoder) = reader.into_decoder() {
            let (width, height) = decoder.dimensions();
            if width > 0 && height > 0 && width.max(height) <= MAX_SIDE {
                let picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
                let thumbnail = picture.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
                return Ok(Processed {
                    jpeg: bytes.to_vec(),
                    width,
                    height,
                    thumbnail: encode(&thumbnail)?,
                });
            }
        }
    }
    take_in(bytes)
}

/// Whether a JPEG carries anything besides its picture before the first
/// scan: an application segment other than JFIF's APP0 (Exif, XMP, an
/// ICC profile, Photoshop's) or a comment. Markers per ITU-T T.81, B.1;
/// a segment that cannot be read counts as metadata.
fn jpeg_has_metadata(bytes: &[u8]) -> bool {
    if bytes.get(0..2) != Some(&[0xFF, 0xD8][..]) {
        return true;
    }
    let mut at = 2;
    loop {
        let Some(&[0xFF, marker]) = bytes.get(at..at + 2) else {
            return true;
        };
        match marker {
            // Start of scan: the picture's data follows.
            0xDA => return false,
            // A fill byte, or a marker without a segment.
            0xFF => {
                at += 1;
                continue;
            }
            0x01 | 0xD0..=0xD7 => {
                at += 2;
                continue;
            }
            _ => {}
        }
        let Some(&[high, low]) = bytes.get(at + 2..at + 4) else {
            return true;
        };
        let length = usize::from(u16::from_be_bytes([high, low]));
        if length < 2 {
            return true;
        }
        let metadata = match marker {
            0xE0 => bytes.get(at + 4..at + 9) != Some(&b"JFIF\0"[..]),
            0xE1..=0xEF | 0xFE => true,
            _ => false,
        };
        if metadata {
            return true;
        }
        at += 2 + length;
    }
}

fn check_dimensions(width: u32, height: u32) -> Result<(), PhotoError> {
    if width == 0
        || height == 0
        || width > MAX_UPLOAD_SIDE
        || height > MAX_UPLOAD_SIDE
        || u64::from(width) * u64::from(height) > MAX_UPLOAD_PIXELS
    {
        return Err(PhotoError::TooLarge(Some((width, height))));
    }
    Ok(())
}

/// Whether a JPEG's last scan is followed by its end marker: the decoder
/// fills a cut-off picture with grey instead of failing, and an upload cut
/// off on bad Wi-Fi should be sent again, not kept half. (Inside a scan
/// every 0xFF byte is escaped, so the end marker cannot appear early.)
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    last_scan.is_some_and(|start| bytes[start..].windows(2).any(|w| w == [0xFF, 0xD9]))
}

fn encode(picture: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    // JPEG has no alpha: the pixels as RGB (a transparent PNG on black).
    let rgb = picture.to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&rgb)
        .map_err(|error| PhotoError::Encode(error.to_string()))?;
    Ok(out)
}

fn refusal(error: image::ImageError) -> PhotoError {
    match error {
        image::ImageError::Limits(_) => PhotoError::TooLarge(None),
        image::ImageError::Unsupported(_) => PhotoError::NotAnImage,
        other => PhotoError::Broken(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&picture)
            .expect("encodes");
        out
    }

    /// `jpeg` with an APP1 Exif segment holding `payload` right after SOI.
    fn with_exif(jpeg: &[u8], payload: &[u8]) -> Vec<u8> {
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(payload);
        let length = u16::try_from(segment.len() + 2).expect("short");
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&segment);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn a_photo_is_scaled_and_loses_its_metadata() {
        // A TIFF header (little endian) with no entries, then a marker text
        // standing for the GPS position and the camera's serial.
        let mut tiff = b"II*\0\x08\0\0\0\0\0".to_vec();
        tiff.extend_from_slice(b"GPS 51.3127N 9.4797E SERIAL-ABC123");
        let upload = with_exif(&jpeg(3000, 1500), &tiff);
        let processed = take_in(&upload).expect("taken in");
        assert_eq!((processed.width, processed.height), (2048, 1024));
        assert!(!processed.jpeg.windows(4).any(|w| w == b"Exif"));
        assert!(!processed.jpeg.windows(6).any(|w| w == b"SERIAL"));
        assert_eq!(sniff(&processed.jpeg), Some(ImageFormat::Jpeg));
        let thumbnail = image::load_from_memory(&processed.thumbnail).expect("a thumbnail");
        assert_eq!((thumbnail.width(), thumbnail.height()), (320, 160));
        // A small one keeps its size.
        let small = take_in(&jpeg(800, 600)).expect("taken in");
        assert_eq!((small.width, small.height), (800, 600));
    }

    #[test]
    fn a_photo_of_a_board_file_is_kept_as_it_is_unless_it_carries_metadata() {
        let stored = take_in(&jpeg(900, 600)).expect("taken in");
        assert!(!jpeg_has_metadata(&stored.jpeg));
        let restored = restore(&stored.jpeg).expect("restored");
        assert_eq!(restored.jpeg, stored.jpeg, "byte for byte");
        assert_eq!((restored.width, restored.height), (900, 600));
        assert!(image::load_from_memory(&restored.thumbnail).is_ok());
        // One with an Exif segment is made anew, without it.
        let tagged = with_exif(&stored.jpeg, b"II*\0\x08\0\0\0\0\0SERIAL-XYZ");
        assert!(jpeg_has_metadata(&tagged));
        let cleaned = restore(&tagged).expect("restored");
        assert!(!cleaned.jpeg.windows(6).any(|w| w == b"SERIAL"));
        assert!(!jpeg_has_metadata(&cleaned.jpeg));
        assert_eq!(restore(b"not a photo"), Err(PhotoError::NotAnImage));
        assert!(
            jpeg_has_metadata(&stored.jpeg[..20]),
            "cut off: not known clean"
        );
    }

    #[test]
    fn anything_but_a_real_image_is_refused() {
        assert_eq!(
            take_in(b"%PDF-1.7 not a photo"),
            Err(PhotoError::NotAnImage)
        );
        assert_eq!(take_in(b""), Err(PhotoError::NotAnImage));
        let whole = jpeg(640, 480);
        assert!(matches!(
            take_in(&whole[..whole.len() / 3]),
            Err(PhotoError::Broken(_))
        ));
        // A GIF is an image, but not one we take.
        assert_eq!(
            take_in(b"GIF89a\x01\0\x01\0\0\0\0;"),
            Err(PhotoError::NotAnImage)
        );
    }

    #[test]
    fn a_header_declaring_a_huge_picture_is_refused_before_decoding() {
        // A PNG whose header says 100,000 × 100,000 pixels (40 GB decoded).
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        png.extend_from_slice(&ihdr);
        let mut crc_input = b"IHDR".to_vec();
        crc_input.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        assert!(
            matches!(take_in(&png), Err(PhotoError::TooLarge(..))),
            "{:?}",
            take_in(&png)
        );
        // A JPEG whose frame header says 60,000 × 60,000.
        let mut bomb = jpeg(16, 16);
        let sof = bomb
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame");
        bomb[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
        bomb[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
        assert!(
            matches!(take_in(&bomb), Err(PhotoError::TooLarge(..))),
            "{:?}",
            take_in(&bomb)
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
