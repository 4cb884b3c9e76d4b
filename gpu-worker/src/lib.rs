//! # aitbc-worker
//!
//! The AITBC GPU worker: runs text-to-image diffusion models in the common Stable Diffusion
//! ONNX layout on ONNX Runtime (CUDA execution provider when it works, CPU otherwise) and serves
//! the Stage 1 HTTP API. Chain mode (claiming jobs and submitting receipts) builds on the same
//! [`pipeline::Pipeline`].
//!
//! - [`onnx`]: finding ONNX Runtime 1.31 and choosing the execution provider;
//! - [`model`]: model folders and their sha256 manifests;
//! - [`tokenizer`], [`scheduler`], [`pipeline`]: the diffusion pipeline;
//! - [`artifacts`]: content-addressed image store;
//! - [`selftest`]: checks that the embedded model's images show what the prompt asks;
//! - [`server`]: `aitbc-worker serve`.

pub mod artifacts;
pub mod model;
pub mod onnx;
pub mod pipeline;
pub mod scheduler;
pub mod selftest;
pub mod server;
pub mod tokenizer;
