//! The integration tests: one crate, running the binary as a user does on
//! fixed fixtures under `tests/fixtures/`, never on the repository's own
//! letter or list, so editing those never breaks a test.

mod common;
mod pdf;

mod archival;
mod bad_input;
mod build;
mod check;
mod cli_values;
mod collation;
mod direction;
mod export;
mod folders;
mod hostile_pages;
mod integrity;
mod labels;
mod ledger;
mod letter_kit;
mod lighthouse;
mod memory;
mod names_are_data;
mod publish;
mod scale;
mod scripts;
mod serve;
mod sign_on;
mod signatories;
mod watch;
