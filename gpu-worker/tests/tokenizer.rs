//! The Rust CLIP tokenizer gives the ids Hugging Face's CLIPTokenizer gives for the same
//! vocabulary (fixture written by models/tools/token_fixtures.py): case, whitespace, punctuation,
//! contractions, digits, words outside the vocabulary, the empty prompt and truncation.

use aitbc_worker::{model::embedded_model_dir, tokenizer::ClipTokenizer};

#[derive(serde::Deserialize)]
struct Case {
	prompt: String,
	ids: Vec<i64>,
}

#[test]
fn ids_match_hugging_face_clip_tokenizer() {
	let cases: Vec<Case> =
		serde_json::from_str(include_str!("fixtures/clip_token_ids.json")).expect("fixture parses");
	assert!(cases.len() >= 7);
	let tokenizer = ClipTokenizer::load(&embedded_model_dir().join("tokenizer"), 77).unwrap();
	for case in cases {
		let ids = tokenizer.encode(&case.prompt).unwrap();
		assert_eq!(ids.len(), 77, "{:?}", case.prompt);
		assert_eq!(ids, case.ids, "prompt {:?}", case.prompt);
	}
}

#[test]
fn a_missing_vocabulary_is_a_clear_error() {
	let dir = tempfile::tempdir().unwrap();
	let err = ClipTokenizer::load(dir.path(), 77).err().expect("must fail").to_string();
	assert!(err.contains(&dir.path().display().to_string()), "{err}");
}
