use std::net::TcpListener;

use anyhow::Context;
use clap::Parser;
use community_assets::auth::Role;
use community_assets::config::{
    Cli, ClusterCommand, Command, ImportCommand, KeysCommand, ServeArgs,
};
use community_assets::domain::audit::Actor;
use community_assets::domain::freshness::FreshnessPolicy;
use community_assets::local_cluster::LocalCluster;
use community_assets::{bench, bootstrap, db, openapi, seed, services, startup, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let json_logs = matches!(
        &cli.command,
        Command::Serve(ServeArgs { log_json: true, .. })
    );
    telemetry::init(json_logs);
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => {
            bootstrap::open(&args).await?.shutdown();
            eprintln!("database migrated and vocabulary loaded");
            Ok(())
        }
        Command::Seed(args) => {
            let database = bootstrap::open(&args).await?;
            let result = async {
                let mut conn = db::connect::establish(&database.url).await?;
                seed::load_demo(&mut conn).await
            }
            .await;
            database.shutdown();
            let counts = result?;
            eprintln!(
                "loaded {} organisations, {} venues and {} assets",
                counts.organizations, counts.venues, counts.assets
            );
            Ok(())
        }
        Command::Keys(KeysCommand::Create {
            role,
            name,
            organization_id,
            db,
        }) => {
            let role = Role::parse(&role).context("unknown role")?;
            let database = bootstrap::open(&db).await?;
            let result = async {
                let mut conn = db::connect::establish(&database.url).await?;
                services::api_keys::insert(
                    &mut conn,
                    &Actor::command_line(),
                    &name,
                    role,
                    organization_id,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}: {:?}", e.problem()))
            }
            .await;
            database.shutdown();
            let (row, secret) = result?;
            eprintln!("created {} key {} ({})", row.role, row.id, row.name);
            println!("{secret}");
            Ok(())
        }
        Command::Import(command) => import(command).await,
        Command::Export { output, db } => {
            let database = bootstrap::open(&db).await?;
            let result = async {
                let mut conn = db::connect::establish(&database.url).await?;
                community_assets::backup::export(&mut conn).await
            }
            .await;
            database.shutdown();
            let text = serde_json::to_string_pretty(&result?)?;
            if output == "-" {
                println!("{text}");
            } else {
                std::fs::write(&output, text + "\n")
                    .with_context(|| format!("writing {output}"))?;
                eprintln!("wrote {output}");
            }
            Ok(())
        }
        Command::Restore { file, db } => {
            let text = if file == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?
            };
            let document: serde_json::Value =
                serde_json::from_str(&text).context("the export is not JSON")?;
            let database = bootstrap::open(&db).await?;
            let result = async {
                let mut conn = db::connect::establish(&database.url).await?;
                community_assets::backup::restore(&mut conn, &document).await
            }
            .await;
            database.shutdown();
            for (table, rows) in result? {
                println!("{table}: {rows}");
            }
            Ok(())
        }
        Command::Openapi { output } => {
            let text = openapi::to_json();
            if output == "-" {
                print!("{text}");
            } else {
                std::fs::write(&output, text).with_context(|| format!("writing {output}"))?;
                eprintln!("wrote {output}");
            }
            Ok(())
        }
        Command::ExplainSearch { query, db } => {
            let database = bootstrap::open(&db).await?;
            let result = bench::explain(&database.url, &query).await;
            database.shutdown();
            println!("{}", result?.join("\n"));
            Ok(())
        }
        Command::BenchHarvest {
            series,
            sessions_each,
            db,
        } => {
            let database = bootstrap::open(&db).await?;
            let result = bench::harvest::run(&database.url, series, sessions_each).await;
            database.shutdown();
            let r = result?;
            println!("| phase | items | seconds | items/s | listings written |");
            println!("|---|---:|---:|---:|---:|");
            for p in &r.phases {
                println!(
                    "| {} | {} | {:.1} | {:.0} | {} |",
                    p.name,
                    p.items,
                    p.seconds,
                    p.items as f64 / p.seconds.max(1e-9),
                    p.listings_written
                );
            }
            println!(
                "\nlistings: {}; memory: {:.0} MiB before harvesting (the publisher's feed), {:.0} MiB peak; database {:.0} MiB, of which openactive_items {:.0} MiB",
                r.listings, r.rss_before_mib, r.peak_rss_mib, r.database_mib, r.items_table_mib
            );
            Ok(())
        }
        Command::BenchMatch {
            requests,
            clients,
            seconds,
            explain,
            db,
        } => {
            let database = bootstrap::open(&db).await?;
            let result = match explain {
                Some(line) => bench::explain_match(&database.url, &requests, line)
                    .await
                    .map(|plan| plan.join("\n")),
                None => bench::match_throughput(&database.url, &requests, clients, seconds)
                    .await
                    .map(|f| {
                        format!(
                            "raw: {:.1} req/s p50 {:.3} ms p99 {:.3} ms rows {}",
                            f.per_second, f.p50_ms, f.p99_ms, f.rows
                        )
                    }),
            };
            database.shutdown();
            println!("{}", result?);
            Ok(())
        }
        Command::BenchPhrases {
            phrases,
            rounds,
            db,
        } => {
            let database = bootstrap::open(&db).await?;
            let result = bench::phrases(&database.url, &phrases, usize::from(rounds)).await;
            database.shutdown();
            println!("{}", result?);
            Ok(())
        }
        Command::BenchViewports {
            base,
            tiles,
            clients,
            seconds,
        } => {
            let paths: Vec<String> = std::fs::read_to_string(&tiles)?
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
            let v =
                bench::viewports::run(base.trim_end_matches('/'), paths, clients, seconds).await?;
            println!(
                "viewports: {:.1}/s p50 {:.1} ms p99 {:.1} ms tiles {} bytes {}",
                v.per_second, v.p50_ms, v.p99_ms, v.tiles, v.bytes
            );
            Ok(())
        }
        Command::BenchSearch {
            query,
            clients,
            seconds,
            db,
        } => {
            let database = bootstrap::open(&db).await?;
            let result = bench::raw_throughput(&database.url, &query, clients, seconds).await;
            database.shutdown();
            let f = result?;
            println!(
                "raw: {:.1} req/s p50 {:.3} ms p99 {:.3} ms rows {}",
                f.per_second, f.p50_ms, f.p99_ms, f.rows
            );
            Ok(())
        }
        Command::Cluster(ClusterCommand::Start {
            cluster,
            database,
            ephemeral,
        }) => {
            let local = LocalCluster::prepare(&cluster.data_dir, cluster.pg_port)?;
            local.start(ephemeral)?;
            bootstrap::ensure_database(&local.url("postgres"), &database).await?;
            println!("{}", local.url(&database));
            Ok(())
        }
        Command::Cluster(ClusterCommand::Stop { cluster }) => {
            LocalCluster::prepare(&cluster.data_dir, cluster.pg_port)?.stop()
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let metrics_token = args
        .metrics_token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    if metrics_token
        .as_ref()
        .is_some_and(|t| t.chars().count() < 16)
    {
        anyhow::bail!(
            "CA_METRICS_TOKEN must be at least 16 characters (e.g. openssl rand -hex 24)"
        );
    }
    let freshness = FreshnessPolicy::new(
        args.freshness_due_days,
        args.freshness_stale_days,
        args.hide_stale_after_days,
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "CA_FRESHNESS_DUE_DAYS, CA_FRESHNESS_STALE_DAYS, CA_HIDE_STALE_AFTER_DAYS: {e}"
        )
    })?;
    let db_limits = session_limits(&args)?;
    let database = bootstrap::open(&args.db).await?;
    let result = async {
        if args.demo_data {
            let mut conn = db::connect::establish(&database.url).await?;
            let counts = seed::load_demo(&mut conn).await?;
            if counts.assets > 0 {
                tracing::info!(?counts, "loaded the demo directory");
            }
        }
        let pool = db::pool_with(&database.url, args.pool_size, db_limits)?;
        {
            let mut conn = db::connect::establish(&database.url).await?;
            let interrupted = db::imports::fail_interrupted(&mut conn).await?;
            if interrupted > 0 {
                tracing::warn!(
                    interrupted,
                    "marked imports left unfinished by a stopped process as failed"
                );
            }
        }
        let listener =
            TcpListener::bind(&args.bind).with_context(|| format!("binding {}", args.bind))?;
        tracing::info!(address = %args.bind, "serving; the page at /, API docs at /docs/");
        // For the person who started it: where to point a browser (stderr: stdout stays for
        // what other programs read; JSON logs stay all JSON).
        if !args.log_json {
            let shown = args.bind.replace("0.0.0.0:", "127.0.0.1:");
            eprintln!(
                "open http://{shown}/ for the page, http://{shown}/docs/ for the API reference"
            );
        }
        let settings = startup::Settings {
            max_body_bytes: args.max_body_bytes,
            workers: args.workers,
            map: community_assets::page::MapSettings {
                tiles: Some(args.map_tiles.trim().to_string()).filter(|t| !t.is_empty()),
                attribution: args.map_attribution.clone(),
            },
            map_tile_cache: args.map_tile_cache,
            geocoder_url: args.geocoder_url.clone(),
            geocoder_timeout: std::time::Duration::from_millis(args.geocoder_timeout_ms),
            feed: community_assets::import::feed::FeedOptions {
                allow_private: args.import_allow_private_urls,
                ..Default::default()
            },
            rate_limits: community_assets::middleware::rate_limit::RateLimitSettings {
                per_ip: args.rate_limit_per_ip,
                per_key: args.rate_limit_per_key,
                trust_forwarded_for: args.trust_forwarded_for,
            },
            cors_origins: args.cors_origins.clone(),
            request_timeout: std::time::Duration::from_secs(args.request_timeout_secs),
            max_header_bytes: args.max_header_bytes,
            replica_urls: args.replica_urls.clone(),
            replica_pool_size: args.pool_size,
            metrics_token: metrics_token.clone(),
            metrics_open_without_token: args.metrics_open || listens_on_loopback_only(&args.bind),
            freshness,
            webhooks: webhook_settings(&args)?,
            harvest: services::harvest::HarvestSettings {
                enabled: args.harvest,
                lease: std::time::Duration::from_secs(args.harvest_lease_secs.max(1)),
                retry_base: std::time::Duration::from_secs(args.harvest_retry_base_secs.max(1)),
                idle: std::time::Duration::from_millis(args.harvest_idle_ms.max(10)),
                ..Default::default()
            },
            db_limits,
        };
        // Stops on SIGTERM or Ctrl-C once the requests in flight are answered (30 s at most).
        startup::run(listener, pool, settings)?.await?;
        let unfinished = services::imports::running_here();
        if !unfinished.is_empty() {
            let mut conn = db::connect::establish(&database.url).await?;
            let marked = db::imports::fail_stopped(&mut conn, &unfinished).await?;
            tracing::warn!(
                marked,
                "marked the imports this process was running as failed"
            );
        }
        anyhow::Ok(())
    }
    .await;
    database.shutdown();
    result
}

/// Whether every address `bind` names is a loopback one: then nobody outside the machine can
/// reach the service, metrics included.
fn listens_on_loopback_only(bind: &str) -> bool {
    use std::net::ToSocketAddrs;
    bind.to_socket_addrs()
        .map(|addrs| {
            let addrs: Vec<_> = addrs.collect();
            !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())
        })
        .unwrap_or(false)
}

/// The statement limits, checked against the request timeout: a statement must give up (and
/// give its connection back) before the request it serves is abandoned.
fn session_limits(args: &ServeArgs) -> anyhow::Result<db::SessionLimits> {
    use std::time::Duration;
    let request = Duration::from_secs(args.request_timeout_secs);
    let limits = db::SessionLimits {
        lock_timeout: Duration::from_millis(args.lock_timeout_ms),
        statement_timeout: Duration::from_millis(args.statement_timeout_ms),
    };
    if limits.lock_timeout.is_zero() || limits.statement_timeout.is_zero() {
        anyhow::bail!("CA_LOCK_TIMEOUT_MS and CA_STATEMENT_TIMEOUT_MS must be positive");
    }
    if limits.statement_timeout >= request || limits.lock_timeout > limits.statement_timeout {
        anyhow::bail!(
            "CA_LOCK_TIMEOUT_MS ({} ms) must not exceed CA_STATEMENT_TIMEOUT_MS ({} ms), which \
             must be below CA_REQUEST_TIMEOUT_SECS ({} s)",
            args.lock_timeout_ms,
            args.statement_timeout_ms,
            args.request_timeout_secs
        );
    }
    Ok(limits)
}

fn webhook_settings(
    args: &ServeArgs,
) -> anyhow::Result<community_assets::webhooks::WebhookSettings> {
    use community_assets::domain::webhooks::{PausePolicy, RetryPolicy};
    use std::time::Duration;
    let secs = |name: &str, value: f64| {
        Duration::try_from_secs_f64(value)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| anyhow::anyhow!("{name} must be a positive number of seconds"))
    };
    if args.webhook_max_attempts == 0 {
        anyhow::bail!("CA_WEBHOOK_MAX_ATTEMPTS must be at least 1");
    }
    Ok(community_assets::webhooks::WebhookSettings {
        concurrency: args.webhook_concurrency,
        poll: Duration::from_millis(args.webhook_poll_ms.max(10)),
        timeout: Duration::from_secs(args.webhook_timeout_secs.max(1)),
        retry: RetryPolicy {
            base: secs("CA_WEBHOOK_RETRY_BASE_SECS", args.webhook_retry_base_secs)?,
            cap: secs("CA_WEBHOOK_RETRY_CAP_SECS", args.webhook_retry_cap_secs)?,
            max_attempts: args.webhook_max_attempts,
        },
        pause: PausePolicy {
            after_failures: args.webhook_pause_after_failures.max(1),
            after: Duration::from_secs(args.webhook_pause_after_secs),
            at_failures: args.webhook_pause_at_failures.max(1),
        },
        allow_private: args.webhook_allow_private_urls,
        keep_days: 30,
    })
}

/// Runs an import in this process and prints its report; fails when the run failed.
async fn import(command: ImportCommand) -> anyhow::Result<()> {
    use community_assets::api::imports::ImportView;
    use community_assets::geocoder::Geocoder;
    use community_assets::services::imports::{self, Target};
    let (db_args, organization_id) = match &command {
        ImportCommand::Oruk {
            db,
            organization_id,
            ..
        } => (db.clone(), *organization_id),
        ImportCommand::Csv {
            db,
            organization_id,
            ..
        } => (db.clone(), Some(*organization_id)),
    };
    let database = bootstrap::open(&db_args).await?;
    let result = async {
        let pool = db::pool(&database.url, 2)?;
        let geocoder = Geocoder::offline();
        let problem =
            |e: community_assets::error::ApiError| anyhow::anyhow!("{e}: {:?}", e.problem());
        let row = match &command {
            ImportCommand::Oruk { base_url, feed, .. } => {
                let target = Target {
                    source: imports::feed_source(base_url),
                    organization_id,
                };
                let queued = imports::create(&pool, &Actor::command_line(), "oruk", &target)
                    .await
                    .map_err(problem)?;
                imports::run_feed(&pool, &geocoder, &queued, feed.options())
                    .await
                    .map_err(problem)?
            }
            ImportCommand::Csv {
                file,
                organization_id,
                ..
            } => {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("reading {}", file.display()))?;
                let target = Target {
                    source: imports::csv_source(*organization_id),
                    organization_id: Some(*organization_id),
                };
                let queued = imports::create(&pool, &Actor::command_line(), "csv", &target)
                    .await
                    .map_err(problem)?;
                imports::run_csv(&pool, &geocoder, &queued, &text)
                    .await
                    .map_err(problem)?
            }
        };
        anyhow::Ok(ImportView::from(row))
    }
    .await;
    database.shutdown();
    let view = result?;
    println!("{}", serde_json::to_string_pretty(&view)?);
    if view.status != "succeeded" {
        anyhow::bail!("the import failed: {}", view.error.unwrap_or_default());
    }
    Ok(())
}
