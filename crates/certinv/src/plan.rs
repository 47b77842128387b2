//! The second stage of argument handling: what the user typed, checked for
//! meaning and turned into a plan. Every refusal here is bad input (exit 2)
//! and happens before any AWS call or any file is written.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use certinv_aws::fanout::{Accounts, Regions};
use certinv_aws::org::RoleSpec;
use certinv_aws::regions::is_region_name;
use certinv_aws::sdk::{self, Connection};
use certinv_core::exceptions::{self, Exception};
use certinv_core::filter::Filter;
use certinv_core::render::Format;
use certinv_core::triage::{FailOn, Thresholds};
use jiff::Timestamp;

use crate::cli::{FailOnArg, OutputArgs, OutputFormat, ScopeArgs};

/// Bad input: the message's first line names what is wrong.
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

fn bad(msg: impl Into<String>) -> BadInput {
    BadInput(msg.into())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceChoice {
    Auto,
    Config,
    Explorer,
    Acm,
    Snapshot(PathBuf),
}

pub fn parse_source(text: &str) -> Result<SourceChoice, BadInput> {
    Ok(match text {
        "auto" => SourceChoice::Auto,
        "config" => SourceChoice::Config,
        "explorer" => SourceChoice::Explorer,
        "acm" => SourceChoice::Acm,
        other => match other.strip_prefix("snapshot:") {
            Some(path) if !path.is_empty() => SourceChoice::Snapshot(PathBuf::from(path)),
            _ => {
                return Err(bad(format!(
                    "invalid --source '{other}': expected auto, config, explorer, acm or snapshot:FILE"
                )));
            }
        },
    })
}

pub fn parse_accounts(ids: &[String]) -> Result<Option<Vec<String>>, BadInput> {
    if ids.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for id in ids {
        let id = id.trim();
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!(
                "invalid account ID '{id}' in --accounts: expected 12 digits"
            )));
        }
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    Ok(Some(out))
}

pub fn parse_regions(text: Option<&str>) -> Result<Regions, BadInput> {
    let Some(text) = text else {
        return Ok(Regions::AllEnabled);
    };
    if text.trim() == "all" {
        return Ok(Regions::AllEnabled);
    }
    let mut named = Vec::new();
    for r in text.split(',').map(str::trim) {
        if !is_region_name(r) {
            return Err(bad(format!(
                "invalid region '{r}' in --regions: expected a name like ap-southeast-2, or 'all'"
            )));
        }
        if !named.iter().any(|n| n == r) {
            named.push(r.to_string());
        }
    }
    Ok(Regions::Named(named))
}

/// Check the directory an output file will land in, so a bad path fails
/// before a scan rather than after it.
pub fn check_out_path(path: &Path) -> Result<(), BadInput> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(bad(format!(
            "cannot write --out {}: directory {} does not exist",
            path.display(),
            parent.display()
        )));
    }
    if path.is_dir() {
        return Err(bad(format!(
            "cannot write --out {}: it is a directory",
            path.display()
        )));
    }
    Ok(())
}

/// The three credential roles of SPEC §3, each defaulting to the one before.
#[derive(Debug, Clone)]
pub struct Profiles {
    pub caller: Connection,
    pub ops: Connection,
    pub management: Connection,
}

pub fn profiles(scope: &ScopeArgs) -> Result<Profiles, BadInput> {
    for name in [
        &scope.profile,
        &scope.ops_profile,
        &scope.management_profile,
    ]
    .into_iter()
    .flatten()
    {
        if !sdk::profile_exists(name) {
            return Err(bad(format!(
                "profile '{name}' does not exist in the AWS config or credentials file"
            )));
        }
    }
    if let Some(r) = &scope.ops_region
        && !is_region_name(r)
    {
        return Err(bad(format!(
            "invalid --ops-region '{r}': expected a name like ap-southeast-2"
        )));
    }
    let max_attempts = std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|v| v.parse().ok());
    let conn = |profile: Option<String>| Connection {
        profile,
        region: scope.ops_region.clone(),
        endpoint_url: scope.endpoint_url.clone(),
        max_attempts,
    };
    let caller = scope.profile.clone();
    let ops = scope.ops_profile.clone().or_else(|| caller.clone());
    let management = scope.management_profile.clone().or_else(|| ops.clone());
    Ok(Profiles {
        caller: conn(caller),
        ops: conn(ops.clone()),
        management: conn(management),
    })
}

pub fn accounts(scope: &ScopeArgs) -> Result<Accounts, BadInput> {
    let only = parse_accounts(&scope.accounts)?;
    Ok(if scope.all_accounts || only.is_some() {
        Accounts::Organization { only }
    } else {
        Accounts::Own
    })
}

pub fn role(scope: &ScopeArgs) -> Result<RoleSpec, BadInput> {
    let name_ok = |s: &str, extra: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    if !name_ok(&scope.role_name, "+=,.@-_/") || scope.role_name.len() > 512 {
        return Err(bad(format!("invalid --role-name '{}'", scope.role_name)));
    }
    if !name_ok(&scope.role_session_name, "+=,.@-_") || scope.role_session_name.len() > 64 {
        return Err(bad(format!(
            "invalid --role-session-name '{}'",
            scope.role_session_name
        )));
    }
    Ok(RoleSpec {
        role_name: scope.role_name.clone(),
        session_name: scope.role_session_name.clone(),
        external_id: scope.external_id.clone(),
    })
}

/// How results are presented: format, destination, clock, thresholds,
/// narrowing and exit policy.
#[derive(Debug, Clone)]
pub struct Presentation {
    pub filters: Vec<Filter>,
    pub exceptions: Vec<Exception>,
    pub now: Option<Timestamp>,
    pub format: Format,
    pub out: Option<PathBuf>,
    pub quiet: bool,
    pub fail_on: FailOn,
    pub thresholds: Thresholds,
}

pub fn presentation(args: &OutputArgs) -> Result<Presentation, BadInput> {
    let now = args
        .now
        .as_deref()
        .map(|t| {
            certinv_core::time::parse_instant(t).map_err(|e| bad(format!("invalid --now: {e}")))
        })
        .transpose()?;
    let thresholds = Thresholds::new(args.high_days, args.medium_days).map_err(bad)?;
    if let Some(out) = &args.out {
        check_out_path(out)?;
    }
    let format = match args.output {
        Some(OutputFormat::Table) => Format::Table,
        Some(OutputFormat::Json) => Format::Json,
        Some(OutputFormat::Csv) => Format::Csv,
        Some(OutputFormat::Markdown) => Format::Markdown,
        Some(OutputFormat::Html) => Format::Html,
        Some(OutputFormat::Asff) => Format::Asff,
        Some(OutputFormat::Ocsf) => Format::Ocsf,
        Some(OutputFormat::Prometheus) => Format::Prometheus,
        None if args.out.is_none() && std::io::stdout().is_terminal() => Format::Table,
        None => Format::Json,
    };
    let filters = args
        .filter
        .iter()
        .map(|f| Filter::parse(f).map_err(bad))
        .collect::<Result<Vec<_>, _>>()?;
    let exceptions = match &args.exceptions {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad(format!("cannot read --exceptions {}: {e}", path.display())))?;
            exceptions::parse(&text)
                .map_err(|e| bad(format!("invalid --exceptions {}: {e}", path.display())))?
        }
    };
    let fail_on = match args.fail_on {
        FailOnArg::Critical => FailOn::Critical,
        FailOnArg::High => FailOn::High,
        FailOnArg::Medium => FailOn::Medium,
        FailOnArg::Remove => FailOn::Remove,
        FailOnArg::None => FailOn::None,
    };
    Ok(Presentation {
        filters,
        exceptions,
        now,
        format,
        out: args.out.clone(),
        quiet: args.quiet,
        fail_on,
        thresholds,
    })
}

/// A project name becomes a directory name, so it may not climb out of one.
pub fn project_name(name: &str) -> Result<&str, BadInput> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(name)
    } else {
        Err(bad(format!(
            "invalid --project '{name}': expected 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )))
    }
}

/// The evidence root must be writable before any phase runs.
pub fn writable_dir(dir: &Path) -> Result<(), BadInput> {
    let fail = |e: std::io::Error| {
        bad(format!(
            "cannot write --evidence-dir {}: {e}",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(format!(".certinv-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(fail)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse() {
        assert_eq!(parse_source("acm").unwrap(), SourceChoice::Acm);
        assert_eq!(
            parse_source("snapshot:a.json").unwrap(),
            SourceChoice::Snapshot("a.json".into())
        );
        assert!(parse_source("snapshot:").is_err());
        assert!(parse_source("s3").unwrap_err().0.contains("'s3'"));
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        assert_eq!(
            parse_accounts(&["111111111111".into(), "111111111111".into()]).unwrap(),
            Some(vec!["111111111111".into()])
        );
        for bad in ["11111111111", "1111111111111", "11111111111a", ""] {
            assert!(parse_accounts(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn regions_are_all_or_well_formed_names() {
        assert_eq!(parse_regions(None).unwrap(), Regions::AllEnabled);
        assert_eq!(parse_regions(Some("all")).unwrap(), Regions::AllEnabled);
        assert_eq!(
            parse_regions(Some("us-east-1,ap-southeast-2,us-east-1")).unwrap(),
            Regions::Named(vec!["us-east-1".into(), "ap-southeast-2".into()])
        );
        let err = parse_regions(Some("us-east-1,mars-1")).unwrap_err();
        assert!(err.0.contains("'mars-1'"), "{err}");
    }

    #[test]
    fn out_path_must_have_an_existing_directory() {
        assert!(check_out_path(Path::new("/nonexistent-dir/x.json")).is_err());
        assert!(check_out_path(Path::new("/tmp")).is_err());
        assert!(check_out_path(Path::new("x.json")).is_ok());
    }
}
