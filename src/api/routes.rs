//! Which methods each path answers, read from the OpenAPI document, so that a request with the
//! wrong method on a real path gets `405 Method Not Allowed` with an `Allow` header rather than
//! a 404 that suggests the path does not exist.

use utoipa::openapi::OpenApi;

/// One path template, e.g. `/v1/assets/{id}`, and the methods it answers.
#[derive(Debug, Clone, PartialEq)]
struct Route {
    segments: Vec<Option<String>>,
    methods: Vec<&'static str>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routes(Vec<Route>);

fn segments(template: &str) -> Vec<Option<String>> {
    template
        .trim_matches('/')
        .split('/')
        .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_string()))
        .collect()
}

impl Routes {
    /// The documented operations, plus the document and the reference pages themselves.
    pub fn from_document(doc: &OpenApi) -> Self {
        let mut routes: Vec<Route> = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let mut methods = Vec::new();
                for (name, present) in [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ] {
                    if present {
                        methods.push(name);
                    }
                }
                Route {
                    segments: segments(template),
                    methods,
                }
            })
            .collect();
        for path in ["/openapi.json", "/docs", "/oruk/openapi.json"] {
            routes.push(Route {
                segments: segments(path),
                methods: vec!["GET"],
            });
        }
        Routes(routes)
    }

    /// The methods the path answers, as an `Allow` header value; `None` when no route has this
    /// shape.
    pub fn allowed(&self, path: &str) -> Option<String> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let matching: Vec<&Route> = self
            .0
            .iter()
            .filter(|r| {
                r.segments.len() == parts.len()
                    && r.segments
                        .iter()
                        .zip(&parts)
                        .all(|(s, p)| s.as_deref().is_none_or(|lit| lit == *p) && !p.is_empty())
            })
            .collect();
        // A literal segment beats a parameter, as in the router: a path with a route of its own
        // is not another route's `{id}`.
        let literals = |r: &Route| r.segments.iter().filter(|s| s.is_some()).count();
        let most = matching.iter().map(|r| literals(r)).max()?;
        let mut methods: Vec<&str> = matching
            .into_iter()
            .filter(|r| literals(r) == most)
            .flat_map(|r| r.methods.iter().copied())
            .collect();
        if methods.is_empty() {
            return None;
        }
        methods.sort_unstable();
        methods.dedup();
        Some(methods.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_route_is_not_another_routes_parameter() {
        let routes = Routes(vec![
            Route {
                segments: segments("/v1/things/{id}"),
                methods: vec!["DELETE"],
            },
            Route {
                segments: segments("/v1/things/mine"),
                methods: vec!["GET"],
            },
        ]);
        assert_eq!(routes.allowed("/v1/things/mine").as_deref(), Some("GET"));
        assert_eq!(routes.allowed("/v1/things/42").as_deref(), Some("DELETE"));
    }

    #[test]
    fn paths_are_matched_by_shape() {
        let routes = Routes::from_document(&crate::openapi::document());
        assert_eq!(routes.allowed("/v1/assets").as_deref(), Some("GET, POST"));
        assert_eq!(
            routes
                .allowed("/v1/assets/0e6f7a52-5b7c-4d8e-9f10-1a2b3c4d5e6f")
                .as_deref(),
            Some("DELETE, GET, PUT")
        );
        assert_eq!(routes.allowed("/v1/match").as_deref(), Some("POST"));
        assert_eq!(
            routes
                .allowed("/v1/api-keys/0e6f7a52-5b7c-4d8e-9f10-1a2b3c4d5e6f")
                .as_deref(),
            Some("DELETE")
        );
        assert_eq!(routes.allowed("/healthz").as_deref(), Some("GET"));
        assert_eq!(routes.allowed("/v1/nothing"), None);
        assert_eq!(routes.allowed("/v1/assets//confirm"), None);
    }
}
