//! Pallet configurations, one file per pallet group.

mod audits;
mod compute;
mod consensus;
pub mod exchange;
mod governance;
mod monetary;
mod offchain;
mod system;
pub mod validators;

pub use offchain::MarketplaceTargets;
pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
