//! `bench-harvest`: the OpenActive harvester against a made-up publisher of a given size, from
//! empty, then an update pass, then a re-read of the whole feed with nothing changed. The
//! publisher is served on 127.0.0.1 by this process (so its memory is measured before the
//! harvest starts); the harvester runs the same turns as a serving process.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;

use crate::db::{self, DbPool};
use crate::domain::source::SourceInput;
use crate::geocoder::Geocoder;
use crate::import::feed::FeedOptions;
use crate::openactive::synthetic::{self, Feed};
use crate::services::harvest::{self, HarvestSettings};
use crate::services::sources;

const PAGE_SIZE: usize = 500;

struct Publisher {
    series: RwLock<Feed>,
    sessions: RwLock<Feed>,
}

async fn page(req: HttpRequest, publisher: web::Data<Arc<Publisher>>) -> HttpResponse {
    let base = format!("http://{}{}", req.connection_info().host(), req.path());
    let feed = match req.path() {
        "/session-series" => publisher.series.read(),
        "/scheduled-sessions" => publisher.sessions.read(),
        _ => return HttpResponse::NotFound().finish(),
    };
    let Ok(feed) = feed else {
        return HttpResponse::InternalServerError().finish();
    };
    HttpResponse::Ok().json(feed.answer(&base, req.query_string(), PAGE_SIZE))
}

fn serve(publisher: Arc<Publisher>) -> anyhow::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the publisher");
        runtime.block_on(async move {
            let data = web::Data::new(publisher);
            let server = HttpServer::new(move || {
                App::new()
                    .app_data(data.clone())
                    .default_service(web::to(page))
            })
            .workers(1)
            .listen(listener)
            .expect("listening")
            .run();
            let _ = server.await;
        })
    });
    Ok(format!("http://127.0.0.1:{port}"))
}

/// Peak and current resident memory of this process, in MiB.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn scalar(pool: &DbPool, sql: &str) -> anyhow::Result<i64> {
    let mut conn = db::connect(pool).await?;
    let row: Count = diesel::sql_query(sql).get_result(&mut conn).await?;
    Ok(row.n)
}

/// Runs harvester turns until every feed of the source has reached its end.
async fn harvest_until_caught_up(
    pool: &DbPool,
    geocoder: &Geocoder,
    options: &FeedOptions,
    settings: &HarvestSettings,
    source: uuid::Uuid,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    loop {
        let did = harvest::turn(pool, geocoder, options, settings).await?;
        let mut conn = db::connect(pool).await?;
        let feeds = db::openactive::feeds_of(&mut conn, &[source]).await?;
        if let Some(failing) = feeds.iter().find(|f| f.last_error.is_some()) {
            anyhow::bail!("the feed failed: {:?}", failing.last_error);
        }
        if feeds.iter().all(|f| f.at_end) {
            return Ok(started.elapsed());
        }
        if !did {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// One phase's figures.
pub struct Phase {
    pub name: &'static str,
    pub items: usize,
    pub seconds: f64,
    pub listings_written: i64,
}

pub struct Report {
    pub phases: Vec<Phase>,
    pub listings: i64,
    pub rss_before_mib: f64,
    pub peak_rss_mib: f64,
    pub database_mib: f64,
    pub items_table_mib: f64,
}

pub async fn run(
    database_url: &str,
    series: usize,
    sessions_each: usize,
) -> anyhow::Result<Report> {
    let today = chrono::Utc::now().date_naive();
    let (parents, children) = synthetic::publisher(20261206, series, sessions_each, today);
    let publisher = Arc::new(Publisher {
        series: RwLock::new(parents),
        sessions: RwLock::new(children),
    });
    let base = serve(publisher.clone())?;
    let pool = db::pool_with(database_url, 4, Default::default())?;
    let geocoder = Geocoder::offline();
    let options = FeedOptions {
        allow_private: true,
        min_interval: Duration::ZERO,
        timeout: Duration::from_secs(60),
        ..Default::default()
    };
    let settings = HarvestSettings {
        pages_per_turn: 1000,
        ..Default::default()
    };
    let (source, _) = sources::create(
        &pool,
        &SourceInput {
            name: "Benchmark publisher".into(),
            feeds: vec![
                format!("{base}/session-series"),
                format!("{base}/scheduled-sessions"),
            ],
            organization_id: None,
            licence: "https://creativecommons.org/licenses/by/4.0/".into(),
            attribution: "Made-up benchmark data".into(),
            attribution_url: None,
            poll_interval_secs: Some(3600),
            enabled: Some(true),
        },
        &options,
    )
    .await?;
    let written = || {
        scalar(
            &pool,
            "SELECT count(*) AS n FROM audit_events WHERE entity_type = 'asset'",
        )
    };
    let total = series * (1 + sessions_each);
    let (_, rss_before_mib) = memory_mib();
    let mut phases = Vec::new();

    let before = written().await?;
    let took = harvest_until_caught_up(&pool, &geocoder, &options, &settings, source.id).await?;
    phases.push(Phase {
        name: "from empty",
        items: total,
        seconds: took.as_secs_f64(),
        listings_written: written().await? - before,
    });
    let listings = scalar(
        &pool,
        &format!(
            "SELECT count(*) AS n FROM assets WHERE source = '{}' AND status = 'published'",
            harvest::source_name(source.id)
        ),
    )
    .await?;

    // 1,000 changed (half series renamed, half sessions moved) and 500 deleted (half each).
    let (changed, deleted) = {
        let mut s = publisher
            .series
            .write()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        let mut c = publisher
            .sessions
            .write()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        let mut next = s.last_modified().max(c.last_modified()) + 1;
        let step = (s.items.len() / 750).max(1);
        let mut changed = 0;
        let mut deleted = 0;
        for (k, i) in (0..s.items.len()).step_by(step).take(750).enumerate() {
            if k < 500 {
                let mut data = s.items[i].data.clone();
                if let Some(d) = data.as_mut() {
                    d["name"] = serde_json::json!(format!(
                        "{} (new times)",
                        d["name"].as_str().unwrap_or("")
                    ));
                }
                s.touch(i, next, data);
                changed += 1;
            } else {
                s.touch(i, next, None);
                deleted += 1;
            }
            next += 1;
        }
        let step = (c.items.len() / 750).max(1);
        for (k, i) in (0..c.items.len()).step_by(step).take(750).enumerate() {
            if k < 500 {
                let mut data = c.items[i].data.clone();
                if let Some(d) = data.as_mut() {
                    d["maximumAttendeeCapacity"] = serde_json::json!(12);
                }
                c.touch(i, next, data);
                changed += 1;
            } else {
                c.touch(i, next, None);
                deleted += 1;
            }
            next += 1;
        }
        s.sort();
        c.sort();
        (changed, deleted)
    };
    {
        let mut conn = db::connect(&pool).await?;
        db::openactive::poll_now(&mut conn, source.id).await?;
    }
    let before = written().await?;
    let took = harvest_until_caught_up(&pool, &geocoder, &options, &settings, source.id).await?;
    phases.push(Phase {
        name: "update pass",
        items: changed + deleted,
        seconds: took.as_secs_f64(),
        listings_written: written().await? - before,
    });

    // The whole feed again from its first page, nothing changed: the cost of an unchanged item.
    {
        let mut conn = db::connect(&pool).await?;
        diesel::sql_query(
            "UPDATE openactive_feeds SET next_url = url, at_end = false, due_at = now() \
             WHERE source_id = $1",
        )
        .bind::<diesel::sql_types::Uuid, _>(source.id)
        .execute(&mut conn)
        .await?;
    }
    let before = written().await?;
    let took = harvest_until_caught_up(&pool, &geocoder, &options, &settings, source.id).await?;
    phases.push(Phase {
        name: "re-read, unchanged",
        items: total,
        seconds: took.as_secs_f64(),
        listings_written: written().await? - before,
    });

    let (peak_rss_mib, _) = memory_mib();
    let mib = |n: i64| n as f64 / (1024.0 * 1024.0);
    Ok(Report {
        phases,
        listings,
        rss_before_mib,
        peak_rss_mib,
        database_mib: mib(scalar(&pool, "SELECT pg_database_size(current_database()) AS n").await?),
        items_table_mib: mib(scalar(
            &pool,
            "SELECT pg_total_relation_size('openactive_items') AS n",
        )
        .await?),
    })
}
