//! What the user typed. Values are checked for form here (clap) and for
//! meaning in `plan.rs`, which turns them into a validated plan.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "certinv",
    version,
    about = "Find, triage and evidence every TLS certificate in an AWS Organization.",
    long_about = "Find, triage and evidence every TLS certificate in an AWS Organization.\n\
                  certinv only reads from AWS. Results go to stdout (or --out), progress and\n\
                  warnings to stderr."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Every certificate in scope, by account, region and ARN.
    #[command(
        after_help = "Example:\n  certinv inventory --all-accounts --management-profile mgmt --output json"
    )]
    Inventory(ReportArgs),
    /// Certificates expiring within N days (expired ones included), soonest first.
    #[command(
        after_help = "Example:\n  certinv expiring --days 30 --all-accounts --output csv > soon.csv"
    )]
    Expiring {
        /// Days ahead to look.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(0..=36500), allow_negative_numbers = true)]
        days: i64,
        #[command(flatten)]
        args: ReportArgs,
    },
    /// The bucket table and every certificate in each bucket, worst first.
    #[command(
        after_help = "Example:\n  certinv triage --all-accounts --fail-on critical\n  certinv triage --all-accounts --by owner --owner-tag Team"
    )]
    Triage {
        /// Also count buckets per account, OU or owner tag.
        #[arg(long, value_enum)]
        by: Option<GroupBy>,
        /// The tag naming a certificate's owner, for `--by owner`.
        #[arg(long, default_value = "Owner")]
        owner_tag: String,
        #[command(flatten)]
        args: ReportArgs,
    },
    /// The seven phases with gates G0-G3, ending in a verified evidence pack.
    #[command(
        after_help = "Example:\n  certinv coord sign --project q3 --role product-owner --by alice\n  \
                            certinv coord sign --project q3 --role cloud-architect --by bob\n  \
                            certinv pipeline --project q3 --all-accounts"
    )]
    Pipeline(PipelineArgs),
    /// Re-check an evidence pack: every file present, every SHA-256 matching.
    #[command(after_help = "Example:\n  certinv verify tmp/q3/certs/latest")]
    Verify {
        /// The run directory (tmp/PROJECT/certs/RUN_ID).
        run_dir: PathBuf,
        /// Also check manifest.sig against this public key (from `certinv keygen`).
        #[arg(long)]
        pubkey: Option<PathBuf>,
    },
    /// An ed25519 key pair for signing evidence packs.
    #[command(
        after_help = "Example:\n  certinv keygen --out keys/evidence   # writes keys/evidence.key and keys/evidence.pub"
    )]
    Keygen {
        /// Path prefix: PREFIX.key (private, mode 0600) and PREFIX.pub.
        #[arg(long)]
        out: PathBuf,
    },
    /// Bucket counts across every run of a project.
    #[command(after_help = "Example:\n  certinv trend tmp/q3/certs")]
    Trend {
        /// The project's certs directory (tmp/PROJECT/certs).
        certs_dir: PathBuf,
        /// table or json [default: table on a terminal, json otherwise].
        #[arg(long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// Shell completions, generated from this command line's definition.
    #[command(after_help = "Example:\n  certinv completions bash > /etc/bash_completion.d/certinv")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The man page (roff), generated from this command line's definition.
    #[command(after_help = "Example:\n  certinv man > certinv.1 && man ./certinv.1")]
    Man,
    /// Find a certificate org-wide by domain, glob or ARN: account, region, use.
    #[command(
        after_help = "Example:\n  certinv locate api.example.com\n  certinv locate 'arn:aws:acm:us-east-1:111111111111:certificate/abcd'"
    )]
    Locate {
        /// A domain (wildcard certificates that cover it match too), a glob, or an ARN.
        query: String,
        #[command(flatten)]
        args: ReportArgs,
    },
    /// What changed between two runs: new, gone, changed bucket.
    #[command(
        after_help = "Example:\n  certinv diff tmp/q3/certs/20260301T000000.000Z tmp/q3/certs/latest"
    )]
    Diff {
        /// The earlier run directory (or its inventory.json).
        run_a: PathBuf,
        /// The later run directory (or its inventory.json).
        run_b: PathBuf,
        /// table or json [default: table on a terminal, json otherwise].
        #[arg(long, value_enum)]
        output: Option<OutputFormat>,
    },
    /// Coordination logs that gate G0 requires.
    #[command(subcommand)]
    Coord(CoordCommand),
}

#[derive(Subcommand, Debug)]
pub enum CoordCommand {
    /// Sign today's coordination log for one role.
    #[command(
        after_help = "Example:\n  certinv coord sign --project q3 --role product-owner --by alice@example.com"
    )]
    Sign {
        #[arg(long)]
        project: String,
        #[arg(long, value_enum)]
        role: CoordRole,
        /// Who signs (name or email).
        #[arg(long)]
        by: String,
        /// Acceptance criteria agreed for this run.
        #[arg(long)]
        criteria: Option<String>,
        /// Replaces `tmp` as the root of coordination logs and evidence.
        #[arg(long, default_value = "tmp")]
        evidence_dir: PathBuf,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordRole {
    ProductOwner,
    CloudArchitect,
}

impl CoordRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CoordRole::ProductOwner => "product-owner",
            CoordRole::CloudArchitect => "cloud-architect",
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct PipelineArgs {
    /// Project name: evidence goes to EVIDENCE_DIR/PROJECT/certs/RUN_ID.
    #[arg(long)]
    pub project: String,
    /// Replaces `tmp` as the root of coordination logs and evidence.
    #[arg(long, default_value = "tmp")]
    pub evidence_dir: PathBuf,
    /// Maximum age of a coordination log, in days (inclusive).
    #[arg(long, default_value_t = 7)]
    pub coord_max_age: u32,
    /// G2 fails at or above this L1-vs-L3 variance, in percent.
    #[arg(long, default_value_t = 5.0)]
    pub max_variance: f64,
    /// Run without coordination logs; recorded as WAIVED with this reason.
    #[arg(long, value_name = "REASON")]
    pub waive_coordination: Option<String>,
    /// Sign the manifest digest with this ed25519 key (from `certinv keygen`).
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ScopeArgs {
    /// Named profile of the caller.
    #[arg(long, env = "AWS_PROFILE", help_heading = "Scope")]
    pub profile: Option<String>,
    /// Profile of the account holding the Config aggregator [default: --profile].
    #[arg(long, env = "AWS_OPERATIONS_PROFILE", help_heading = "Scope")]
    pub ops_profile: Option<String>,
    /// Profile for Organizations and AssumeRole [default: --ops-profile].
    #[arg(long, help_heading = "Scope")]
    pub management_profile: Option<String>,
    /// Every ACTIVE account of the organization (default: the caller's own account).
    #[arg(long, help_heading = "Scope")]
    pub all_accounts: bool,
    /// Only these account IDs (comma-separated); warns NARROW_SEARCH_SCOPE.
    #[arg(long, value_delimiter = ',', help_heading = "Scope")]
    pub accounts: Vec<String>,
    /// Regions to read: r1,r2 or all [default: all enabled regions of each account].
    #[arg(long, help_heading = "Scope")]
    pub regions: Option<String>,
    /// Region where the aggregator and Resource Explorer view are looked up.
    #[arg(long, help_heading = "Scope")]
    pub ops_region: Option<String>,
    /// Role assumed in every account other than the caller's.
    #[arg(
        long,
        default_value = "OrganizationAccountAccessRole",
        help_heading = "Scope"
    )]
    pub role_name: String,
    /// External ID passed to AssumeRole.
    #[arg(long, help_heading = "Scope")]
    pub external_id: Option<String>,
    /// Session name for AssumeRole.
    #[arg(long, default_value = "certinv", help_heading = "Scope")]
    pub role_session_name: String,
    /// Discovery path: auto, config, explorer, acm, or snapshot:FILE.
    #[arg(long, default_value = "auto", help_heading = "Scope")]
    pub source: String,
    /// Config aggregator name [default: discovered].
    #[arg(long, help_heading = "Scope")]
    pub aggregator: Option<String>,
    /// Endpoint for every AWS call (an emulator, a VPC endpoint).
    #[arg(long, env = "AWS_ENDPOINT_URL", help_heading = "Scope")]
    pub endpoint_url: Option<String>,
    /// Also read these certificate homes: iam (IAM server certificates),
    /// pca (ACM Private CAs). Each needs every account's role.
    #[arg(long, value_enum, value_delimiter = ',', help_heading = "Scope")]
    pub include: Vec<Home>,
    /// AWS calls in flight at once.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024), help_heading = "Scope")]
    pub concurrency: u16,
}

#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// The clock for every day count (RFC 3339) [default: now].
    #[arg(long, env = "CERTINV_NOW", help_heading = "Output")]
    pub now: Option<String>,
    /// Output format [default: table on a terminal, json otherwise].
    #[arg(long, value_enum, help_heading = "Output")]
    pub output: Option<OutputFormat>,
    /// Write results to FILE (atomically) instead of stdout.
    #[arg(long, help_heading = "Output")]
    pub out: Option<PathBuf>,
    /// Hide progress (warnings and decisions still print).
    #[arg(long, short, help_heading = "Output")]
    pub quiet: bool,
    /// Exit 1 when a certificate is in this bucket or a worse one.
    #[arg(long, value_enum, default_value_t = FailOnArg::None, help_heading = "Output")]
    pub fail_on: FailOnArg,
    /// Report only matching certificates: tag:KEY=VALUE, ou=PREFIX,
    /// domain=GLOB, account=ID, type=TYPE (repeatable; all must match).
    #[arg(long, value_name = "FILTER", help_heading = "Output")]
    pub filter: Vec<String>,
    /// Accepted risks (TOML): excepted certificates keep their bucket but no
    /// longer count for --fail-on.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub exceptions: Option<PathBuf>,
    /// Days to expiry at or below which a certificate is HIGH.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(0..=36500), allow_negative_numbers = true, help_heading = "Output")]
    pub high_days: i64,
    /// Days to expiry at or below which a certificate is MEDIUM.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(0..=36500), allow_negative_numbers = true, help_heading = "Output")]
    pub medium_days: i64,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
    Markdown,
    Html,
    /// AWS Security Finding Format, for `aws securityhub batch-import-findings`.
    Asff,
    /// OCSF Detection Finding (class 2004).
    Ocsf,
    /// A node-exporter textfile.
    Prometheus,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    Iam,
    Pca,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Account,
    Ou,
    Owner,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOnArg {
    Critical,
    High,
    Medium,
    Remove,
    None,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn negative_days_are_refused() {
        let err = Cli::try_parse_from(["certinv", "expiring", "--days", "-1"]).unwrap_err();
        assert!(err.to_string().contains("-1"), "{err}");
    }

    #[test]
    fn accounts_split_on_commas() {
        let cli = Cli::try_parse_from([
            "certinv",
            "inventory",
            "--accounts",
            "111111111111,222222222222",
        ])
        .unwrap();
        let Command::Inventory(args) = cli.command else {
            panic!()
        };
        assert_eq!(args.scope.accounts.len(), 2);
    }
}
