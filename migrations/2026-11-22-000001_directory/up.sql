-- The asset directory: organisations, venues, assets with their sessions and interests, the
-- interest vocabulary, and API keys. Closed sets of names are text with CHECK constraints so
-- that the API's names and the stored ones are the same strings.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE organizations (
    id             uuid PRIMARY KEY,
    name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description    text,
    website        text,
    email          text,
    phone          text,
    charity_number text,
    company_number text,
    trusted        boolean NOT NULL DEFAULT false,
    source         text,
    source_id      text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    UNIQUE (source, source_id)
);

CREATE TABLE venues (
    id              uuid PRIMARY KEY,
    organization_id uuid REFERENCES organizations (id),
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    address_lines   text[] NOT NULL DEFAULT '{}',
    town            text,
    postcode        text,
    location        geography(Point, 4326),
    venue_type      text NOT NULL CHECK (venue_type IN (
                        'library', 'community_centre', 'college', 'sports_centre', 'park',
                        'place_of_worship', 'cafe', 'arts_venue', 'health_setting',
                        'mental_health_service', 'online', 'other')),
    non_stigmatised boolean NOT NULL,
    accessibility   text[] NOT NULL DEFAULT '{}',
    website         text,
    phone           text,
    source          text,
    source_id       text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (location IS NOT NULL OR venue_type = 'online'),
    UNIQUE (source, source_id)
);
CREATE INDEX venues_location_gist ON venues USING gist (location);
CREATE INDEX venues_postcode ON venues (postcode);

CREATE TABLE assets (
    id                   uuid PRIMARY KEY,
    organization_id      uuid NOT NULL REFERENCES organizations (id),
    venue_id             uuid REFERENCES venues (id),
    service_area         geography(MultiPolygon, 4326),
    online               boolean NOT NULL DEFAULT false,
    kind                 text NOT NULL CHECK (kind IN ('group', 'volunteering', 'course', 'activity')),
    title                text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description          text NOT NULL DEFAULT '',
    five_ways            text[] NOT NULL DEFAULT '{}'
                         CHECK (five_ways <@ ARRAY['connect', 'be_active', 'take_notice', 'keep_learning', 'give']),
    min_age              smallint CHECK (min_age BETWEEN 0 AND 120),
    max_age              smallint CHECK (max_age BETWEEN 0 AND 120),
    eligibility_criteria text,
    cost_free            boolean,
    cost_pence           integer CHECK (cost_pence >= 0),
    concession_pence     integer CHECK (concession_pence >= 0),
    cost_notes           text,
    schedule_notes       text,
    drop_in              boolean,
    taster_session       boolean,
    meet_and_greet       boolean,
    booking_required     boolean,
    newcomer_notes       text,
    max_participants     integer CHECK (max_participants > 0),
    typical_group_size   integer CHECK (typical_group_size > 0),
    contact_name         text,
    contact_email        text,
    contact_phone        text,
    contact_url          text,
    status               text NOT NULL CHECK (status IN ('pending', 'published', 'archived')),
    confirmed_at         timestamptz,
    published_at         timestamptz,
    source               text,
    source_id            text,
    is_example           boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1,
    CHECK (venue_id IS NOT NULL OR service_area IS NOT NULL OR online),
    CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age),
    CHECK (concession_pence IS NULL OR cost_pence IS NULL OR concession_pence <= cost_pence),
    UNIQUE (source, source_id)
);
CREATE INDEX assets_organization ON assets (organization_id);
CREATE INDEX assets_venue ON assets (venue_id);
CREATE INDEX assets_status ON assets (status);
CREATE INDEX assets_service_area_gist ON assets USING gist (service_area);

-- One row per session: weekly (weekday 1 = Monday … 7 = Sunday) or on one date.
CREATE TABLE asset_sessions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    asset_id    uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    position    smallint NOT NULL,
    weekday     smallint CHECK (weekday BETWEEN 1 AND 7),
    on_date     date,
    start_time  time NOT NULL,
    end_time    time NOT NULL,
    valid_from  date,
    valid_until date,
    CHECK ((weekday IS NULL) <> (on_date IS NULL)),
    CHECK (end_time > start_time),
    CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from <= valid_until)
);
CREATE INDEX asset_sessions_asset ON asset_sessions (asset_id);
CREATE INDEX asset_sessions_weekday ON asset_sessions (weekday, start_time, end_time);

CREATE TABLE interest_terms (
    id         uuid PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    label      text NOT NULL,
    parent_id  uuid REFERENCES interest_terms (id),
    domain     text NOT NULL,
    synonyms   text[] NOT NULL DEFAULT '{}',
    definition text,
    source     text NOT NULL,
    source_uri text
);
CREATE INDEX interest_terms_parent ON interest_terms (parent_id);

-- Every normalised way of naming a term (slug, label, synonym), for resolving free text and
-- suggesting close matches.
CREATE TABLE interest_phrases (
    phrase  text NOT NULL,
    term_id uuid NOT NULL REFERENCES interest_terms (id) ON DELETE CASCADE,
    kind    text NOT NULL CHECK (kind IN ('slug', 'label', 'synonym')),
    PRIMARY KEY (phrase, term_id)
);
CREATE INDEX interest_phrases_trgm ON interest_phrases USING gin (phrase gin_trgm_ops);

CREATE TABLE asset_interests (
    asset_id uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    term_id  uuid NOT NULL REFERENCES interest_terms (id),
    PRIMARY KEY (asset_id, term_id)
);
CREATE INDEX asset_interests_term ON asset_interests (term_id);

CREATE TABLE api_keys (
    id              uuid PRIMARY KEY,
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    role            text NOT NULL CHECK (role IN ('admin', 'agency', 'reader')),
    organization_id uuid REFERENCES organizations (id),
    -- SHA-256 of the whole secret; the secret itself is never stored.
    secret_hash     bytea NOT NULL UNIQUE,
    -- The first characters of the secret, so a person can tell their keys apart.
    prefix          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    CHECK (role <> 'agency' OR organization_id IS NOT NULL),
    CHECK (role <> 'admin' OR organization_id IS NULL)
);
CREATE INDEX api_keys_organization ON api_keys (organization_id);
