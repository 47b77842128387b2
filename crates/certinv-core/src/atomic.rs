//! Atomic file writes: write a sibling temporary file, flush it to disk, then
//! rename it over the target. A reader (or `verify`) never sees half a file,
//! and an interrupted write leaves only a temporary that is cleaned up.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    target.with_file_name(format!(".{name}.certinv-tmp-{}", std::process::id()))
}

pub fn write(target: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(target, |out| out.write_all(bytes))
}

/// As `write`, but the content is streamed by `fill`, so a gigabyte report
/// never has to sit in memory whole before it reaches the disk.
pub fn write_with(
    target: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = temp_path(target);
    let result = (|| {
        let mut out = io::BufWriter::with_capacity(1 << 16, File::create(&tmp)?);
        fill(&mut out)?;
        let f = out.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("certinv-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("a.json");
        write(&target, b"first").unwrap();
        write(&target, b"second").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.json")]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_fill_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.json");
        write(&target, b"old").unwrap();
        let err = write_with(&target, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("renderer failed"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "renderer failed");
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let target = Path::new("/nonexistent-certinv-dir/a.json");
        assert!(write(target, b"x").is_err());
        assert!(!target.exists());
    }
}
