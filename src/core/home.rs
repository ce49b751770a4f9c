//! Where sfhook keeps its two files: the platform's config and data
//! directories, or one directory given by `--home` / `SFHOOK_HOME`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

pub const CONFIG_FILE: &str = "config.toml";
pub const LOG_FILE: &str = "deliveries.jsonl";

#[derive(Clone, Debug)]
pub struct Home {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Home {
    /// Only computes paths: nothing is read or created here, so that commands
    /// which need no state never touch it.
    pub fn locate(explicit: Option<&Path>) -> Result<Home> {
        if let Some(dir) = explicit {
            let dir = std::path::absolute(dir)
                .with_context(|| format!("cannot use '{}' as the home directory", dir.display()))?;
            return Ok(Home {
                config_dir: dir.clone(),
                data_dir: dir,
            });
        }
        let dirs = directories::ProjectDirs::from("", "", "sfhook").context(
            "cannot find a home directory for sfhook's files; pass --home DIR or set SFHOOK_HOME",
        )?;
        Ok(Home {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
        })
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join(CONFIG_FILE)
    }

    /// A separate file to lock, because the config itself is replaced by
    /// rename and a lock on a replaced file protects nothing.
    pub fn config_lock(&self) -> PathBuf {
        self.config_dir.join("config.lock")
    }

    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join(LOG_FILE)
    }

    /// Where a torn last line of the log is set aside when the next record
    /// is appended.
    pub fn torn_file(&self) -> PathBuf {
        self.data_dir.join("deliveries.torn")
    }

    pub fn log_lock(&self) -> PathBuf {
        self.data_dir.join("deliveries.lock")
    }
}
