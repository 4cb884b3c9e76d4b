//! Pallet configurations, one file per pallet group.

mod consensus;
mod governance;
mod monetary;
mod system;

pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
