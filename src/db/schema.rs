// Matches migrations/; see diesel.toml. The search columns of `assets` (geom, interest_ids,
// accessibility, non_stigmatised, search_text, search_vector) are left out: only the SQL in
// db/search.rs and the refresh_asset_search() function touch them.

diesel::table! {
    use diesel::sql_types::*;

    organizations (id) {
        id -> Uuid,
        name -> Text,
        description -> Nullable<Text>,
        website -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        charity_number -> Nullable<Text>,
        company_number -> Nullable<Text>,
        trusted -> Bool,
        source -> Nullable<Text>,
        source_id -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        source_digest -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::Geography;

    venues (id) {
        id -> Uuid,
        organization_id -> Nullable<Uuid>,
        name -> Text,
        address_lines -> Array<Text>,
        town -> Nullable<Text>,
        postcode -> Nullable<Text>,
        location -> Nullable<Geography>,
        venue_type -> Text,
        non_stigmatised -> Bool,
        accessibility -> Array<Text>,
        website -> Nullable<Text>,
        phone -> Nullable<Text>,
        source -> Nullable<Text>,
        source_id -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        location_precision -> Text,
        source_digest -> Nullable<Text>,
        status -> Text,
        created_with_asset -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::Geography;

    assets (id) {
        id -> Uuid,
        organization_id -> Uuid,
        venue_id -> Nullable<Uuid>,
        service_area -> Nullable<Geography>,
        online -> Bool,
        kind -> Text,
        title -> Text,
        description -> Text,
        five_ways -> Array<Text>,
        min_age -> Nullable<Int2>,
        max_age -> Nullable<Int2>,
        eligibility_criteria -> Nullable<Text>,
        cost_free -> Nullable<Bool>,
        cost_pence -> Nullable<Int4>,
        concession_pence -> Nullable<Int4>,
        cost_notes -> Nullable<Text>,
        schedule_notes -> Nullable<Text>,
        drop_in -> Nullable<Bool>,
        taster_session -> Nullable<Bool>,
        meet_and_greet -> Nullable<Bool>,
        booking_required -> Nullable<Bool>,
        newcomer_notes -> Nullable<Text>,
        max_participants -> Nullable<Int4>,
        typical_group_size -> Nullable<Int4>,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        contact_url -> Nullable<Text>,
        status -> Text,
        confirmed_at -> Nullable<Timestamptz>,
        published_at -> Nullable<Timestamptz>,
        source -> Nullable<Text>,
        source_id -> Nullable<Text>,
        is_example -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        source_tags -> Array<Text>,
        source_digest -> Nullable<Text>,
        outcomes -> Nullable<Jsonb>,
        audience_gender -> Text,
        audience_groups -> Array<Text>,
        audience_groups_only -> Bool,
        referral_only -> Bool,
        concession_rules -> Jsonb,
        min_rule_pence -> Nullable<Int4>,
        external_id -> Nullable<Text>,
        levels -> Array<Text>,
        coached -> Nullable<Bool>,
        attendee_instructions -> Nullable<Text>,
        accessibility_support -> Array<Text>,
        prepayment -> Nullable<Text>,
        attribution -> Nullable<Jsonb>,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    asset_sessions (id) {
        id -> Uuid,
        asset_id -> Uuid,
        position -> Int2,
        weekday -> Nullable<Int2>,
        on_date -> Nullable<Date>,
        start_time -> Time,
        end_time -> Time,
        valid_from -> Nullable<Date>,
        valid_until -> Nullable<Date>,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    interest_terms (id) {
        id -> Uuid,
        slug -> Text,
        label -> Text,
        parent_id -> Nullable<Uuid>,
        domain -> Text,
        synonyms -> Array<Text>,
        definition -> Nullable<Text>,
        source -> Text,
        source_uri -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    interest_phrases (phrase, term_id) {
        phrase -> Text,
        term_id -> Uuid,
        kind -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    asset_interests (asset_id, term_id) {
        asset_id -> Uuid,
        term_id -> Uuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    api_keys (id) {
        id -> Uuid,
        name -> Text,
        role -> Text,
        organization_id -> Nullable<Uuid>,
        secret_hash -> Bytea,
        prefix -> Text,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    imports (id) {
        id -> Uuid,
        format -> Text,
        source -> Text,
        organization_id -> Nullable<Uuid>,
        status -> Text,
        detected_version -> Nullable<Text>,
        pages -> Int4,
        seen -> Int4,
        created -> Int4,
        updated -> Int4,
        unchanged -> Int4,
        linked -> Int4,
        archived -> Int4,
        skipped -> Int4,
        failed -> Int4,
        errors -> Jsonb,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        heartbeat_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    import_links (source, source_id) {
        source -> Text,
        source_id -> Text,
        asset_id -> Uuid,
        reason -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    audit_events (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_kind -> Text,
        actor_key_id -> Nullable<Uuid>,
        actor_organization_id -> Nullable<Uuid>,
        actor_role -> Nullable<Text>,
        import_id -> Nullable<Uuid>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        organization_id -> Nullable<Uuid>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    idempotency_keys (caller_hash, key) {
        caller_hash -> Bytea,
        key -> Text,
        request_hash -> Bytea,
        status -> Nullable<Int2>,
        response_headers -> Nullable<Jsonb>,
        response_body -> Nullable<Bytea>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(venues -> organizations (organization_id));
diesel::joinable!(assets -> organizations (organization_id));
diesel::joinable!(assets -> venues (venue_id));
diesel::joinable!(asset_sessions -> assets (asset_id));
diesel::joinable!(asset_interests -> assets (asset_id));
diesel::joinable!(asset_interests -> interest_terms (term_id));
diesel::joinable!(interest_phrases -> interest_terms (term_id));
diesel::joinable!(api_keys -> organizations (organization_id));
diesel::joinable!(imports -> organizations (organization_id));
diesel::joinable!(import_links -> assets (asset_id));

diesel::table! {
    use diesel::sql_types::*;

    openactive_sources (id) {
        id -> Uuid,
        name -> Text,
        organization_id -> Nullable<Uuid>,
        licence -> Text,
        attribution -> Text,
        attribution_url -> Nullable<Text>,
        poll_interval_secs -> Int4,
        enabled -> Bool,
        rejected -> Int8,
        record_errors -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    openactive_feeds (id) {
        id -> Uuid,
        source_id -> Uuid,
        url -> Text,
        next_url -> Text,
        at_end -> Bool,
        due_at -> Timestamptz,
        leased_until -> Nullable<Timestamptz>,
        last_polled_at -> Nullable<Timestamptz>,
        last_success_at -> Nullable<Timestamptz>,
        failing_since -> Nullable<Timestamptz>,
        consecutive_failures -> Int4,
        last_error -> Nullable<Text>,
        items_read -> Int8,
        pages_read -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    openactive_items (source_id, kind, item_id) {
        source_id -> Uuid,
        kind -> Text,
        item_id -> Text,
        modified -> Text,
        deleted -> Bool,
        is_parent -> Bool,
        node_ids -> Array<Text>,
        parent_id -> Nullable<Text>,
        data -> Nullable<Jsonb>,
    }
}

diesel::joinable!(openactive_feeds -> openactive_sources (source_id));

diesel::allow_tables_to_appear_in_same_query!(
    openactive_sources,
    openactive_feeds,
    openactive_items,
    organizations,
    venues,
    assets,
    asset_sessions,
    interest_terms,
    interest_phrases,
    asset_interests,
    api_keys,
    imports,
    import_links,
    audit_events,
    idempotency_keys,
);
