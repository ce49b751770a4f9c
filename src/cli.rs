//! Every command-line definition (clap derive). Raw arguments become typed
//! values here, once; commands receive them already validated where clap can
//! do it (numbers, durations, enums).

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::TypedValueParser as _;
use clap::{ArgGroup, Args, Parser, Subcommand};

use crate::core::catalog::{Category, Platform};
use crate::core::config;
use crate::core::delivery::CaBundle;
use crate::core::delivery::extra::{ExtraHeader, Tamper};
use crate::core::error::usage;
use crate::core::expect::Expectation;
use crate::core::filter::FilterSpec;
use crate::core::fsutil;
use crate::core::payload::{MAX_BODY_BYTES, PayloadSpec};
use crate::ui::complete;
use crate::ui::output::ColorChoice;
use crate::ui::report::ReportTarget;

const AFTER_HELP: &str = "\
Examples:
  # Set up: an endpoint and a secret, switched on, two events
  $ sfhook configure --url https://hooks.example.com/scalefusion --generate-secret
  $ sfhook activate
  $ sfhook subscribe device-enrolled device-locked
  # Fire a sample now, deliver one for real, look at the log
  $ sfhook mock device-enrolled
  $ sfhook send device-enrolled
  $ sfhook logs --failed --since 7d
  # Why do deliveries fail?
  $ sfhook doctor

Exit codes:
  0  success (a 2xx answer; a valid signature)
  1  a failed check (verify mismatch) or an unexpected error (I/O, corrupt state)
  2  usage error or bad input
  3  the endpoint answered, but not with a 2xx
  4  no answer from the endpoint (refused, DNS, TLS, timeout)
  5  a precondition is not met (not configured, not active, not subscribed)
  6  a gate failed (--max-p99, --min-success): answered, but not well enough
  130  cancelled (Esc or q at a checklist, Ctrl-C)

Environment:
  SFHOOK_HOME     like --home
  SFHOOK_PROFILE  like --profile
  SFHOOK_URL      the endpoint for 'mock' and 'doctor' without saved state
  SFHOOK_SECRET   the secret for 'configure', 'mock', 'doctor', 'sign', 'verify' and 'listen'
  NO_COLOR        no colour when set and non-empty (unless --color always)";

#[derive(Debug, Parser)]
#[command(
    name = "sfhook",
    version,
    about = "Administer webhooks the way Scalefusion's dashboard does: configure an endpoint, \
             subscribe to device events, fire mock events, deliver signed events, and inspect \
             the delivery log",
    after_help = AFTER_HELP,
    max_term_width = 100,
    // sfhook's own `help` subcommand (below) has a --help and examples of
    // its own, like every other.
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments. clap prints help and usage errors
    /// itself, before `--color` is known; so the flag is looked up first
    /// and clap told, and `--color never` keeps escapes out of those too.
    pub fn parse_args() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let args = help_first(std::env::args_os().collect());
        let color = clap_color(&args);
        let command = Cli::command().color(color);
        let matches = command
            .try_get_matches_from(&args)
            .unwrap_or_else(|e| crate::exit_on_usage_error(e, &args, color));
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// `sfhook logs help [prune]` as `sfhook help logs [prune]`, as git and
/// cargo allow. The root's own `help` command turns clap's help subcommand
/// off, and that setting is inherited by every subcommand.
fn help_first(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut i = 1;
    while let Some(word) = args.get(i).and_then(|w| w.to_str()) {
        match word {
            "--home" | "--profile" | "--color" => i += 2,
            _ if word.starts_with('-') => i += 1,
            "logs" | "events" if args.get(i + 1).is_some_and(|w| w == "help") => {
                args.swap(i, i + 1);
                break;
            }
            _ => break,
        }
    }
    args
}

/// The `--color` the arguments give (the last one wins, as in clap), as
/// clap's own choice.
fn clap_color(args: &[std::ffi::OsString]) -> clap::ColorChoice {
    let mut choice = clap::ColorChoice::Auto;
    let mut words = args.iter().skip(1).map(|a| a.to_str().unwrap_or_default());
    while let Some(word) = words.next() {
        let value = match word {
            "--" => break,
            "--color" => words.next().unwrap_or_default(),
            _ => match word.strip_prefix("--color=") {
                Some(value) => value,
                None => continue,
            },
        };
        choice = match value {
            "always" => clap::ColorChoice::Always,
            "never" => clap::ColorChoice::Never,
            _ => clap::ColorChoice::Auto,
        };
    }
    choice
}

// The catalogue's enums are the domain's; the command line learns their
// spellings here, so the core needs no clap.
impl clap::ValueEnum for Platform {
    fn value_variants<'a>() -> &'a [Self] {
        &Platform::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        // Matched ignoring case (`ignore_case` on each argument), so the
        // tables' spelling, `iOS`, is accepted as it is printed.
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

impl clap::ValueEnum for Category {
    fn value_variants<'a>() -> &'a [Self] {
        &Category::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        // The tables print "Management Events"; "Management" and "Device
        // Update" are what people copy from them.
        let display = self.display_name();
        let short = display.trim_end_matches(" Events");
        Some(clap::builder::PossibleValue::new(self.name()).aliases([display, short]))
    }
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Keep config.toml and deliveries.jsonl in DIR, not the platform's [env: SFHOOK_HOME]
    // Any bytes, even none: an empty --home gets sfhook's own message (see
    // `Context::new`, which also reads SFHOOK_HOME), not clap's.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "DIR",
        value_parser = clap::builder::OsStringValueParser::new().map(PathBuf::from)
    )]
    pub home: Option<PathBuf>,

    /// The profile to use [env: SFHOOK_PROFILE] [default: default]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "NAME",
        add = complete::profiles()
    )]
    pub profile: Option<String>,

    /// When to colour the output
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorChoice::Auto
    )]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Save the endpoint URL, the signing secret and delivery settings
    Configure(ConfigureArgs),
    /// Switch deliveries on for the profile
    #[command(after_help = ACTIVATE_HELP)]
    Activate(ActivateArgs),
    /// Switch deliveries off for the profile
    #[command(after_help = DEACTIVATE_HELP)]
    Deactivate(ActivateArgs),
    /// Show the configuration, subscriptions, file paths and a log summary
    Status(StatusArgs),
    /// List the event catalogue, or show an event's sample payload or its JSON Schema
    Events(EventsArgs),
    /// Subscribe to events (needs an active configuration)
    Subscribe(SubscribeArgs),
    /// Unsubscribe from events (the profile may be inactive)
    Unsubscribe(UnsubscribeArgs),
    /// Sign and POST a sample event now and print the answer; not logged
    Mock(MockArgs),
    /// Deliver an event for real: signed, retried, every attempt logged
    Send(SendArgs),
    /// Play a scenario of mocks, each step with its expectation; not logged
    Run(RunArgs),
    /// Re-send logged deliveries byte for byte, with fresh request ids
    Redeliver(RedeliverArgs),
    /// List deliveries; summarise, show or prune the delivery log
    Logs(LogsArgs),
    /// Print the X-SF-Signature of a body (stdin by default)
    Sign(SignArgs),
    /// Check an X-SF-Signature against a body: exit 0 if it matches, 1 if not
    Verify(VerifyArgs),
    /// Run a local receiver that verifies signatures and prints each delivery
    Listen(ListenArgs),
    /// Find why deliveries fail: config, DNS, connection, TLS, a mock, the log
    Doctor(DoctorArgs),
    /// Run the whole flow in a throwaway home against the built-in receiver
    #[command(after_help = DEMO_HELP)]
    Demo,
    /// Print shell completions
    Completions(CompletionsArgs),
    /// Print the help of sfhook or of a subcommand
    #[command(after_help = HELP_HELP)]
    Help(HelpArgs),
}

#[derive(Debug, Args)]
#[command(
    group = ArgGroup::new("secret_source").args(["secret_stdin", "secret_file", "generate_secret"]),
    after_help = CONFIGURE_HELP
)]
pub struct ConfigureArgs {
    /// The endpoint that receives deliveries: an absolute http(s) URL
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Read the secret from stdin (one trailing newline is dropped)
    #[arg(long)]
    pub secret_stdin: bool,

    /// Read the secret from a file (one trailing newline is dropped)
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,

    /// Generate a random 256-bit secret and print it, once
    #[arg(long)]
    pub generate_secret: bool,

    /// Time allowed for each delivery request: seconds or a unit (500ms, 10s, 2m) [default: 10s]
    #[arg(long, value_name = "DURATION", value_parser = config::parse_timeout, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,

    /// How many times 'send' retries a failed delivery [default: 3]
    #[arg(long, value_name = "N", value_parser = parse_retries, allow_negative_numbers = true)]
    pub retries: Option<u32>,

    /// Delay before the first retry; it doubles after each, with jitter [default: 1s]
    #[arg(long, value_name = "DURATION", value_parser = config::parse_backoff, allow_hyphen_values = true)]
    pub backoff: Option<Duration>,

    /// Print the result as one JSON object
    #[arg(long)]
    pub json: bool,
}

fn parse_retries(text: &str) -> Result<u32, String> {
    let retries: i64 = text.trim().parse().map_err(|_| {
        format!(
            "invalid number of retries '{text}': use a whole number from 0 to {}",
            config::MAX_RETRIES
        )
    })?;
    let retries = u32::try_from(retries).map_err(|_| {
        format!(
            "retries must be between 0 and {}, not {retries}",
            config::MAX_RETRIES
        )
    })?;
    config::check_retries(retries)
}

/// `--limit`: a count of deliveries, where 0 means all.
fn parse_limit(text: &str) -> Result<usize, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("invalid limit '{text}': use a whole number of deliveries, 0 for all"))
}

#[derive(Debug, Args)]
pub struct ActivateArgs {
    /// Print the result as one JSON object: {profile, active, changed}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = STATUS_HELP)]
pub struct StatusArgs {
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = EVENTS_HELP
)]
pub struct EventsArgs {
    #[command(subcommand)]
    pub command: Option<EventsCommand>,

    /// Only events of this category
    #[arg(long, value_enum, ignore_case = true, add = complete::categories())]
    pub category: Option<Category>,

    /// Only events supported on this platform
    #[arg(long, value_enum, ignore_case = true, add = complete::platforms())]
    pub platform: Option<Platform>,

    /// Only events the profile is subscribed to
    #[arg(long)]
    pub subscribed: bool,

    /// Every column, however narrow the terminal (where a table cannot fit, each event becomes a block of lines)
    #[arg(long)]
    pub wide: bool,

    /// Print a JSON array
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Print the sample payload of an event, as 'mock' sends it
    Show(EventShowArgs),
    /// Print the JSON Schema (draft 2020-12) of an event's payload
    Schema(EventSchemaArgs),
}

#[derive(Debug, Args)]
#[command(after_help = EVENTS_SHOW_HELP)]
pub struct EventShowArgs {
    /// The event: slug, wire name or display name (device-enrolled, device.enrolled, "Device Enrolled")
    #[arg(add = complete::events())]
    pub event: String,

    /// The sample device's platform [default: the first that supports the event]
    #[arg(long, value_enum, ignore_case = true, add = complete::platforms())]
    pub platform: Option<Platform>,

    /// Print exactly the bytes 'mock' sends: one line of JSON, no trailing newline (one on a terminal)
    #[arg(long)]
    pub compact: bool,

    /// Derive the sample's event id and device from N, as 'mock --seed N' does
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub seed: Option<u64>,

    /// Date the sample at TIME (RFC 3339) instead of now, as 'mock --at' does
    #[arg(long, value_name = "TIME", value_parser = parse_at, allow_hyphen_values = true)]
    pub at: Option<jiff::Timestamp>,
}

impl EventShowArgs {
    /// The sample as `mock` would build it from the same flags.
    pub(crate) fn spec(&self) -> PayloadSpec {
        PayloadSpec {
            platform: self.platform,
            seed: self.seed,
            at: self.at,
            ..PayloadSpec::default()
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = EVENTS_SCHEMA_HELP)]
pub struct EventSchemaArgs {
    /// The event: slug, wire name or display name
    #[arg(required_unless_present = "all", add = complete::events())]
    pub event: Option<String>,

    /// One document with every event: a definition per event under $defs, and a oneOf of them
    #[arg(long, conflicts_with = "event")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct EventSelection {
    /// Events by slug, wire name or display name; none on a terminal offers a checklist
    #[arg(value_name = "EVENT", add = complete::events())]
    pub events: Vec<String>,

    /// Every event in the catalogue
    #[arg(long, conflicts_with_all = ["events", "category"])]
    pub all: bool,

    /// Every event of a category
    #[arg(long, value_enum, ignore_case = true, add = complete::categories())]
    pub category: Option<Category>,
}

impl PayloadArgs {
    /// The payload the arguments ask for; `--data` is read here, once. Its
    /// document is sent compactly, as `send` needs: the log holds a body on
    /// one line.
    pub(crate) fn spec(&self) -> anyhow::Result<PayloadSpec> {
        let data = match &self.data {
            Some(path) => {
                let bytes = read_input(Some(path), "--data")?;
                let shown = if path.as_os_str() == "-" {
                    "stdin".to_string()
                } else {
                    path.display().to_string()
                };
                Some((bytes, shown))
            }
            None => None,
        };
        Ok(PayloadSpec {
            platform: self.platform,
            data,
            set: self.set.clone(),
            unset: self.unset.clone(),
            compact_data: true,
            ..PayloadSpec::default()
        })
    }

    /// `mock`'s payload: `--data` exactly as it is, and the mock-only flags.
    pub(crate) fn spec_for_mock(&self, mock: &MockBodyArgs) -> anyhow::Result<PayloadSpec> {
        Ok(PayloadSpec {
            compact_data: false,
            raw: mock.raw,
            seed: mock.seed,
            at: mock.at,
            ..self.spec()?
        })
    }
}

impl ConnectionArgs {
    /// `--cacert`'s bundle, if given: read once, as it may be a pipe.
    pub(crate) fn read_cacert(&self) -> anyhow::Result<Option<CaBundle>> {
        self.cacert.as_deref().map(CaBundle::read).transpose()
    }
}

/// The bytes of FILE, or of stdin for `-` or no file, up to the body limit.
pub(crate) fn read_input(file: Option<&std::path::Path>, what: &str) -> anyhow::Result<Vec<u8>> {
    let limit = MAX_BODY_BYTES as u64;
    let (read, from) = match file.filter(|p| p.as_os_str() != "-") {
        Some(path) => (
            std::fs::File::open(path).and_then(|file| fsutil::read_at_most(file, limit)),
            path.display().to_string(),
        ),
        None => (
            fsutil::read_at_most(std::io::stdin(), limit),
            "stdin".to_string(),
        ),
    };
    read.map_err(|e| usage(format!("cannot read {what} from {from}: {e}")))?
        .ok_or_else(|| {
            usage(format!(
                "{what} from {from} is larger than {} MiB",
                limit / (1024 * 1024)
            ))
        })
}

impl EventSelection {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && !self.all && self.category.is_none()
    }
}

#[derive(Debug, Args)]
#[command(after_help = SUBSCRIBE_HELP)]
pub struct SubscribeArgs {
    #[command(flatten)]
    pub which: EventSelection,

    /// Print the result as one JSON object: {profile, changed, subscriptions}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = UNSUBSCRIBE_HELP)]
pub struct UnsubscribeArgs {
    #[command(flatten)]
    pub which: EventSelection,

    /// Do not ask before unsubscribing from everything (required without a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Print the result as one JSON object: {profile, changed, subscriptions}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct PayloadArgs {
    /// The sample device's platform [default: the first that supports the event]
    #[arg(long, value_enum, ignore_case = true, add = complete::platforms())]
    pub platform: Option<Platform>,

    /// Send this JSON document as the whole body instead of the sample ('-': stdin); mock sends it byte for byte, send compacts it
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,

    /// Edit the body: PATH=TEXT sets a string, PATH:=JSON any JSON value
    /// (data.devices.0.name=Kiosk, data.devices.0.locked:=true); an index one past the
    /// end appends, \. is a dot in a key; repeatable
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,

    /// Remove a key or an array element from the body, after every --set; repeatable
    #[arg(long = "unset", value_name = "PATH")]
    pub unset: Vec<String>,
}

/// What only `mock` may ask of a body: `send` logs the body as JSON, and
/// its deliveries are real events, not test fixtures.
#[derive(Debug, Args, Clone, Default)]
pub struct MockBodyArgs {
    /// With --data: send the file's bytes unchecked, even malformed JSON or not UTF-8
    #[arg(long)]
    pub raw: bool,

    /// Derive the sample's event id and device from N: the same N, the same ids
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub seed: Option<u64>,

    /// Date the sample at TIME (RFC 3339) instead of now
    #[arg(long, value_name = "TIME", value_parser = parse_at, allow_hyphen_values = true)]
    pub at: Option<jiff::Timestamp>,
}

fn parse_at(text: &str) -> Result<jiff::Timestamp, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("invalid time '{text}': use RFC 3339, e.g. 2026-01-01T00:00:00Z"))
}

#[derive(Debug, Args, Clone, Default)]
pub struct ConnectionArgs {
    /// Time allowed for each request [default: the profile's timeout, else 10s]
    #[arg(long, value_name = "DURATION", value_parser = config::parse_timeout, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,

    /// Also trust the CA certificates in this PEM file
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Accept any TLS certificate (a self-signed local endpoint); warns on every use
    #[arg(long)]
    pub insecure: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = MOCK_HELP
)]
pub struct MockArgs {
    /// The event: slug, wire name or display name
    #[arg(add = complete::events())]
    pub event: String,

    #[command(flatten)]
    pub payload: PayloadArgs,

    #[command(flatten)]
    pub body: MockBodyArgs,

    /// Fire at this endpoint instead of the profile's (also SFHOOK_URL)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Fire N mocks, each a distinct event and device (a mass enrollment) [default: 1, or as many as --duration allows]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000_000), allow_negative_numbers = true)]
    pub count: Option<u32>,

    /// Requests in flight at once during a burst
    #[arg(long, value_name = "C", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024), allow_negative_numbers = true)]
    pub concurrency: u32,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Print one JSON object
    #[arg(long)]
    pub json: bool,

    // Last: its help heading would otherwise carry over to what follows.
    #[command(flatten)]
    pub test: TestArgs,
}

impl MockArgs {
    /// Whether this is a burst rather than one mock.
    pub(crate) fn is_burst(&self) -> bool {
        self.count.is_some_and(|n| n > 1) || self.test.duration.is_some()
    }
}

/// What makes a mock a test of a receiver: what to expect, what to forge,
/// and, for a burst, how long, how fast and how well.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Testing a receiver")]
pub struct TestArgs {
    /// The answers that pass: codes (406), classes (2xx, 4xx) or 'none', comma-separated [default: 2xx; 4xx with --tamper]
    #[arg(long, value_name = "LIST", value_parser = |t: &str| t.parse::<Expectation>())]
    pub(crate) expect: Option<Expectation>,

    /// Send a delivery a correct receiver must refuse: missing-signature, empty-signature, wrong-signature, modified-body
    #[arg(long, value_name = "KIND", value_parser = |t: &str| t.parse::<Tamper>())]
    pub(crate) tamper: Option<Tamper>,

    /// An extra request header, 'Name: value' (repeatable; not X-SF-*, Content-Type or the headers that frame the body)
    #[arg(long = "header", short = 'H', value_name = "HEADER", value_parser = |t: &str| t.parse::<ExtraHeader>())]
    pub(crate) headers: Vec<ExtraHeader>,

    /// A burst for this long (30s, 2m) instead of a number of mocks
    #[arg(long, value_name = "DURATION", value_parser = parse_burst_duration, allow_hyphen_values = true)]
    pub(crate) duration: Option<Duration>,

    /// Pace a burst at R requests per second (open model: latency counts from the intended send time)
    #[arg(long, value_name = "R", value_parser = parse_rate, allow_hyphen_values = true)]
    pub(crate) rate: Option<f64>,

    /// Fail (exit 6) if the burst's median latency of 2xx answers is above DURATION
    #[arg(long, value_name = "DURATION", value_parser = parse_gate_latency, allow_hyphen_values = true)]
    pub(crate) max_p50: Option<Duration>,

    /// Fail (exit 6) if the burst's 95th percentile latency of 2xx answers is above DURATION
    #[arg(long, value_name = "DURATION", value_parser = parse_gate_latency, allow_hyphen_values = true)]
    pub(crate) max_p95: Option<Duration>,

    /// Fail (exit 6) if the burst's 99th percentile latency of 2xx answers is above DURATION
    #[arg(long, value_name = "DURATION", value_parser = parse_gate_latency, allow_hyphen_values = true)]
    pub(crate) max_p99: Option<Duration>,

    /// Fail (exit 6) if fewer than PERCENT of the burst's requests met --expect; then unmet ones alone do not fail it
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent, allow_hyphen_values = true)]
    pub(crate) min_success: Option<f64>,

    /// Write one JSON line per request of a burst to FILE: request_id, event_id, status, latency_ms, error
    #[arg(long, value_name = "FILE")]
    pub(crate) requests: Option<PathBuf>,

    /// Before the first request, wait up to DURATION for the receiver to listen (then exit 4)
    #[arg(long, value_name = "DURATION", value_parser = parse_wait, allow_hyphen_values = true)]
    pub(crate) wait_for: Option<Duration>,

    /// A test report: junit:FILE (JUnit XML, one testcase per request) or tap (TAP on stdout, instead of the usual output)
    #[arg(long, value_name = "KIND", value_parser = |t: &str| t.parse::<ReportTarget>())]
    pub(crate) report: Option<ReportTarget>,
}

fn parse_wait(text: &str) -> Result<Duration, String> {
    crate::core::units::parse_duration_within(
        "the wait",
        text,
        Duration::ZERO,
        Duration::from_secs(3600),
    )
}

fn parse_burst_duration(text: &str) -> Result<Duration, String> {
    crate::core::units::parse_duration_within(
        "the duration",
        text,
        Duration::from_millis(1),
        Duration::from_secs(24 * 3600),
    )
}

fn parse_gate_latency(text: &str) -> Result<Duration, String> {
    crate::core::units::parse_duration_within(
        "the latency",
        text,
        Duration::ZERO,
        Duration::from_secs(3600),
    )
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && (0.001..=1_000_000.0).contains(&rate) => Ok(rate),
        _ => Err(format!(
            "invalid rate '{text}': use requests per second, from 0.001 to 1000000"
        )),
    }
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "invalid percentage '{text}': use a number from 0 to 100"
        )),
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = SEND_HELP
)]
pub struct SendArgs {
    /// The event: slug, wire name or display name
    #[arg(add = complete::events())]
    pub event: String,

    #[command(flatten)]
    pub payload: PayloadArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Print each attempt's log record as one JSON line
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = REDELIVER_HELP
)]
pub struct RedeliverArgs {
    /// Request ids (or unique prefixes) of logged deliveries
    #[arg(value_name = "ID", required_unless_present = "failed", add = complete::request_ids())]
    pub ids: Vec<String>,

    #[command(flatten)]
    pub filter: FilterArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Send with this profile's URL and secret, not those of the profile that logged the delivery
    #[arg(long, value_name = "NAME", add = complete::profiles())]
    pub to_profile: Option<String>,

    /// List what would be re-sent (request id, event, profile, original code); send and log nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask before re-sending more than ten deliveries on a terminal
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Print each new attempt's log record as one JSON line
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC), today, yesterday or an age (30m, 2h, 7d)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub since: Option<String>,

    /// Only deliveries at or before WHEN; a date includes that whole day
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub until: Option<String>,

    /// Only these response codes: 500, 5xx, 404,500; 'none' for no answer
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub code: Vec<String>,

    /// Only the delivery with this request id (or a unique prefix of it)
    #[arg(long, value_name = "ID", add = complete::request_ids())]
    pub request_id: Option<String>,

    /// Only this event (slug, wire name or display name); repeatable
    #[arg(long, value_name = "EVENT", add = complete::events())]
    pub event: Vec<String>,

    /// Only failed deliveries
    #[arg(long, conflicts_with = "succeeded")]
    pub failed: bool,

    /// Only successful deliveries
    #[arg(long)]
    pub succeeded: bool,
}

impl FilterArgs {
    pub(crate) fn spec(&self) -> FilterSpec {
        FilterSpec {
            since: self.since.clone(),
            until: self.until.clone(),
            code: self.code.clone(),
            request_id: self.request_id.clone(),
            event: self.event.clone(),
            failed: self.failed,
            succeeded: self.succeeded,
        }
    }
}

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = LOGS_HELP
)]
pub struct LogsArgs {
    #[command(subcommand)]
    pub command: Option<LogsCommand>,

    #[command(flatten)]
    pub filter: FilterArgs,

    /// Only the newest N deliveries; 0 for all [default: 50 on a terminal, all elsewhere]
    #[arg(long, short = 'n', value_name = "N", value_parser = parse_limit, allow_negative_numbers = true)]
    pub limit: Option<usize>,

    /// Keep printing deliveries as they land, like tail -f
    #[arg(long, short = 'f')]
    pub follow: bool,

    /// Every column, however narrow the terminal (where a table cannot fit, each delivery becomes a block of lines)
    #[arg(long)]
    pub wide: bool,

    /// Print the stored records, one JSON object per line (same as --format json)
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Output format [default: table on a terminal, tsv elsewhere]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<LogFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// A table, as on a terminal
    Table,
    /// One tab-separated line per delivery, as on a pipe
    Tsv,
    /// The stored records, one JSON object per line
    Json,
    /// RFC 4180 CSV with a header row and every field of a record, for spreadsheets; fields that a spreadsheet would run as a formula get a leading '
    Csv,
    /// CSV with every field exactly as stored: formulas are not defused
    CsvRaw,
}

#[derive(Debug, Subcommand)]
pub enum LogsCommand {
    /// Total, succeeded and failed deliveries, by response code and by event
    Summary(SummaryArgs),
    /// One delivery with its payload
    Show(LogShowArgs),
    /// Drop deliveries older than a date, atomically
    Prune(PruneArgs),
}

#[derive(Debug, Args)]
#[command(after_help = LOGS_SUMMARY_HELP)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = LOGS_SHOW_HELP)]
pub struct LogShowArgs {
    /// The request id, or a unique prefix of it
    #[arg(value_name = "ID", add = complete::request_ids())]
    pub id: String,

    /// Print only the exact body bytes that were signed
    #[arg(long, conflicts_with = "json")]
    pub raw: bool,

    /// Print the stored record as it is
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = LOGS_PRUNE_HELP)]
pub struct PruneArgs {
    /// Drop deliveries before WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30d)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub before: String,

    /// Do not ask for confirmation (required without a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[command(after_help = SIGN_HELP)]
pub struct SignArgs {
    /// The body to sign; '-' or nothing for stdin
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Print one JSON object: {signature, bytes}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = VERIFY_HELP
)]
pub struct VerifyArgs {
    /// The X-SF-Signature value: 64 hex digits
    #[arg(long, value_name = "SIG")]
    pub signature: String,

    /// The body to check; '-' or nothing for stdin
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Print one JSON object: {valid, bytes}; the exit code is the same
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = LISTEN_HELP
)]
pub struct ListenArgs {
    /// Address to listen on
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 picks a free one
    #[arg(
        long,
        value_name = "PORT",
        default_value_t = 8787,
        allow_negative_numbers = true
    )]
    pub port: u16,

    /// Path that receives deliveries
    #[arg(long, value_name = "PATH", default_value = "/payload")]
    pub path: String,

    /// Print each request as one JSON object per line (deliveries with their payload), after a first line {"listening": URL}
    #[arg(long)]
    pub json: bool,

    /// Forward each delivery with a valid signature to the app at URL (same body and headers); the sender gets the app's status and body
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,

    /// Time the app has to answer a forwarded delivery: seconds or a unit (500ms, 10s, 2m) [default: 10s]
    #[arg(long, value_name = "DURATION", value_parser = config::parse_timeout, allow_hyphen_values = true, requires = "forward_to")]
    pub timeout: Option<Duration>,

    /// Once connections are accepted, write the listening URL (and a newline) to PATH
    #[arg(long, value_name = "PATH")]
    pub ready_file: Option<PathBuf>,

    /// Time a sender has to send a request's headers, and again its body, before the connection is closed (a slow body gets 408): seconds or a unit [default: 10s]
    #[arg(long, value_name = "DURATION", value_parser = config::parse_timeout, allow_hyphen_values = true)]
    pub read_timeout: Option<Duration>,
}

#[derive(Debug, Args)]
#[command(
    after_help = DOCTOR_HELP
)]
pub struct DoctorArgs {
    /// Look for failed deliveries in the log since WHEN: RFC 3339, a date or an age
    #[arg(
        long,
        value_name = "WHEN",
        default_value = "7d",
        allow_hyphen_values = true
    )]
    pub since: String,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Print one JSON object: {profile, url, ok, checks: [{check, status, detail, fix}]}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = RUN_HELP)]
pub struct RunArgs {
    /// The scenario: a TOML file of [[step]]s (see below)
    #[arg(value_name = "FILE.toml")]
    pub file: PathBuf,

    /// Send to this endpoint instead of the file's url, SFHOOK_URL or the profile's
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Before the first step, wait up to DURATION for the receiver to listen (then exit 4)
    #[arg(long, value_name = "DURATION", value_parser = parse_wait, allow_hyphen_values = true)]
    pub(crate) wait_for: Option<Duration>,

    /// A test report: junit:FILE (one testcase per step) or tap (TAP on stdout, instead of the usual output)
    #[arg(long, value_name = "KIND", value_parser = |t: &str| t.parse::<ReportTarget>())]
    pub(crate) report: Option<ReportTarget>,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Print one JSON object per step
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HelpArgs {
    /// The subcommand, and its subcommand if it has them: logs prune
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
#[command(after_help = COMPLETIONS_HELP)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

// ------------------------------------------------------------ help texts
//
// Each subcommand's --help ends with examples that run as they are written
// (tests/cli/examples.rs runs every one in a prepared home). Lines that start
// with `$ ` are commands; `# ` lines say what the next one does. Keep each
// line under 96 characters so that clap never wraps one.

const CONFIGURE_HELP: &str = "\
The secret may also come from SFHOOK_SECRET. There is no --secret flag: a secret on the command line would land in shell history and in 'ps'. On a terminal, sfhook prompts for a missing URL or secret; elsewhere it fails at once. Settings left out keep their saved values.

Examples:
  # Save an endpoint and a fresh secret, printed once for the receiver
  $ sfhook configure --url https://hooks.example.com/scalefusion --generate-secret
  # A second profile beside the default one, its secret read from a file
  $ sfhook --profile staging configure --url https://stg.example.com/hook --secret-file key.txt
  # Only change how deliveries are retried
  $ sfhook configure --timeout 5s --retries 5 --backoff 2s";

const ACTIVATE_HELP: &str = "\
Needs a saved configuration ('sfhook configure').

Examples:
  $ sfhook activate
  $ sfhook --profile staging activate --json";

const DEACTIVATE_HELP: &str = "\
Subscriptions are kept; 'sfhook activate' switches deliveries back on.

Examples:
  $ sfhook deactivate
  $ sfhook deactivate --json";

const STATUS_HELP: &str = "\
Examples:
  $ sfhook status
  # Scripts: is the profile active?
  $ sfhook status --json | grep -q '\"active\":true'";

const EVENTS_HELP: &str = "\
On a pipe, one line per event, tab-separated: slug, wire name, display name, category, supported platforms (comma-separated), and 'subscribed' or '-'.

Examples:
  $ sfhook events
  # The events an iOS device can raise
  $ sfhook events --platform ios
  $ sfhook events --subscribed --json";

const EVENTS_SHOW_HELP: &str = "\
Without --compact, the sample is pretty-printed JSON with a trailing newline, on a terminal and on a pipe alike. With --compact, it is exactly the body 'mock' sends for the same --platform, --seed and --at: compact JSON on one line, with no trailing newline on a pipe (a newline is added only on a terminal), so its signature is the X-SF-Signature that mock carries.

Examples:
  $ sfhook events show device-sim-swap
  $ sfhook events show \"Device Locked\" --platform macos
  # Start a custom payload from the sample
  $ sfhook events show device-enrolled > body.json
  # The signature 'mock device-enrolled --seed 7 --at 2026-01-01T00:00:00Z' carries
  $ sfhook events show device-enrolled --compact --seed 7 --at 2026-01-01T00:00:00Z | sfhook sign";

const EVENTS_SCHEMA_HELP: &str = "\
The schema is generated from the samples themselves: every sample of the event, on every platform it supports, validates against it. Every property has a description; ids are format uuid, times format date-time; event, os_type and status are enums. Objects allow properties the schema does not list, so that a receiver tolerates fields a later version adds.

Examples:
  $ sfhook events schema device-enrolled
  # Every event in one document, e.g. to generate types from
  $ sfhook events schema --all > sfhook-events.schema.json";

const SUBSCRIBE_HELP: &str = "\
Without event names on a terminal, sfhook offers a checklist of the catalogue; without a terminal, name the events.

Examples:
  $ sfhook subscribe device-enrolled device-locked
  # Every event of a category; names may be wire or display names too
  $ sfhook subscribe --category management \"Device Sim Swap\"
  $ sfhook subscribe --all --json";

const UNSUBSCRIBE_HELP: &str = "\
Without event names on a terminal, sfhook offers a checklist of the profile's subscriptions. --all asks first on a terminal and needs --yes elsewhere.

Examples:
  $ sfhook unsubscribe device-locked
  $ sfhook unsubscribe --category device-update
  $ sfhook unsubscribe --all --yes";

const MOCK_HELP: &str = "\
Without saved state (CI), give the endpoint with --url or SFHOOK_URL and the secret with SFHOOK_SECRET. Exit 0 when the answer meets --expect (a 2xx by default, a 4xx with --tamper), 3 when another answer came, 4 when none did; a burst exits 4 if a request that missed it got no answer, else 3, and 6 if a gate (--max-p99, --min-success, ...) failed.

Examples:
  $ sfhook mock device-enrolled
  # CI, with no saved state: the exit code says whether the receiver took it
  $ SFHOOK_URL=http://127.0.0.1:8787/payload SFHOOK_SECRET=s3cr3t sfhook mock device-locked
  # A forged delivery: passes only if the receiver refuses it (a 4xx)
  $ sfhook mock device-locked --tamper wrong-signature
  # Exactly the 406 the reference's receiver answers to a bad signature
  $ sfhook mock device-locked --tamper modified-body --expect 406
  # A mass enrollment: 500 distinct devices, 32 at a time
  $ sfhook mock device-enrolled --count 500 --concurrency 32
  # In CI: wait for the receiver to start, then leave a JUnit report
  $ sfhook mock device-enrolled --wait-for 30s --report junit:reports/mock.xml
  # Load as a test: 50 requests/s for 10s; exit 6 if p99 is over 250ms
  $ sfhook mock device-enrolled --duration 10s --rate 50 --max-p99 250ms --requests requests.jsonl
  # The same body every run (ids, devices, times), without the sample's IMEI
  $ sfhook mock device-enrolled --seed 7 --at 2026-01-01T00:00:00Z --unset data.devices.0.imei_no";

const RUN_HELP: &str = "\
A scenario is one device on one platform (top-level platform; by default the first platform that sends every step's event), so a receiver's state is exercised step by step. Steps take event, set (a table: strings as with --set PATH=TEXT, other values as PATH:=JSON), unset, data (a file, relative to the scenario), tamper, expect and header, or sleep alone. The file is checked whole before anything is sent: an unknown key or event, or an event the platform does not send, is exit 2. One line per step; exit 0 only if every step met its expectation, else 3 (4 if a step that missed got no answer). Top-level keys: name, url, platform, seed, at. The endpoint: --url, else SFHOOK_URL, else the file's url, else the profile's; the secret: SFHOOK_SECRET, else the profile's.

Example file (kiosk.toml):
  name = \"kiosk lifecycle\"
  platform = \"android\"
  [[step]]
  event = \"device-enrolled\"
  set = { \"data.devices.0.name\" = \"Lobby Kiosk\" }
  [[step]]
  event = \"device-locked\"
  tamper = \"wrong-signature\"
  expect = \"406\"
  [[step]]
  sleep = \"200ms\"
  [[step]]
  event = \"device-deleted\"

Examples:
  $ sfhook run kiosk.toml
  # In CI, against the receiver under test, with no saved state
  $ SFHOOK_URL=http://127.0.0.1:8787/payload SFHOOK_SECRET=s3cr3t sfhook run kiosk.toml --json
  # Wait for the receiver, and report each step as a JUnit testcase
  $ sfhook run kiosk.toml --wait-for 30s --report junit:reports/kiosk.xml";

const SEND_HELP: &str = "\
Needs an active profile subscribed to the event. A failed attempt is retried per the profile (exponential backoff with jitter; Retry-After honoured up to 60s; no retry after a 4xx other than 408 and 429). --json prints each logged attempt as one line.

Examples:
  $ sfhook send device-enrolled
  # Edit the sample: a string with =, any JSON value with :=
  $ sfhook send device-locked --set data.devices.0.name=Kiosk-12 --set data.devices.0.id:=42
  # Your own payload, from a file or stdin
  $ sfhook send device-enrolled --data body.json --json";

const REDELIVER_HELP: &str = "\
With --failed, each event whose latest attempt failed is re-sent once: the events of the profile named by --profile or SFHOOK_PROFILE, else of 'default'. A delivery is re-sent only with the profile that logged it: its current URL, signed with its current secret; one attempt each, logged with redelivery_of set. Naming another profile is refused unless --to-profile NAME says so. On a terminal, sfhook asks before re-sending more than ten deliveries (--yes skips the question); --dry-run lists them and sends nothing.

Examples:
  # Once the receiver is fixed: what failed this week, then send it
  $ sfhook redeliver --failed --since 7d --dry-run
  $ sfhook redeliver --failed --since 7d
  # The newest delivery again, by its request id
  $ sfhook redeliver \"$(sfhook logs -n 1 | cut -f3)\"";

const LOGS_HELP: &str = "\
Deliveries are listed oldest first. On a pipe, one line per delivery, tab-separated: timestamp, event, request id, response code ('-' if none), 'ok' or 'failed', duration in ms, attempt, profile, error ('-' if none). --json prints the stored records, one per line, exactly as stored; --format csv every field of them, with a header row, a field that a spreadsheet would run as a formula (starting with = + - @, a tab or CR) led by ', and --format csv-raw every field exactly. On a terminal, every format but JSON shows control characters as escapes (\\u{1b}). Every profile's deliveries are listed unless --profile or SFHOOK_PROFILE names one.

Examples:
  $ sfhook logs --failed --since 7d
  # Request ids of the receiver's errors, for a bug report
  $ sfhook logs --code 5xx --json | jq -r .request_id
  # For a spreadsheet
  $ sfhook logs --since 2026-11-01 --format csv > deliveries.csv
  # Watch deliveries land
  $ sfhook logs --follow";

const LOGS_SUMMARY_HELP: &str = "\
Examples:
  $ sfhook logs summary --since 30d
  $ sfhook logs summary --event device-enrolled --json";

const LOGS_SHOW_HELP: &str = "\
Examples:
  # The newest delivery, with its payload and the receiver's answer
  $ sfhook logs show \"$(sfhook logs -n 1 | cut -f3)\"
  # The exact bytes that were signed, to check a receiver's signature code
  $ sfhook logs show --raw \"$(sfhook logs -n 1 | cut -f3)\" | sfhook sign";

const LOGS_PRUNE_HELP: &str = "\
The log is rewritten atomically under its lock: a delivery logged meanwhile waits, and nothing is half-pruned.

Examples:
  $ sfhook logs prune --before 90d --yes
  $ sfhook logs prune --before 2026-01-01 --yes";

const SIGN_HELP: &str = "\
The secret is SFHOOK_SECRET if set, else the profile's.

Examples:
  $ sfhook sign body.json
  $ sfhook events show device-enrolled | SFHOOK_SECRET=s3cr3t sfhook sign
  $ sfhook sign --json < body.json";

const VERIFY_HELP: &str = "\
The secret is SFHOOK_SECRET if set, else the profile's. The comparison takes constant time. Exit 0 if the signature matches, 1 if not.

Examples:
  $ sfhook verify --signature \"$(sfhook sign body.json)\" body.json
  $ sfhook verify --signature \"$(sfhook sign body.json)\" --json < body.json";

const LISTEN_HELP: &str = "\
Answers 200 to a delivery with a valid X-SF-Signature and 406 'Signatures mismatch' otherwise, like the reference's sample receiver; the signature must be the exact lowercase hex sfhook sends. The secret is SFHOOK_SECRET if set, else the profile's. Stops on Ctrl-C or SIGTERM and says how many deliveries it got.

With --forward-to, a delivery with a valid signature goes on to the app with the same body and headers (all but Host and hop-by-hop ones), and the sender gets the app's status and body; one with an invalid signature gets 406 and is not forwarded; if the app cannot be reached in time, the sender gets 502.

One line per request answered, 404 (wrong path), 405 (wrong method), 408 (body too slow), 413 (too large) and 503 (too many bodies at once) included. On a pipe, tab-separated: time, event, request id, 'valid' or 'invalid', status answered, device names; with --forward-to two more: the app's status (or 'unreachable: WHY', '-' if not forwarded) and its latency in ms. A request that is not a delivery shows '-', '-', 'unchecked', the status, and its method and path. Lines that stdout cannot take in time are dropped and counted, never waited for.

Limits, so that no sender can freeze it: 256 connections at once (one more closes the oldest that is still sending or idle); a request's headers, and then its body, must arrive within --read-timeout; a body over 16 MiB gets 413, and one that would take the bodies arriving at once over 20 MiB gets 503. With a --host that is not a loopback address (0.0.0.0, ::) it warns that other machines can reach it.

Examples:
  # Receive on http://127.0.0.1:8787/payload; fire at it from another terminal
  $ sfhook listen
  # One JSON object per delivery, payload included, for jq
  $ SFHOOK_SECRET=s3cr3t sfhook listen --port 8787 --json
  # Stand in front of your app: verified deliveries go on to it
  $ sfhook listen --forward-to http://127.0.0.1:3000/webhooks
  # A free port; the first line says which: {\"listening\": URL}
  $ sfhook listen --json --port 0
  # Scripts: wait for the file, then send to the URL in it
  $ sfhook listen --port 0 --ready-file listen.url";

const DOCTOR_HELP: &str = "\
Checks, in the order a delivery meets them: config, profile, dns, connect, tls, mock, log. Each line gives a verdict (pass, warn, fail, skip) and, when something is wrong, the fix. On a pipe, one line per check, tab-separated: check, verdict, detail, fix ('-' if none). Exit 0 if no check failed (warnings pass), 1 otherwise. The mock is signed with the profile's secret and is not logged.

As for 'mock', SFHOOK_URL and SFHOOK_SECRET win over the profile's endpoint and secret. With both set, nothing needs to be saved: dns, connect, tls and mock run against SFHOOK_URL, and what is saved (a broken config file, a profile that cannot send) only warns.

Examples:
  $ sfhook doctor
  # CI: fail the job when a check fails, keep the report
  $ sfhook doctor --json > doctor.json
  # CI pre-flight with no saved state: is the receiver up, and does it take our signature?
  $ SFHOOK_URL=http://127.0.0.1:8787/payload SFHOOK_SECRET=s3cr3t sfhook doctor
  $ sfhook doctor --since 1d --timeout 3s";

const DEMO_HELP: &str = "\
Everything happens in a temporary directory that is removed afterwards; your configuration and log are not touched.

Examples:
  $ sfhook demo";

const COMPLETIONS_HELP: &str = "\
The script is small: at each Tab it asks sfhook for the candidates (events, profiles, request ids), so load it anew from the shell's startup file rather than saving its text.

Examples:
  # bash, for this shell (for good: the same line in ~/.bashrc)
  $ source <(sfhook completions bash)
  # fish, for good
  $ echo 'sfhook completions fish | source' > ~/.config/fish/completions/sfhook.fish";

const HELP_HELP: &str = "\
Same as --help after the command.

Examples:
  $ sfhook help
  $ sfhook help logs prune";

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_color_flag_is_found_before_clap_parses() {
        let words = |s: &str| s.split(' ').map(Into::into).collect::<Vec<_>>();
        let cases = [
            ("sfhook --color never status", clap::ColorChoice::Never),
            ("sfhook status --color=always", clap::ColorChoice::Always),
            (
                "sfhook --color never --color auto logs",
                clap::ColorChoice::Auto,
            ),
            ("sfhook sign -- --color never", clap::ColorChoice::Auto),
            ("sfhook --color", clap::ColorChoice::Auto),
        ];
        for (line, expected) in cases {
            assert_eq!(clap_color(&words(line)), expected, "{line}");
        }
    }

    #[test]
    fn help_after_a_command_is_the_help_command() {
        let words =
            |line: &str| -> Vec<std::ffi::OsString> { line.split(' ').map(Into::into).collect() };
        for (given, expected) in [
            ("sfhook logs help", "sfhook help logs"),
            ("sfhook logs help prune", "sfhook help logs prune"),
            (
                "sfhook --profile p events help show",
                "sfhook --profile p help events show",
            ),
            ("sfhook logs --help", "sfhook logs --help"),
            ("sfhook send help", "sfhook send help"),
            ("sfhook logs show help", "sfhook logs show help"),
        ] {
            assert_eq!(help_first(words(given)), words(expected), "{given}");
        }
    }

    #[test]
    fn globals_work_before_and_after_the_subcommand() {
        let before =
            Cli::try_parse_from(["sfhook", "--home", "/h", "--profile", "p", "status"]).unwrap();
        let after =
            Cli::try_parse_from(["sfhook", "status", "--home", "/h", "--profile", "p"]).unwrap();
        for cli in [before, after] {
            assert_eq!(cli.global.home.as_deref(), Some(std::path::Path::new("/h")));
            assert_eq!(cli.global.profile.as_deref(), Some("p"));
        }
    }
}
