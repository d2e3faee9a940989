//! Signed checkpoints.
