//! Command line and environment. Every option can also be set by the environment variable
//! named in its help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "community-assets",
    version,
    about = "A directory of community assets that link workers search and match people to."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start-up and matched on at once: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (starting a private PostgreSQL cluster when DATABASE_URL is unset).
    Serve(ServeArgs),
    /// Apply database migrations and load the interest vocabulary.
    Migrate(DbArgs),
    /// Migrate, then load the demo directory if the database has no assets.
    Seed(DbArgs),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Import another directory's records.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write the whole directory (organisations, venues, assets, vocabulary, imports, API keys'
    /// metadata without secrets) as one JSON document.
    Export {
        /// Where to write it; `-` for standard output.
        #[arg(long, default_value = "-")]
        output: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load an export into a database that holds no directory yet (all or nothing). Restored
    /// API keys are revoked: secrets are never exported, so issue new keys.
    Restore {
        /// The export file; `-` for standard input.
        file: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write the OpenAPI document.
    Openapi {
        /// Where to write it; `-` for standard output.
        #[arg(long, default_value = "openapi/openapi.json")]
        output: String,
    },
    /// Print the plan PostgreSQL runs for a search (EXPLAIN ANALYZE), e.g.
    /// `--query 'lat=53.48&lon=-2.24&interest=football'`.
    ExplainSearch {
        /// The query string of `GET /v1/assets`.
        #[arg(long)]
        query: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load whole map viewports from a running server as a browser does, six tiles at a time
    /// per client, and time each viewport (for benchmarks).
    BenchViewports {
        /// The service's base URL, e.g. `http://127.0.0.1:8080`.
        #[arg(long)]
        base: String,
        /// A file of tile paths (`/v1/map/tiles/z/x/y`), one a line: the viewport.
        #[arg(long)]
        tiles: std::path::PathBuf,
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Time the raw search statement from concurrent clients, without HTTP (for benchmarks).
    BenchSearch {
        /// The query string of `GET /v1/assets`.
        #[arg(long)]
        query: String,
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Time the raw candidate statement of `POST /v1/match` from concurrent clients, without HTTP
    /// (for benchmarks), cycling through request bodies.
    /// Time the OpenActive harvester against a made-up publisher served by this process: from
    /// empty, an update pass (1,000 changed and 500 deleted items), and an unchanged re-read
    /// (for benchmarks)
    BenchHarvest {
        /// Session series in the made-up publisher's first feed.
        #[arg(long, default_value_t = 20000)]
        series: usize,
        /// Scheduled sessions of each series, in its second feed.
        #[arg(long, default_value_t = 4)]
        sessions_each: usize,
        #[command(flatten)]
        db: DbArgs,
    },
    BenchMatch {
        /// A file of match request bodies, one JSON object per line.
        #[arg(long)]
        requests: std::path::PathBuf,
        #[arg(long, default_value_t = 8)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Print the EXPLAIN ANALYZE plan of the candidate statement of this line (from 1) instead.
        #[arg(long)]
        explain: Option<usize>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Time reading interest phrases (the lexicon's build, then each phrase uncached), without
    /// HTTP or the database beyond loading the vocabulary (for benchmarks)
    BenchPhrases {
        /// A JSON file with `phrases[].phrase` (as tests/eval/phrases.json), or plain text with
        /// one phrase per line.
        #[arg(long)]
        phrases: std::path::PathBuf,
        /// How many times to read every phrase, at least 1.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..))]
        rounds: u16,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage the private PostgreSQL cluster (used by the test script).
    #[command(subcommand)]
    Cluster(ClusterCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print its secret (shown once).
    Create {
        #[arg(long, value_parser = ["admin", "agency", "reader"])]
        role: String,
        #[arg(long)]
        name: String,
        /// Required for agency keys.
        #[arg(long)]
        organization_id: Option<uuid::Uuid>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import every page of an ORUK 3.0 or 1.0 feed, e.g. `https://example.org/oruk`; prints
    /// the run's counts and per-record errors as JSON. Run it again to update.
    Oruk {
        /// The feed's base URL (the one answering `/services`).
        base_url: String,
        /// Put every service under this organisation instead of the ones the feed names.
        #[arg(long)]
        organization_id: Option<uuid::Uuid>,
        #[command(flatten)]
        feed: FeedArgs,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import an organisation's assets from the CSV template (docs/oruk.md); prints the run's
    /// counts and per-row errors as JSON. Rows missing from a later file are archived.
    Csv {
        file: std::path::PathBuf,
        #[arg(long)]
        organization_id: uuid::Uuid,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Clone, Args)]
pub struct FeedArgs {
    /// Longest wait for one response, in seconds.
    #[arg(long, default_value_t = 30)]
    pub timeout_secs: u64,
    /// Further tries after a 5xx, a timeout or a dropped connection (with doubling waits).
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Shortest time between two requests, in milliseconds (be polite to the source).
    #[arg(long, default_value_t = 100)]
    pub page_delay_ms: u64,
    /// Services to ask for per page.
    #[arg(long, default_value_t = 100)]
    pub per_page: u32,
}

impl FeedArgs {
    pub fn options(&self) -> crate::import::feed::FeedOptions {
        crate::import::feed::FeedOptions {
            timeout: std::time::Duration::from_secs(self.timeout_secs),
            retries: self.retries,
            backoff: std::time::Duration::from_millis(500),
            min_interval: std::time::Duration::from_millis(self.page_delay_ms),
            per_page: self.per_page,
            // The command line is run by whoever runs the server: a feed inside its own
            // network is theirs to read. Imports over HTTP never may.
            allow_private: true,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Start (initialising if needed) and print a DATABASE_URL for the database.
    Start {
        #[command(flatten)]
        cluster: ClusterArgs,
        /// Database to create if missing and print the URL of.
        #[arg(long, default_value = "postgres")]
        database: String,
        /// Trade durability for speed (fsync off): for throwaway test clusters only.
        #[arg(long)]
        ephemeral: bool,
    },
    /// Stop the cluster.
    Stop {
        #[command(flatten)]
        cluster: ClusterArgs,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ClusterArgs {
    /// Directory for the private PostgreSQL cluster used when DATABASE_URL is unset.
    #[arg(long, env = "CA_DATA_DIR", default_value = ".data")]
    pub data_dir: PathBuf,
    /// Port of the private cluster (it listens on 127.0.0.1 only).
    #[arg(long, env = "CA_PG_PORT", default_value_t = 54329)]
    pub pg_port: u16,
}

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// PostgreSQL URL (with PostGIS available). Unset: run a private cluster under --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "CA_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Load the demo directory when the database has no assets.
    #[arg(long, env = "CA_DEMO_DATA", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo_data: bool,
    /// Database connections per process.
    #[arg(long, env = "CA_POOL_SIZE", default_value_t = 10)]
    pub pool_size: usize,
    /// Largest accepted request body in bytes.
    #[arg(long, env = "CA_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Largest accepted total size of a request's headers in bytes (431 beyond it).
    #[arg(long, env = "CA_MAX_HEADER_BYTES", default_value_t = 16 * 1024)]
    pub max_header_bytes: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "CA_WORKERS")]
    pub workers: Option<usize>,
    /// Map tiles for the page at `/`: a `{z}/{x}/{y}` URL template. The default is
    /// OpenStreetMap's, whose tile usage policy asks heavy users to run or rent their own; an
    /// empty value shows the map without tiles (markers on a blank background).
    #[arg(long, env = "CA_MAP_TILES", default_value = crate::page::OSM_TILES)]
    pub map_tiles: String,
    /// The credit the tiles' licence asks for, shown on the map.
    #[arg(long, env = "CA_MAP_ATTRIBUTION", default_value = crate::page::OSM_ATTRIBUTION)]
    pub map_attribution: String,
    /// How many map tiles (`/v1/map/tiles/…`) each process keeps built, a few KB each; 0
    /// builds every tile for its request.
    #[arg(long, env = "CA_MAP_TILE_CACHE", default_value_t = crate::services::map::DEFAULT_CAPACITY)]
    pub map_tile_cache: usize,
    /// Base URL of a postcodes.io-compatible geocoder, asked only about full postcodes the
    /// offline table cannot place exactly (unset: offline only).
    #[arg(long, env = "CA_GEOCODER_URL")]
    pub geocoder_url: Option<String>,
    /// How long to wait for the online geocoder before using the offline answer.
    #[arg(long, env = "CA_GEOCODER_TIMEOUT_MS", default_value_t = 1500)]
    pub geocoder_timeout_ms: u64,
    /// Read replicas (streaming standbys of DATABASE_URL), comma-separated: searches, matches
    /// and the ORUK feed read from them; writes and everything else use the primary.
    #[arg(
        long,
        env = "DATABASE_REPLICA_URLS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub replica_urls: Vec<String>,
    /// Requests per minute per client IP for requests without an API key (0: no limit).
    #[arg(long, env = "CA_RATE_LIMIT_PER_IP", default_value_t = 300)]
    pub rate_limit_per_ip: u32,
    /// Requests per minute per API key (0: no limit).
    #[arg(long, env = "CA_RATE_LIMIT_PER_KEY", default_value_t = 1200)]
    pub rate_limit_per_key: u32,
    /// Take the client IP for rate limits from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "CA_TRUST_FORWARDED_FOR", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_forwarded_for: bool,
    /// Browser origins allowed to call the API (CORS), comma-separated, e.g.
    /// https://app.example.org. The ORUK feed allows any origin.
    #[arg(long, env = "CA_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Days after its last confirmation that a listing is due for confirmation.
    #[arg(long, env = "CA_FRESHNESS_DUE_DAYS", default_value_t = 182)]
    pub freshness_due_days: u32,
    /// Days after its last confirmation that a listing is stale (ranked lower in matching).
    #[arg(long, env = "CA_FRESHNESS_STALE_DAYS", default_value_t = 365)]
    pub freshness_stale_days: u32,
    /// Days after its last confirmation that a listing is left out of default searches
    /// (`include_stale=true` still finds it; nothing is deleted).
    #[arg(long, env = "CA_HIDE_STALE_AFTER_DAYS", default_value_t = 548)]
    pub hide_stale_after_days: u32,
    /// A bearer token /metrics asks for (at least 16 characters), for platforms where the
    /// metrics cannot be kept on a private network. Unset leaves /metrics open.
    #[arg(long, env = "CA_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Serve `/metrics` without a token when listening beyond loopback (only on a private
    /// network); without this or CA_METRICS_TOKEN, such a server answers 403 there.
    #[arg(long, env = "CA_METRICS_OPEN", default_value_t = false, action = clap::ArgAction::Set)]
    pub metrics_open: bool,
    /// Longest a request may take before it is abandoned with a 503, in seconds.
    #[arg(long, env = "CA_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Longest a statement waits for a row another request has locked, in milliseconds (then
    /// 503 with Retry-After); also how long a write waits for its share of the connections.
    #[arg(long, env = "CA_LOCK_TIMEOUT_MS", default_value_t = 5000)]
    pub lock_timeout_ms: u64,
    /// Longest one statement may run, in milliseconds; below the request timeout.
    #[arg(long, env = "CA_STATEMENT_TIMEOUT_MS", default_value_t = 25000)]
    pub statement_timeout_ms: u64,
    /// Webhook deliveries in flight at once in this process (0: this process sends none).
    #[arg(long, env = "CA_WEBHOOK_CONCURRENCY", default_value_t = 16)]
    pub webhook_concurrency: usize,
    /// How often an idle process looks for changes to send and retries that are due, in ms.
    #[arg(long, env = "CA_WEBHOOK_POLL_MS", default_value_t = 1000)]
    pub webhook_poll_ms: u64,
    /// Longest wait for a webhook receiver's answer, in seconds.
    #[arg(long, env = "CA_WEBHOOK_TIMEOUT_SECS", default_value_t = 10)]
    pub webhook_timeout_secs: u64,
    /// The wait before the first retry of a failed delivery, in seconds; it doubles per retry.
    #[arg(long, env = "CA_WEBHOOK_RETRY_BASE_SECS", default_value_t = 30.0)]
    pub webhook_retry_base_secs: f64,
    /// The longest wait between two attempts, in seconds.
    #[arg(long, env = "CA_WEBHOOK_RETRY_CAP_SECS", default_value_t = 3600.0)]
    pub webhook_retry_cap_secs: f64,
    /// Attempts per delivery, the first included, before it has failed.
    #[arg(long, env = "CA_WEBHOOK_MAX_ATTEMPTS", default_value_t = 12)]
    pub webhook_max_attempts: u32,
    /// Pause a subscriber after this many failed attempts in a row…
    #[arg(long, env = "CA_WEBHOOK_PAUSE_AFTER_FAILURES", default_value_t = 20)]
    pub webhook_pause_after_failures: u32,
    /// …that have gone on for at least this many seconds.
    #[arg(long, env = "CA_WEBHOOK_PAUSE_AFTER_SECS", default_value_t = 86400)]
    pub webhook_pause_after_secs: u64,
    /// Pause a subscriber after this many failed attempts in a row, however quickly they came.
    #[arg(long, env = "CA_WEBHOOK_PAUSE_AT_FAILURES", default_value_t = 100)]
    pub webhook_pause_at_failures: u32,
    /// Allow webhook URLs over plain http and to loopback or private addresses (development
    /// only: it lets a subscriber make this server call inside its network).
    #[arg(long, env = "CA_WEBHOOK_ALLOW_PRIVATE_URLS", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhook_allow_private_urls: bool,
    /// Allow imports started over HTTP from feeds on loopback or private addresses
    /// (development only; the `import` command may always).
    #[arg(long, env = "CA_IMPORT_ALLOW_PRIVATE_URLS", default_value_t = false, action = clap::ArgAction::Set)]
    pub import_allow_private_urls: bool,
    /// Whether this process harvests the registered OpenActive feeds (any number of processes
    /// may: they take feeds in turn).
    #[arg(long, env = "CA_HARVEST", default_value_t = true, action = clap::ArgAction::Set)]
    pub harvest: bool,
    /// How long a process holds a feed while it reads a page, in seconds; another process
    /// takes the feed over (from the same page) when the holder dies.
    #[arg(long, env = "CA_HARVEST_LEASE_SECS", default_value_t = 120)]
    pub harvest_lease_secs: u64,
    /// The wait before reading a failing feed again, in seconds; it doubles per failure, up
    /// to the feed's polling interval.
    #[arg(long, env = "CA_HARVEST_RETRY_BASE_SECS", default_value_t = 60)]
    pub harvest_retry_base_secs: u64,
    /// How often an idle harvester looks for a due feed, in milliseconds.
    #[arg(long, env = "CA_HARVEST_IDLE_MS", default_value_t = 5000)]
    pub harvest_idle_ms: u64,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "CA_LOG_JSON", default_value_t = false, action = clap::ArgAction::Set)]
    pub log_json: bool,
}
