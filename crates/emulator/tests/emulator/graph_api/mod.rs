//! Graph and OneNote against an in-process emulator, with tokens from its real token endpoint:
//! `/me` and users, entity shapes, paging boundaries, every query option, page content and
//! resources, page creation, scope enforcement and isolation between users.

mod access;
mod content;
mod drive;
mod hierarchy;
mod shared;
mod users;

use crate::support::*;
use emulator::seed::{NotebookSeed, SectionSeed, builtin};
use emulator::testing::TestEmulator;
use reqwest::Method;
use serde_json::Value;
