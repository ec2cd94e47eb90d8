-- Fills a migrated, empty directory with :n synthetic published assets for benchmarks.
--
--   psql "$DATABASE_URL" -v n=100000 -v seed=0.42 -f benches/synthetic.sql    (from the repo root)
--
-- Needs: migrations applied and the interest vocabulary loaded (`community-assets migrate`), and
-- organizations, venues and assets empty. Deterministic for a given n and seed (setseed; UUIDs
-- are md5 of a name), apart from timestamps (now()).
--
-- What it makes:
--   * one trusted organisation per 1,000 assets ('Synthetic organisation N', source 'synthetic');
--   * one venue per asset at an outcode centroid of seed-data/postcodes/districts.csv, picked with
--     probability proportional to its postcode_count (so spread over Great Britain like the
--     population), jittered by up to ±0.012° latitude and ±0.02° longitude (~1.3 km);
--     ~5% mental_health_service venues (non_stigmatised false), the rest community centres,
--     libraries, sports centres, parks and colleges; each accessibility feature on ~40%;
--   * assets with 1–5 draws from 100 interest terms with Zipf weights rank^-0.93, which puts the
--     top term (football, when the vocabulary has it) on ~40% of assets. The 100 are 'football'
--     plus every 10th narrower term by slug, leaving out football's own narrower terms so that
--     `interest=football` matches exactly the assets tagged football;
--   * asset_interests, asset_sessions (~40% of assets, 1–2 weekly sessions) and the denormalised
--     search and matching columns, computed in bulk exactly as refresh_asset_search() would set
--     them (geom_bng is a generated column);
--   * confirmed_at: 20% never, the rest spread over the last two years; drop-in and meet-and-greet
--     stated on about half and 40% of assets.
--
-- Runs as one transaction: on any error nothing is left behind. The secondary indexes and foreign
-- keys of venues, assets, asset_interests and asset_sessions are dropped for the load and restored
-- from their own catalogue definitions afterwards, inside the same transaction (much faster than
-- maintaining GIN/GiST indexes and checking foreign keys row by row).

\set ON_ERROR_STOP on
\set QUIET on
\if :{?n}
\else
  \set n 100000
\endif
\if :{?seed}
\else
  \set seed 0.42
\endif

SET client_min_messages = warning;
-- random() must be called by one process in a fixed row order for the data to be reproducible.
SET max_parallel_workers_per_gather = 0;
SET synchronize_seqscans = off;
SET jit = off;
SET temp_buffers = '512MB';
SET work_mem = '256MB';
SET maintenance_work_mem = '1GB';

SELECT clock_timestamp() AS started \gset
SELECT set_config('synthetic.n', :'n', false), set_config('synthetic.seed', :'seed', false) \g /dev/null
DO $$
BEGIN
    IF current_setting('synthetic.n') !~ '^[0-9]+$' OR current_setting('synthetic.n')::bigint NOT BETWEEN 1 AND 10000000 THEN
        RAISE EXCEPTION 'synthetic.sql: n must be an integer between 1 and 10,000,000, not %', current_setting('synthetic.n');
    END IF;
    IF current_setting('synthetic.seed') !~ '^-?[0-9]*\.?[0-9]+$' OR abs(current_setting('synthetic.seed')::float8) > 1 THEN
        RAISE EXCEPTION 'synthetic.sql: seed must be a number between -1 and 1 (setseed), not %', current_setting('synthetic.seed');
    END IF;
END $$;
\echo synthetic.sql: n=:n seed=:seed

BEGIN;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM organizations) OR EXISTS (SELECT 1 FROM venues) OR EXISTS (SELECT 1 FROM assets) THEN
        RAISE EXCEPTION 'synthetic.sql expects empty organizations, venues and assets tables';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM interest_terms WHERE parent_id IS NOT NULL) THEN
        RAISE EXCEPTION 'the interest vocabulary is not loaded (run `community-assets migrate` first)';
    END IF;
END $$;

-- Sampling tables -----------------------------------------------------------------------------

CREATE TEMP TABLE syn_district (outcode text, latitude float8, longitude float8, postcode_count int) ON COMMIT DROP;
\copy syn_district FROM 'seed-data/postcodes/districts.csv' WITH (FORMAT csv, HEADER true)

-- Lower bounds of each district's share of [0, 1): width_bucket(random(), lower_bounds) is a
-- binary search giving district k with probability postcode_count_k / total.
CREATE TEMP TABLE syn_geo ON COMMIT DROP AS
SELECT array_agg(lower_bound ORDER BY outcode) AS lower_bounds,
       array_agg(latitude ORDER BY outcode) AS lats,
       array_agg(longitude ORDER BY outcode) AS lons,
       count(*) AS districts
FROM (
    SELECT outcode, latitude, longitude,
           (sum(postcode_count) OVER (ORDER BY outcode) - postcode_count)::float8
               / sum(postcode_count) OVER () AS lower_bound
    FROM syn_district
    WHERE postcode_count > 0 AND latitude IS NOT NULL AND longitude IS NOT NULL
) d;

-- The 100 interest terms by popularity rank (1 = most popular).
CREATE TEMP TABLE syn_term ON COMMIT DROP AS
WITH RECURSIVE football_family AS (
    SELECT t.id FROM interest_terms t WHERE t.slug = 'football'
    UNION
    SELECT t.id FROM interest_terms t JOIN football_family f ON t.parent_id = f.id
), narrower AS (
    SELECT t.*, row_number() OVER (ORDER BY t.slug) AS n
    FROM interest_terms t
    WHERE t.parent_id IS NOT NULL AND t.id NOT IN (SELECT id FROM football_family)
), chosen AS (
    SELECT id, slug, label, synonyms, 0 AS first FROM interest_terms WHERE slug = 'football' AND parent_id IS NOT NULL
    UNION ALL
    SELECT id, slug, label, synonyms, 1 FROM narrower WHERE n % 10 = 1
)
SELECT row_number() OVER (ORDER BY first, md5(slug)) AS rank, id, slug, label,
       label || ' ' || array_to_string(synonyms, ' ') AS words
FROM (SELECT * FROM chosen ORDER BY first, md5(slug) LIMIT 100) c;
ANALYZE syn_term;

CREATE TEMP TABLE syn_zipf ON COMMIT DROP AS
SELECT array_agg(lower_bound ORDER BY rank) AS lower_bounds
FROM (
    SELECT rank, (sum(w) OVER (ORDER BY rank) - w) / sum(w) OVER () AS lower_bound
    FROM (SELECT rank, power(rank::float8, -0.93::float8) AS w FROM syn_term) t
) z;

-- Per-asset draws ---------------------------------------------------------------------------------

SELECT setseed(:seed) \g /dev/null

-- The inner query draws the random numbers (OFFSET 0 keeps it from being merged into the outer
-- one, so each is drawn once per row); the outer one turns them into values.
CREATE TEMP TABLE syn ON COMMIT DROP AS
SELECT i,
       md5('synthetic:asset:' || i)::uuid AS asset_id,
       md5('synthetic:venue:' || i)::uuid AS venue_id,
       md5('synthetic:organization:' || ((i - 1) / 1000 + 1))::uuid AS organization_id,
       'Synthetic organisation ' || ((i - 1) / 1000 + 1) AS organization_name,
       g.lats[district] + (u_lat * 2 - 1) * 0.012 AS lat,
       g.lons[district] + (u_lon * 2 - 1) * 0.02 AS lon,
       CASE WHEN u_type < 0.05 THEN 'mental_health_service'
            ELSE (ARRAY['community_centre', 'library', 'sports_centre', 'park', 'college'])[1 + floor(u_type2 * 5)::int]
       END AS venue_type,
       u_type >= 0.05 AS non_stigmatised,
       array_remove(ARRAY[
           CASE WHEN u_a1 < 0.4 THEN 'step_free_access' END,
           CASE WHEN u_a2 < 0.4 THEN 'accessible_toilet' END,
           CASE WHEN u_a3 < 0.4 THEN 'hearing_loop' END,
           CASE WHEN u_a4 < 0.4 THEN 'quiet_space' END,
           CASE WHEN u_a5 < 0.4 THEN 'parking' END,
           CASE WHEN u_a6 < 0.4 THEN 'near_public_transport' END], NULL) AS accessibility,
       (ARRAY['group', 'volunteering', 'course', 'activity'])[1 + floor(u_kind * 4)::int] AS kind,
       1 + floor(u_draws * 5)::int AS draws,
       u_free < 0.7 AS cost_free,
       CASE WHEN u_free >= 0.7 THEN (10 + floor(u_cost * 71)::int) * 10 END AS cost_pence,
       CASE WHEN u_free >= 0.7 AND u_conc < 0.5 THEN (10 + floor(u_cost * 71)::int) * 5 END AS concession_pence,
       CASE WHEN u_age < 0.3 THEN 18 END::smallint AS min_age,
       array_remove(ARRAY[
           CASE WHEN ways & 1 > 0 THEN 'connect' END,
           CASE WHEN ways & 2 > 0 THEN 'be_active' END,
           CASE WHEN ways & 4 > 0 THEN 'take_notice' END,
           CASE WHEN ways & 8 > 0 THEN 'keep_learning' END,
           CASE WHEN ways & 16 > 0 THEN 'give' END], NULL) AS five_ways,
       CASE WHEN u_sess >= 0.4 THEN 0 WHEN u_sess2 < 0.6 THEN 1 ELSE 2 END AS sessions,
       -- 20% never confirmed, the rest confirmed up to two years ago.
       CASE WHEN u_conf >= 0.2 THEN now() - (u_conf - 0.2) / 0.8 * interval '730 days' END AS confirmed_at,
       CASE WHEN u_new < 0.5 THEN u_new < 0.3 END AS drop_in,
       CASE WHEN u_new2 < 0.4 THEN u_new2 < 0.15 END AS meet_and_greet,
       u_text
FROM (
    SELECT i,
           width_bucket(random(), (SELECT lower_bounds FROM syn_geo)) AS district,
           random() AS u_lat, random() AS u_lon, random() AS u_type, random() AS u_type2,
           random() AS u_a1, random() AS u_a2, random() AS u_a3, random() AS u_a4, random() AS u_a5, random() AS u_a6,
           random() AS u_kind, random() AS u_draws, random() AS u_free, random() AS u_cost, random() AS u_conc,
           random() AS u_age, 1 + floor(random() * 31)::int AS ways, random() AS u_sess, random() AS u_sess2,
           random() AS u_text, random() AS u_conf, random() AS u_new, random() AS u_new2
    FROM generate_series(1, :n) AS i
    OFFSET 0
) r
CROSS JOIN syn_geo g;

-- Interest draws: position 1 is the asset's first interest (named in its title).
CREATE TEMP TABLE syn_draw ON COMMIT DROP AS
SELECT s.i, d.pos, width_bucket(random(), (SELECT lower_bounds FROM syn_zipf)) AS rank
FROM syn s CROSS JOIN LATERAL generate_series(1, s.draws) AS d(pos);
ANALYZE syn, syn_draw;

CREATE TEMP TABLE syn_interests ON COMMIT DROP AS
SELECT x.i,
       array_agg(t.id ORDER BY t.id) AS interest_ids,
       string_agg(t.words, ' ' ORDER BY t.label) AS words,
       min(t.label) FILTER (WHERE x.first) AS first_label
FROM (SELECT i, rank, bool_or(pos = 1) AS first FROM syn_draw GROUP BY i, rank) x
JOIN syn_term t USING (rank)
GROUP BY x.i;
ANALYZE syn_interests;

-- Sessions: ~40% of assets have 1–2 weekly sessions.
CREATE TEMP TABLE syn_session ON COMMIT DROP AS
SELECT md5('synthetic:session:' || i || ':' || position)::uuid AS id, i, asset_id, position, weekday,
       start_time, start_time + minutes * interval '1 minute' AS end_time
FROM (
    SELECT s.i, s.asset_id, p.position::smallint AS position,
           (1 + floor(random() * 7))::smallint AS weekday,
           time '09:00' + floor(random() * 41) * interval '15 minutes' AS start_time,
           60 + floor(random() * 5)::int * 15 AS minutes
    FROM syn s CROSS JOIN LATERAL generate_series(0, s.sessions - 1) AS p(position)
    WHERE s.sessions > 0
    OFFSET 0
) x;

-- The denormalised sessions column, as refresh_asset_search() builds it.
CREATE TEMP TABLE syn_session_json ON COMMIT DROP AS
SELECT i, jsonb_agg(jsonb_build_object('weekday', weekday, 'on_date', NULL, 'start', to_char(start_time, 'HH24:MI'),
                                       'end', to_char(end_time, 'HH24:MI'), 'valid_from', NULL, 'valid_until', NULL)
                    ORDER BY position) AS sessions
FROM syn_session GROUP BY i;
ANALYZE syn_session, syn_session_json;

-- Drop secondary indexes and foreign keys for the load; both are restored below from their saved
-- definitions (one index build and one validating join each, instead of row-by-row work) ------------

CREATE TEMP TABLE syn_index ON COMMIT DROP AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
WHERE i.indrelid IN ('venues'::regclass, 'assets'::regclass, 'asset_interests'::regclass, 'asset_sessions'::regclass)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);

CREATE TEMP TABLE syn_foreign_key ON COMMIT DROP AS
SELECT c.conrelid::regclass::text AS table_name, quote_ident(c.conname) AS name, pg_get_constraintdef(c.oid) AS definition
FROM pg_constraint c
WHERE c.contype = 'f'
  AND c.conrelid IN ('venues'::regclass, 'assets'::regclass, 'asset_interests'::regclass, 'asset_sessions'::regclass);

DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT table_name, name FROM syn_foreign_key LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %s', r.table_name, r.name);
    END LOOP;
    FOR r IN SELECT name FROM syn_index LOOP
        EXECUTE 'DROP INDEX ' || r.name;
    END LOOP;
END $$;

-- Rows ------------------------------------------------------------------------------------------

\echo loading organizations, venues, assets, asset_interests, asset_sessions

INSERT INTO organizations (id, name, description, trusted, source, source_id)
SELECT md5('synthetic:organization:' || o)::uuid, 'Synthetic organisation ' || o,
       'A synthetic organisation for benchmarks.', true, 'synthetic', 'organization-' || o
FROM generate_series(1, ((:n - 1) / 1000 + 1)::int) AS o;

INSERT INTO venues (id, organization_id, name, location, venue_type, non_stigmatised, accessibility, source, source_id)
SELECT venue_id, organization_id,
       'Synthetic ' || replace(venue_type, '_', ' ') || ' ' || i,
       ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography,
       venue_type, non_stigmatised, accessibility, 'synthetic', 'venue-' || i
FROM syn
ORDER BY i;

INSERT INTO assets (id, organization_id, venue_id, kind, title, description, five_ways, min_age,
                    cost_free, cost_pence, concession_pence, drop_in, meet_and_greet, status, published_at,
                    confirmed_at, source, source_id, geom, interest_ids, accessibility, non_stigmatised,
                    venue_type, sessions, search_text)
SELECT s.asset_id, s.organization_id, s.venue_id, s.kind, a.title, a.description, s.five_ways, s.min_age,
       s.cost_free, s.cost_pence, s.concession_pence, s.drop_in, s.meet_and_greet, 'published', now(),
       s.confirmed_at, 'synthetic', 'asset-' || s.i,
       ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography, n.interest_ids, s.accessibility, s.non_stigmatised,
       s.venue_type, coalesce(j.sessions, '[]'::jsonb),
       concat_ws(' ', a.title, a.description, s.organization_name,
                 'Synthetic ' || replace(s.venue_type, '_', ' ') || ' ' || s.i, NULL, NULL, n.words)
FROM syn s
JOIN syn_interests n USING (i)
LEFT JOIN syn_session_json j USING (i)
CROSS JOIN LATERAL (
    SELECT 'Synthetic ' || n.first_label || ' group ' || s.i AS title,
           (ARRAY['A friendly', 'A relaxed', 'A welcoming', 'A weekly', 'A small'])[1 + floor(s.u_text * 5)::int]
               || ' ' || CASE s.kind WHEN 'volunteering' THEN 'volunteering role' ELSE s.kind END
               || ' for anyone interested in ' || lower(n.first_label)
               || (ARRAY['; newcomers welcome.', ', run by local volunteers.', '; no experience needed.',
                         ', with tea and a chat afterwards.'])[1 + floor(s.u_text * 20)::int % 4] AS description
) a
ORDER BY s.i;

INSERT INTO asset_interests (asset_id, term_id)
SELECT s.asset_id, t.id
FROM (SELECT DISTINCT i, rank FROM syn_draw) d
JOIN syn s USING (i)
JOIN syn_term t USING (rank)
ORDER BY d.i, d.rank;

INSERT INTO asset_sessions (id, asset_id, position, weekday, start_time, end_time)
SELECT id, asset_id, position, weekday, start_time, end_time FROM syn_session ORDER BY i, position;

\echo rebuilding indexes and foreign keys
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT definition FROM syn_index ORDER BY name LOOP
        EXECUTE r.definition;
    END LOOP;
    FOR r IN SELECT table_name, name, definition FROM syn_foreign_key ORDER BY table_name, name LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %s %s', r.table_name, r.name, r.definition);
    END LOOP;
END $$;

COMMIT;

\echo cluster assets in spatial order, vacuum analyze
-- As docs/matching.md advises after bulk loads: neighbours on the same heap pages.
CLUSTER assets USING assets_geom_plane_gist;
VACUUM (ANALYZE) organizations, venues, assets, asset_interests, asset_sessions;

SELECT (SELECT count(*) FROM organizations) AS organizations,
       (SELECT count(*) FROM venues) AS venues,
       (SELECT count(*) FROM assets WHERE status = 'published') AS published_assets,
       (SELECT count(*) FROM asset_interests) AS asset_interests,
       (SELECT count(*) FROM asset_sessions) AS asset_sessions,
       round(extract(epoch FROM clock_timestamp() - :'started'::timestamptz)::numeric, 1) AS seconds;

SELECT t.slug AS most_popular_interest,
       round(100.0 * count(*) / (SELECT count(*) FROM assets), 1) AS percent_of_assets
FROM asset_interests ai JOIN interest_terms t ON t.id = ai.term_id
GROUP BY t.slug ORDER BY count(*) DESC LIMIT 1;
