//! Reading events back from Parquet written by `logautopsy extract` (placeholder).

use crate::events::Event;
use crate::model::{Error, Result};
use std::path::Path;

pub fn read_events(path: &Path) -> Result<Vec<Event>> {
    Err(Error::Input {
        path: path.into(),
        msg: "Parquet input is not supported in this build".into(),
    })
}
