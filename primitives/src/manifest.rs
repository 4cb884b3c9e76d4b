//! The artifact of a job of several images: its *image manifest*.
//!
//! A job of one image is receipted with its PNG's sha256. A job of several (a shard of a batch
//! holding more than one image) is receipted with the sha256 of its manifest: the sha256 of
//! each PNG, in image order (image `i` has seed `seed + i`), concatenated, 32 bytes each. The
//! provider serves the manifest like an image, content-addressed by its sha256, so whoever
//! holds the receipt (the client, an auditor, a validator) fetches the manifest, checks it
//! against the receipt, and then each image against its entry.

use alloc::vec::Vec;

/// Bytes of one manifest entry: a sha256.
pub const MANIFEST_ENTRY_LEN: usize = 32;

/// The manifest of images with these sha256s, in image order.
pub fn image_manifest(images: &[[u8; 32]]) -> Vec<u8> {
	images.concat()
}

/// The sha256s a manifest lists, if it lists exactly `images` of them.
pub fn parse_image_manifest(bytes: &[u8], images: u32) -> Option<Vec<[u8; 32]>> {
	if bytes.len() != (images as usize).checked_mul(MANIFEST_ENTRY_LEN)? || images == 0 {
		return None;
	}
	Some(bytes.chunks_exact(MANIFEST_ENTRY_LEN).filter_map(|entry| entry.try_into().ok()).collect())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_manifest_lists_its_images_in_order_and_parses_only_at_its_length() {
		let hashes = [[1u8; 32], [2; 32], [3; 32]];
		let manifest = image_manifest(&hashes);
		assert_eq!(manifest.len(), 96);
		assert_eq!(parse_image_manifest(&manifest, 3), Some(hashes.to_vec()));
		assert_eq!(parse_image_manifest(&manifest, 2), None, "more entries than images");
		assert_eq!(parse_image_manifest(&manifest, 4), None, "fewer entries than images");
		assert_eq!(parse_image_manifest(&manifest[..95], 3), None, "a partial entry");
		assert_eq!(parse_image_manifest(&[], 0), None, "no images");
	}
}
