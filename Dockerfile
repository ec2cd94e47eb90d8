# Multi-stage build: compile in the Rust image, run from a slim Debian with only the binary.
# The image needs a PostgreSQL + PostGIS server given by DATABASE_URL (see docker-compose.yml);
# the private cluster that `serve` starts without DATABASE_URL is for local use, not containers.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock diesel.toml ./
COPY src ./src
COPY migrations ./migrations
COPY seed-data ./seed-data
COPY openapi ./openapi
RUN cargo build --release --locked --bin community-assets

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin app
COPY --from=build /src/target/release/community-assets /usr/local/bin/community-assets
USER app
ENV CA_BIND=0.0.0.0:8080 \
    CA_LOG_JSON=true
EXPOSE 8080
ENTRYPOINT ["community-assets"]
CMD ["serve"]
