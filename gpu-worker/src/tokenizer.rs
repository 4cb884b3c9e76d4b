//! CLIP's byte-level BPE tokenizer, built from a model's `tokenizer/vocab.json` and
//! `tokenizer/merges.txt` with the `tokenizers` crate, composed the way CLIP's tokenizer is:
//! NFC + whitespace collapse + lowercase, CLIP's word regex, byte-level mapping, BPE with the
//! `</w>` end-of-word suffix, `<|startoftext|> … <|endoftext|>`, truncated and padded to 77.

use std::path::Path;

use tokenizers::{
	models::bpe::BPE,
	normalizers::{Lowercase, Replace, Sequence as NormalizerSequence, NFC},
	pre_tokenizers::{
		byte_level::ByteLevel,
		sequence::Sequence as PreTokenizerSequence,
		split::{Split, SplitPattern},
	},
	processors::roberta::RobertaProcessing,
	Model, PaddingDirection, PaddingParams, PaddingStrategy, SplitDelimiterBehavior, Tokenizer,
	TruncationDirection, TruncationParams, TruncationStrategy,
};

/// Start-of-text token, as in CLIP's vocabulary.
pub const BOS: &str = "<|startoftext|>";
/// End-of-text token; CLIP also pads with it.
pub const EOS: &str = "<|endoftext|>";
/// CLIP's word-splitting pattern (contractions, letter runs, single digits, punctuation runs).
const CLIP_PATTERN: &str = r"'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+";

/// A CLIP tokenizer that always returns `max_length` ids.
pub struct ClipTokenizer {
	inner: Tokenizer,
	max_length: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
	#[error("tokenizer files in {dir}: {reason}")]
	Load { dir: String, reason: String },
	#[error("tokenizing the prompt failed: {0}")]
	Encode(String),
}

impl ClipTokenizer {
	/// Loads `vocab.json` and `merges.txt` from `dir`; `max_length` is the text encoder's
	/// sequence length (77 for CLIP).
	pub fn load(dir: &Path, max_length: usize) -> Result<Self, TokenizerError> {
		let load_err =
			|reason: String| TokenizerError::Load { dir: dir.display().to_string(), reason };
		let vocab = dir.join("vocab.json");
		let merges = dir.join("merges.txt");
		let model = BPE::from_file(&vocab.to_string_lossy(), &merges.to_string_lossy())
			.end_of_word_suffix("</w>".into())
			.unk_token(EOS.into())
			.build()
			.map_err(|e| load_err(e.to_string()))?;
		let id = |token: &str| {
			model.token_to_id(token).ok_or_else(|| load_err(format!("vocabulary has no {token}")))
		};
		let (bos, eos) = (id(BOS)?, id(EOS)?);

		let mut inner = Tokenizer::new(model);
		let whitespace = Replace::new(
			tokenizers::normalizers::replace::ReplacePattern::Regex(r"\s+".into()),
			" ",
		)
		.map_err(|e| load_err(e.to_string()))?;
		inner.with_normalizer(Some(NormalizerSequence::new(vec![
			NFC.into(),
			whitespace.into(),
			Lowercase.into(),
		])));
		let words = Split::new(
			SplitPattern::Regex(CLIP_PATTERN.into()),
			SplitDelimiterBehavior::Removed,
			true,
		)
		.map_err(|e| load_err(e.to_string()))?;
		inner.with_pre_tokenizer(Some(PreTokenizerSequence::new(vec![
			words.into(),
			ByteLevel::new(false, true, false).into(),
		])));
		inner.with_post_processor(Some(
			RobertaProcessing::new((EOS.into(), eos), (BOS.into(), bos))
				.trim_offsets(false)
				.add_prefix_space(false),
		));
		inner
			.with_truncation(Some(TruncationParams {
				direction: TruncationDirection::Right,
				max_length,
				strategy: TruncationStrategy::LongestFirst,
				stride: 0,
			}))
			.map_err(|e| load_err(e.to_string()))?;
		inner.with_padding(Some(PaddingParams {
			strategy: PaddingStrategy::Fixed(max_length),
			direction: PaddingDirection::Right,
			pad_to_multiple_of: None,
			pad_id: eos,
			pad_type_id: 0,
			pad_token: EOS.into(),
		}));
		Ok(Self { inner, max_length })
	}

	/// The padded token ids of `prompt` (always `max_length` of them).
	pub fn encode(&self, prompt: &str) -> Result<Vec<i64>, TokenizerError> {
		let encoding =
			self.inner.encode(prompt, true).map_err(|e| TokenizerError::Encode(e.to_string()))?;
		// Post-processing counts BOS/EOS inside max_length, so a truncated prompt still ends in EOS.
		Ok(encoding.get_ids().iter().map(|&id| i64::from(id)).collect())
	}

	/// Sequence length the ids are padded to.
	pub fn max_length(&self) -> usize {
		self.max_length
	}
}
