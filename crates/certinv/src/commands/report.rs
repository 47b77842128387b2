//! `inventory`, `expiring` and `triage`: discover, assess at one `now`,
//! render, and choose the exit code. They differ only in their `View`.

use std::io::Write;

use anyhow::Context;
use certinv_aws::discover::{self, Choice};
use certinv_aws::fanout::{self, Event, Observer, Plan, Regions};
use certinv_aws::limits::InFlight;
use certinv_aws::sdk;
use certinv_core::model::Report;
use certinv_core::report::{Assessment, Discovery, View};
use certinv_core::{atomic, render, snapshot};
use jiff::Timestamp;

use crate::cli::{ReportArgs, ScopeArgs};
pub use crate::commands::shape::Grouping;
use crate::commands::shape::{Needs, enrich, include_homes, shape};
use crate::exit;
use crate::plan::{self, BadInput, Presentation, SourceChoice};
use crate::progress::Progress;

/// A run that ended before a report: its exit code and the message for stderr.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl From<BadInput> for Failure {
    fn from(e: BadInput) -> Self {
        Failure {
            code: exit::BAD_INPUT,
            message: e.0,
        }
    }
}

pub fn unreadable(message: impl Into<String>) -> Failure {
    Failure {
        code: exit::UNREADABLE,
        message: message.into(),
    }
}

pub async fn run(view: View, args: ReportArgs) -> Result<u8, Failure> {
    run_grouped(view, args, None).await
}

pub async fn run_grouped(
    view: View,
    args: ReportArgs,
    grouping: Option<Grouping>,
) -> Result<u8, Failure> {
    let shown = plan::presentation(&args.output)?;
    let progress = Progress::new(shown.quiet);
    let needs = Needs::of(&shown, grouping.as_ref());
    let started = std::time::Instant::now();
    let discovery = discover_scope(&args, &progress, needs).await?;
    let live = !matches!(
        plan::parse_source(&args.scope.source)?,
        SourceChoice::Snapshot(_)
    );
    progress.finish();
    let mut report = shape(discovery, view, &shown, grouping.as_ref(), &progress);
    report.scan_seconds = live.then(|| started.elapsed().as_secs_f64());
    emit(&report, view, &shown).map_err(|e| Failure {
        code: exit::BAD_INPUT,
        message: format!("{e:#}"),
    })?;
    let code = exit_code(&report, &shown);
    // The process ends right after this; handing a million records back to
    // the allocator one by one would add half a second for nothing.
    std::mem::forget(report);
    Ok(code)
}

pub fn assessment(shown: &Presentation) -> Assessment {
    let generated_at = Timestamp::now();
    Assessment {
        generated_at,
        now: shown.now.unwrap_or(generated_at),
        thresholds: shown.thresholds,
    }
}

fn read_snapshot(path: &std::path::Path) -> Result<Discovery, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| BadInput(format!("cannot read snapshot {}: {e}", path.display())))?;
    snapshot::read_file(file)
        .map(|d| Discovery {
            source: "snapshot".into(),
            ..d
        })
        .map_err(|e| BadInput(format!("{e} ({})", path.display())).into())
}

/// Validate the scope flags and load the SDK configurations they name.
pub async fn make_plan(scope: &ScopeArgs, progress: &Progress) -> Result<Plan, Failure> {
    let profiles = plan::profiles(scope)?;
    let accounts = plan::accounts(scope)?;
    let regions = plan::parse_regions(scope.regions.as_deref())?;
    let role = plan::role(scope)?;
    if let Some(name) = &scope.aggregator
        && !is_aggregator_name(name)
    {
        return Err(BadInput(format!(
            "invalid --aggregator '{name}': expected 1-256 letters, digits, '-' or '_'"
        ))
        .into());
    }
    warn_about_scope(scope, &regions, progress);
    Ok(Plan {
        accounts,
        regions,
        role,
        in_flight: InFlight::new(scope.concurrency.into()),
        caller: sdk::load(&profiles.caller).await,
        ops: sdk::load(&profiles.ops).await,
        management: sdk::load(&profiles.management).await,
        assumed: Default::default(),
    })
}

pub fn choice(source: SourceChoice) -> Choice {
    match source {
        SourceChoice::Auto => Choice::Auto,
        SourceChoice::Config => Choice::Config,
        SourceChoice::Explorer => Choice::Explorer,
        SourceChoice::Acm => Choice::Acm,
        SourceChoice::Snapshot(_) => unreachable!("snapshots are read before discovery"),
    }
}

/// Discover with the scope flags as given, or read the snapshot they name.
pub async fn discover_scope(
    args: &ReportArgs,
    progress: &Progress,
    needs: Needs,
) -> Result<Discovery, Failure> {
    match plan::parse_source(&args.scope.source)? {
        SourceChoice::Snapshot(path) => read_snapshot(&path),
        choice => discover(choice, args, progress, needs).await,
    }
}

async fn discover(
    source: SourceChoice,
    args: &ReportArgs,
    progress: &Progress,
    needs: Needs,
) -> Result<Discovery, Failure> {
    let plan = make_plan(&args.scope, progress).await?;
    let (caller, accounts) = fanout::accounts_in_scope(&plan, progress)
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    let mut found = discover::discover(
        &plan,
        choice(source),
        args.scope.aggregator.as_deref(),
        (&caller, &accounts),
        progress,
    )
    .await
    .map_err(|e| unreadable(e.to_string()))?;
    // Only the pipeline reuses the IAM accounts' usage scan.
    let _ = include_homes(
        &plan,
        &caller,
        &accounts,
        &args.scope.include,
        &mut found,
        progress,
    )
    .await;
    enrich(&plan, &caller, &mut found, needs, progress).await;
    Ok(found)
}

fn is_aggregator_name(name: &str) -> bool {
    (1..=256).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn warn_about_scope(scope: &ScopeArgs, regions: &Regions, progress: &Progress) {
    if !scope.accounts.is_empty() {
        progress.on(Event::Warning(
            "NARROW_SEARCH_SCOPE: --accounts reads only the listed accounts; certificates elsewhere in the organization are not counted",
        ));
    }
    if let Regions::Named(named) = regions
        && !named.iter().any(|r| r == "us-east-1")
    {
        progress.on(Event::Warning(
            "--regions leaves out us-east-1, where CloudFront certificates live",
        ));
    }
}

/// Render straight to the destination: a report of a million certificates is
/// a gigabyte of JSON, which need not exist in memory as well.
pub fn emit(report: &Report, view: View, shown: &Presentation) -> anyhow::Result<()> {
    match &shown.out {
        Some(path) => {
            atomic::write_with(path, |out| render::render(report, view, shown.format, out))
                .with_context(|| format!("cannot write --out {}", path.display()))
        }
        None => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let written = render::render(report, view, shown.format, &mut stdout)
                .and_then(|_| stdout.flush());
            match written {
                // A closed pipe (`| head`) is the reader's choice, not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("writing to stdout"),
            }
        }
    }
}

pub fn exit_code(report: &Report, shown: &Presentation) -> u8 {
    let scope = &report.scope;
    let nothing_read = scope.accounts_expected > 0 && scope.accounts_covered == 0;
    exit::most_severe([
        if nothing_read {
            exit::UNREADABLE
        } else {
            exit::OK
        },
        if scope.missing.is_empty() {
            exit::OK
        } else {
            exit::PARTIAL
        },
        if shown.fail_on.trips(&report.certificates) {
            exit::FINDINGS
        } else {
            exit::OK
        },
    ])
}
