//! `certinv pipeline`: the seven phases and four gates of SPEC §6. Each phase
//! is timed and announced on stderr; the gate verdicts end on stdout and in
//! the evidence pack, which is sealed only when every file is written.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

mod checks;

use certinv_aws::discover;
use certinv_aws::fanout::{self, Event, Observer};
use certinv_aws::usage;
use certinv_core::coord::{ROLES, check_role};
use certinv_core::gates::{Gate, Phase, PipelineRecord, Verdict};
use certinv_core::model::Certificate;
use certinv_core::report::{self, Discovery, View};
use certinv_core::usage::{ScanView, merge};
use jiff::Timestamp;
use serde_json::json;

use crate::cli::PipelineArgs;
use crate::commands::report::{Failure, assessment, choice, exit_code, make_plan, unreadable};
use crate::commands::{pack, runs};
use crate::exit;
use crate::plan::{self, BadInput};
use crate::progress::Progress;
use checks::{cross_validate, print_summary, removal_candidates, scan_covers};

/// Times phases and keeps their record.
struct Phases<'a> {
    record: Vec<Phase>,
    started: Instant,
    progress: &'a Progress,
    quiet: bool,
}

impl Phases<'_> {
    fn start(&mut self) {
        self.started = Instant::now();
    }

    fn done(&mut self, phase: &str, name: &str, verdict: &str, detail: String) {
        let millis = self.started.elapsed().as_millis() as u64;
        if !self.quiet {
            self.progress.line(&format!(
                "phase {phase:<3} {name:<17} {:>8.3}s  {verdict:<15} {detail}",
                millis as f64 / 1000.0
            ));
        }
        self.record.push(Phase {
            phase: phase.into(),
            name: name.into(),
            millis,
            verdict: verdict.into(),
            detail,
        });
    }
}

pub(super) fn gate(
    name: &str,
    verdict: Verdict,
    detail: impl Into<String>,
    data: serde_json::Value,
) -> Gate {
    Gate {
        gate: name.into(),
        verdict,
        detail: detail.into(),
        data,
    }
}

pub async fn run(args: PipelineArgs) -> Result<u8, Failure> {
    let project = plan::project_name(&args.project)?.to_string();
    let shown = plan::presentation(&args.report.output)?;
    if !(0.0..=100.0).contains(&args.max_variance) {
        return Err(BadInput("--max-variance must be between 0 and 100 (percent)".into()).into());
    }
    if let plan::SourceChoice::Snapshot(_) = plan::parse_source(&args.report.scope.source)? {
        return Err(BadInput(
            "the pipeline discovers live; --source snapshot is for inventory, expiring and triage"
                .into(),
        )
        .into());
    }
    if !shown.filters.is_empty() {
        return Err(BadInput(
            "the pipeline's evidence covers every certificate; --filter is for inventory, expiring and triage".into(),
        )
        .into());
    }
    plan::writable_dir(&args.evidence_dir)?;
    let sign_key = args
        .sign_key
        .as_deref()
        .map(crate::commands::keys::read_secret)
        .transpose()?;
    let project_dir = args.evidence_dir.join(&project);
    let progress = Progress::new(shown.quiet);
    let mut phases = Phases {
        record: Vec::new(),
        started: Instant::now(),
        progress: &progress,
        quiet: shown.quiet,
    };
    let mut gates = Vec::new();

    // 0A COORD: G0 uses the real clock, not --now: it is about people, not certificates.
    phases.start();
    let coord_dir = project_dir.join("coordination-logs");
    let checks: Vec<_> = ROLES
        .iter()
        .map(|role| {
            check_role(
                &coord_dir,
                &project,
                role,
                Timestamp::now(),
                args.coord_max_age,
            )
        })
        .collect();
    let problems: Vec<String> = checks.iter().filter_map(|c| c.problem.clone()).collect();
    let g0 = match (&args.waive_coordination, problems.is_empty()) {
        (_, true) => gate(
            "G0",
            Verdict::Pass,
            "both coordination logs are current",
            json!(checks),
        ),
        (Some(reason), false) => gate(
            "G0",
            Verdict::Waived,
            format!("waived: {reason} ({})", problems.join("; ")),
            json!({"reason": reason, "checks": checks}),
        ),
        (None, false) => {
            phases.done("0A", "COORD", "BLOCKED", problems.join("; "));
            let mut msg = format!("G0 BLOCKED: {}. Sign the logs first:", problems.join("; "));
            for c in checks.iter().filter(|c| !c.ok) {
                msg.push_str(&format!(
                    "\n  certinv coord sign --project {project} --role {} --by NAME --evidence-dir {}",
                    c.role,
                    args.evidence_dir.display()
                ));
            }
            return Err(Failure {
                code: exit::GATE_FAILED,
                message: msg,
            });
        }
    };
    phases.done("0A", "COORD", g0.verdict.as_str(), g0.detail.clone());
    gates.push(g0);

    // 0C DISCOVERY: the organization's accounts. The G1 tree runs inside
    // phase 1, because its probe is the first page of the collection.
    phases.start();
    let scope = &args.report.scope;
    let plan = make_plan(scope, &progress).await?;
    let (caller, accounts) = fanout::accounts_in_scope(&plan, &progress)
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    phases.done(
        "0C",
        "DISCOVERY",
        "OK",
        format!("{} accounts in scope", accounts.len()),
    );

    // 1 INVENTORY (L1)
    phases.start();
    let source = plan::parse_source(&scope.source)?;
    let mut l1 = discover::discover(
        &plan,
        choice(source),
        scope.aggregator.as_deref(),
        (&caller, &accounts),
        &progress,
    )
    .await
    .map_err(|e| unreadable(e.to_string()))?;
    let iam_usage = crate::commands::shape::include_homes(
        &plan,
        &caller,
        &accounts,
        &scope.include,
        &mut l1,
        &progress,
    )
    .await;
    let g1_path = l1
        .decisions
        .iter()
        .rev()
        .find_map(|d| d.path.clone())
        .unwrap_or_default();
    gates.push(gate(
        "G1",
        Verdict::Pass,
        format!("{} via {}", g1_path, l1.source),
        json!(l1.decisions),
    ));
    phases.done(
        "1",
        "INVENTORY",
        "OK",
        format!("{} certificates via {}", l1.certificates.len(), l1.source),
    );

    // 2 EXPIRY: day counts at one `now`.
    phases.start();
    let at = assessment(&shown);
    // Counting needs no report: a negative day count means not_after < now.
    let expired = l1
        .certificates
        .iter()
        .filter(|c| c.not_after.is_some_and(|t| t < at.now))
        .count();
    phases.done(
        "2",
        "EXPIRY",
        "OK",
        format!(
            "{expired} expired at {}",
            certinv_core::time::format_utc(at.now)
        ),
    );

    // 3 USAGE
    phases.start();
    let mut pairs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in &l1.certificates {
        if let Some(r) = &c.region {
            pairs
                .entry(c.account_id.to_string())
                .or_default()
                .insert(r.to_string());
        }
    }
    // The IAM accounts' scan (`--include iam`) already covered some pairs;
    // its earlier failures were not reported, so those pairs are retried.
    let mut scan = usage::scan(&plan, &caller, &pairs, &iam_usage.scanned).await;
    scan.absorb(certinv_aws::usage::UsageScan {
        failed: Vec::new(),
        ..iam_usage
    });
    for m in &scan.failed {
        progress.on(Event::Missed(m));
    }
    let mut certificates = l1.certificates.clone();
    let covered = |c: &Certificate, resource: &str| scan_covers(&scan.scanned, c, resource);
    let disagreements = merge(
        &mut certificates,
        &ScanView {
            users: &scan.deployments.users,
            resources: &scan.deployments.resources,
            covered: &covered,
        },
    );
    phases.done(
        "3",
        "USAGE",
        if scan.failed.is_empty() {
            "OK"
        } else {
            "PARTIAL"
        },
        format!(
            "{} account-regions scanned, {} disagreements with InUseBy",
            scan.scanned.len(),
            disagreements.len()
        ),
    );

    // 4 TRIAGE
    phases.start();
    // L1's certificates stay as returned for G2; only its metadata is copied.
    let triaged = Discovery {
        certificates,
        source: l1.source.clone(),
        scope: l1.scope.clone(),
        decisions: l1.decisions.clone(),
    };
    let mut report = report::build(triaged, View::Triage, &at);
    let accepted =
        certinv_core::exceptions::apply(&shown.exceptions, &mut report.certificates, at.now);
    for lapsed in &accepted.lapsed {
        progress.line(&format!(
            "warning: exception {} expired on {} and no longer applies",
            lapsed
                .arn
                .as_deref()
                .or(lapsed.domain.as_deref())
                .unwrap_or("?"),
            lapsed.expires
        ));
    }
    let b = report.summary.buckets;
    phases.done(
        "4",
        "TRIAGE",
        "OK",
        format!(
            "CRITICAL {} HIGH {} MEDIUM {} REMOVE {} OK {}",
            b.critical, b.high, b.medium, b.remove, b.ok
        ),
    );

    // 5 REMOVAL
    phases.start();
    let removal = removal_candidates(&report, &scan.scanned);
    let verified = removal.iter().filter(|r| r.verified).count();
    phases.done(
        "5",
        "REMOVAL",
        "OK",
        format!("{verified} of {} verified unused", removal.len()),
    );

    // 6 CROSS-VALIDATION (L3)
    phases.start();
    let (cv, g2) =
        cross_validate(&plan, &caller, &accounts, &l1, args.max_variance, &progress).await;
    phases.done(
        "6",
        "CROSS-VALIDATION",
        g2.verdict.as_str(),
        g2.detail.clone(),
    );
    gates.push(g2);

    // 7 EVIDENCE/QA: G3 is decided inside the pack writer, before sealing.
    let mut record = PipelineRecord {
        project: project.clone(),
        run_id: String::new(),
        gates,
        phases: phases.record.clone(),
        removal_candidates: removal,
        usage_disagreements: disagreements.iter().map(|d| json!(d)).collect(),
        exceptions: json!(accepted),
    };
    let certs_dir = project_dir.join("certs");
    let previous = runs::previous(&certs_dir);
    let sealed = pack::write(
        &certs_dir,
        &report,
        &cv,
        &mut record,
        Instant::now(),
        sign_key.as_ref(),
        &previous,
    )
    .map_err(|e| Failure {
        code: exit::GATE_FAILED,
        message: format!("G3 FAIL: evidence could not be written: {e}"),
    })?;
    if let Some(p) = record.phases.last().filter(|_| !shown.quiet) {
        progress.line(&format!(
            "phase {:<3} {:<17} {:>8.3}s  {:<15} {}",
            p.phase,
            p.name,
            p.millis as f64 / 1000.0,
            p.verdict,
            p.detail
        ));
    }
    progress.finish();
    print_summary(&record, &report, &sealed);

    let gate_failed = record.gates.iter().any(|g| g.verdict.fails());
    Ok(exit::most_severe([
        if gate_failed {
            exit::GATE_FAILED
        } else {
            exit::OK
        },
        exit_code(&report, &shown),
    ]))
}
