//! `certinv locate DOMAIN|ARN`: find a certificate org-wide, whatever account
//! the question assumed (guards SINGLE_ACCOUNT_ASSUMPTION). Exit 1 when
//! nothing matches.

use certinv_core::matching::locate_matches;
use certinv_core::report::{self, View};

use crate::cli::ReportArgs;
use crate::commands::report::{Failure, assessment, discover_scope, emit};
use crate::exit;
use crate::plan::{self, BadInput};
use crate::progress::Progress;

pub async fn run(query: &str, mut args: ReportArgs) -> Result<u8, Failure> {
    if query.trim().is_empty() {
        return Err(BadInput("locate needs a domain, a glob or a certificate ARN".into()).into());
    }
    // Org-wide unless the user narrowed it on purpose.
    if args.scope.accounts.is_empty() {
        args.scope.all_accounts = true;
    }
    let shown = plan::presentation(&args.output)?;
    let progress = Progress::new(shown.quiet);
    let discovery = discover_scope(&args, &progress, Default::default()).await?;
    progress.finish();
    let mut found = report::build(discovery, View::Inventory, &assessment(&shown));
    found.certificates.retain(|c| locate_matches(query, c));
    found.summary = certinv_core::model::Summary::of(&found.certificates);
    if found.certificates.is_empty() {
        progress.line(&format!(
            "no certificate matches '{query}' in {} accounts",
            found.scope.accounts_covered
        ));
    }
    emit(&found, View::Inventory, &shown).map_err(|e| Failure {
        code: exit::BAD_INPUT,
        message: format!("{e:#}"),
    })?;
    let code = crate::commands::report::exit_code(&found, &shown);
    Ok(if found.certificates.is_empty() {
        exit::most_severe([code, exit::FINDINGS])
    } else {
        code
    })
}
