//! Exit codes (SPEC §7). Designed, not incidental: scripts branch on them.

/// Complete; nothing at or above `--fail-on`.
pub const OK: u8 = 0;
/// Findings at or above `--fail-on`.
pub const FINDINGS: u8 = 1;
/// Usage error or bad input; nothing was written.
pub const BAD_INPUT: u8 = 2;
/// Partial: some accounts or regions could not be read.
pub const PARTIAL: u8 = 3;
/// Nothing could be read: no credentials, every path failed.
pub const UNREADABLE: u8 = 4;
/// A pipeline gate failed.
pub const GATE_FAILED: u8 = 5;

/// Stopped by SIGINT (128 + 2, the shell convention).
pub const INTERRUPTED: u8 = 130;
/// Stopped by SIGTERM (128 + 15).
pub const TERMINATED: u8 = 143;

/// Several conditions can hold at once; the most severe code wins, in the
/// contract's precedence order (2 > 4 > 5 > 3 > 1 > 0).
pub fn most_severe(codes: impl IntoIterator<Item = u8>) -> u8 {
    const PRECEDENCE: [u8; 6] = [BAD_INPUT, UNREADABLE, GATE_FAILED, PARTIAL, FINDINGS, OK];
    let codes: Vec<u8> = codes.into_iter().collect();
    PRECEDENCE
        .into_iter()
        .find(|c| codes.contains(c))
        .unwrap_or(OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_follows_the_contract() {
        assert_eq!(most_severe([FINDINGS, PARTIAL]), PARTIAL);
        assert_eq!(most_severe([PARTIAL, GATE_FAILED]), GATE_FAILED);
        assert_eq!(most_severe([GATE_FAILED, UNREADABLE]), UNREADABLE);
        assert_eq!(most_severe([UNREADABLE, BAD_INPUT, OK]), BAD_INPUT);
        assert_eq!(most_severe([]), OK);
    }
}
