//! The page for link workers and small agencies at `/`: a client of the public API like any
//! team app, served by this binary with everything it needs (no CDN, so it works offline
//! behind an NHS proxy). The files live in `src/page/static` and are compiled into the binary;
//! debug builds read them from the source tree, so the page can be worked on without rebuilds.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "src/page/static/"]
struct Files;

/// What the page is told about its map: where tiles come from (a `{z}/{x}/{y}` URL template,
/// or none: markers still show on a blank background) and the credit the tiles' licence asks
/// for.
#[derive(Debug, Clone)]
pub struct MapSettings {
    pub tiles: Option<String>,
    pub attribution: String,
}

impl Default for MapSettings {
    fn default() -> Self {
        Self {
            tiles: Some(OSM_TILES.to_string()),
            attribution: OSM_ATTRIBUTION.to_string(),
        }
    }
}

pub const OSM_TILES: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";

/// The page's own Content-Security-Policy: scripts, styles and data from this service only,
/// images also from the tile server's origin. No inline script or style may run.
pub fn page_policy(map: &MapSettings) -> String {
    let tiles = map
        .tiles
        .as_deref()
        .and_then(tile_origin)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{tiles}; \
         connect-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self'"
    )
}

/// `https://tile.example.org` from a tile URL template; `None` when it is not an absolute
/// http(s) URL (a relative template is this service's own origin).
fn tile_origin(template: &str) -> Option<String> {
    let url = url::Url::parse(&template.replace(['{', '}'], "")).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The page with the map settings filled in, built once at start-up.
pub struct Page {
    html: web::Bytes,
    policy: HeaderValue,
}

impl Page {
    pub fn new(map: &MapSettings) -> anyhow::Result<Self> {
        let template = Files::get("index.html")
            .ok_or_else(|| anyhow::anyhow!("src/page/static/index.html is missing"))?;
        let html = String::from_utf8(template.data.into_owned())?
            .replace("{{tiles}}", &escape(map.tiles.as_deref().unwrap_or("")))
            .replace("{{attribution}}", &escape(&map.attribution));
        Ok(Self {
            html: web::Bytes::from(html),
            policy: HeaderValue::from_str(&page_policy(map))?,
        })
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "json" | "webmanifest" => "application/json",
        "txt" | "" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `GET /`: the page. Revalidated on every load (`no-cache`; `middleware::conditional` tags
/// it and answers 304), so a release's new page is picked up at once.
pub async fn index(page: web::Data<Page>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, page.policy.clone()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(page.html.clone())
}

/// `GET /ui/{file}`: the page's scripts, styles and images, revalidated like the page.
pub async fn file(page: web::Data<Page>, path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    // The raw template is not a file of the page: `/` serves it filled in.
    let found = if path == "index.html" {
        None
    } else {
        Files::get(&path)
    };
    let Some(found) = found else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such file");
    };
    HttpResponse::Ok()
        .content_type(content_type(&path))
        .insert_header((header::CONTENT_SECURITY_POLICY, page.policy.clone()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(found.data.into_owned())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/", web::head().to(index))
        .route("/ui/{path:.*}", web::get().to(file))
        .route("/ui/{path:.*}", web::head().to(file));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_lets_in_the_tile_server_and_nothing_else_from_outside() {
        let osm = page_policy(&MapSettings::default());
        assert!(osm.contains("img-src 'self' data: blob: https://tile.openstreetmap.org;"));
        assert!(osm.contains("script-src 'self';"));
        assert!(!osm.contains("unsafe-inline"));
        let none = page_policy(&MapSettings {
            tiles: None,
            attribution: String::new(),
        });
        assert!(none.contains("img-src 'self' data: blob:;"));
        assert_eq!(
            tile_origin("http://tiles.internal:8081/osm/{z}/{x}/{y}.png").as_deref(),
            Some("http://tiles.internal:8081")
        );
        assert_eq!(tile_origin("/tiles/{z}/{x}/{y}.png"), None);
    }

    #[test]
    fn settings_reach_the_page_escaped() {
        let page = Page::new(&MapSettings {
            tiles: Some("https://t.example/{z}/{x}/{y}.png?a=1&b=\"2\"".into()),
            attribution: "<b>Maps</b>".into(),
        })
        .unwrap();
        let html = std::str::from_utf8(&page.html).unwrap();
        assert!(html.contains("https://t.example/{z}/{x}/{y}.png?a=1&amp;b=&quot;2&quot;"));
        assert!(html.contains("&lt;b&gt;Maps&lt;/b&gt;"));
        assert!(!html.contains("{{tiles}}"));
    }

    #[test]
    fn every_file_the_page_loads_is_embedded() {
        for path in ["app.js", "app.css", "vendor/leaflet/leaflet.js"] {
            assert!(Files::get(path).is_some(), "{path}");
        }
    }
}
