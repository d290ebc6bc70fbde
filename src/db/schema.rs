//! Tables as diesel sees them; one schema for both backends, so only types both share are used
//! (UUIDs as `Text`, instants as UTC `Timestamp`, money as `BigInt` cents).

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        locale -> Text,
        password_hash -> Text,
        is_platform_admin -> Bool,
        disabled -> Bool,
        created_at -> Timestamp,
        calendar_token_hash -> Nullable<Text>,
        notification_preference -> Text,
        page_language -> Nullable<Text>,
        access_version -> BigInt,
    }
}

diesel::table! {
    municipalities (id) {
        id -> Text,
        name -> Text,
        cbs_code -> Nullable<Text>,
        time_zone -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        open_data_public -> Bool,
        open_data_prefix -> Nullable<Text>,
    }
}

diesel::table! {
    networks (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        description -> Text,
        legal_form -> Text,
        kvk_number -> Nullable<Text>,
        intermediary_name -> Nullable<Text>,
        intermediary_kvk_number -> Nullable<Text>,
        contact_email -> Text,
        listed_publicly -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        contact_confirmed_at -> Nullable<Timestamp>,
        contact_confirmation_hash -> Nullable<Text>,
        contact_confirmation_expires_at -> Nullable<Timestamp>,
        directory_messages_on -> Nullable<Date>,
        directory_messages_sent -> Integer,
    }
}

diesel::table! {
    network_tags (network_id, tag_type, value) {
        network_id -> Text,
        tag_type -> Text,
        value -> Text,
        position -> Integer,
    }
}

diesel::table! {
    municipality_networks (municipality_id, network_id) {
        municipality_id -> Text,
        network_id -> Text,
        status -> Text,
        requested_by -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    municipality_memberships (municipality_id, user_id) {
        municipality_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    network_memberships (network_id, user_id) {
        network_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        token_hash -> Text,
        municipality_id -> Nullable<Text>,
        network_id -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        email -> Text,
        name -> Text,
        role -> Text,
        invited_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        accepted_by -> Nullable<Text>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        municipality_id -> Nullable<Text>,
        network_id -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        request_id -> Nullable<Text>,
        changes -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(network_tags -> networks (network_id));
diesel::joinable!(municipality_networks -> municipalities (municipality_id));
diesel::joinable!(municipality_networks -> networks (network_id));
diesel::joinable!(municipality_memberships -> municipalities (municipality_id));
diesel::joinable!(municipality_memberships -> users (user_id));
diesel::joinable!(network_memberships -> networks (network_id));
diesel::joinable!(network_memberships -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(grants -> funds (fund_id));
diesel::table! {
    web_sessions (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(web_sessions -> sessions (session_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(organisation_memberships -> users (user_id));
diesel::joinable!(organisation_memberships -> organisations (organisation_id));

diesel::table! {
    organisations (id) {
        id -> Text,
        municipality_id -> Text,
        name -> Text,
        kind -> Text,
        kvk_number -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organisation_memberships (organisation_id, user_id) {
        organisation_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    record_parties (record_type, record_id, party_type, party_id) {
        record_type -> Text,
        record_id -> Text,
        party_type -> Text,
        party_id -> Text,
    }
}

diesel::table! {
    visions (id) {
        id -> Text,
        municipality_id -> Text,
        status -> Text,
        title -> Text,
        statement -> Text,
        goals -> Text,
        themes -> Text,
        revision -> Integer,
        version -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    vision_revisions (vision_id, revision) {
        vision_id -> Text,
        revision -> Integer,
        content -> Text,
        edited_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    vision_endorsements (vision_id, party_type, party_id) {
        vision_id -> Text,
        party_type -> Text,
        party_id -> Text,
        revision -> Integer,
        endorsed_by -> Text,
        endorsed_at -> Timestamp,
    }
}

diesel::table! {
    agreements (id) {
        id -> Text,
        municipality_id -> Text,
        status -> Text,
        status_reason -> Nullable<Text>,
        current_version -> Integer,
        pending_version -> Nullable<Integer>,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        next_review_on -> Nullable<Date>,
        version -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreement_versions (agreement_id, number) {
        agreement_id -> Text,
        number -> Integer,
        status -> Text,
        content -> Text,
        content_hash -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        signed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    agreement_signatures (agreement_id, version_number, party_type, party_id) {
        agreement_id -> Text,
        version_number -> Integer,
        party_type -> Text,
        party_id -> Text,
        content_hash -> Text,
        signed_by -> Text,
        signed_at -> Timestamp,
    }
}

diesel::table! {
    commitments (id) {
        id -> Text,
        agreement_id -> Text,
        municipality_id -> Text,
        key -> Text,
        party_type -> Text,
        party_id -> Text,
        description -> Text,
        due_on -> Nullable<Date>,
        status -> Text,
        note -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    check_ins (id) {
        id -> Text,
        agreement_id -> Text,
        municipality_id -> Text,
        held_on -> Date,
        participants -> Text,
        notes -> Text,
        agreed_actions -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    web_sessions,
    password_resets,
    payment_batches,
    payment_batch_items,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_attempts,
    service_accounts,
    service_account_tokens,
    reminder_settings,
    outbox,
    spending_reports,
    receipts,
    grant_settlements,
    funds,
    grants,
    tranches,
    ledger_entries,
    idempotency_keys,
    rate_limits,
    users,
    municipalities,
    networks,
    network_tags,
    municipality_networks,
    municipality_memberships,
    network_memberships,
    sessions,
    refresh_tokens,
    invitations,
    audit_events,
    organisations,
    organisation_memberships,
    record_parties,
    visions,
    vision_revisions,
    vision_endorsements,
    agreements,
    agreement_versions,
    agreement_signatures,
    commitments,
    check_ins,
);

diesel::table! {
    idempotency_keys (caller, key) {
        caller -> Text,
        key -> Text,
        request_hash -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    funds (id) {
        id -> Text,
        municipality_id -> Text,
        name -> Text,
        description -> Text,
        currency -> Text,
        budget_cents -> BigInt,
        committed_cents -> BigInt,
        paid_cents -> BigInt,
        refunded_cents -> BigInt,
        opens_on -> Date,
        closes_on -> Nullable<Date>,
        max_grant_cents -> BigInt,
        four_eyes_threshold_cents -> BigInt,
        decision_weeks -> Integer,
        reporting_tiers -> Text,
        report_due_days -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        debtor_name -> Nullable<Text>,
        debtor_iban -> Nullable<Text>,
        debtor_bic -> Nullable<Text>,
    }
}

diesel::table! {
    grants (id) {
        id -> Text,
        municipality_id -> Text,
        fund_id -> Text,
        network_id -> Text,
        agreement_id -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        title -> Text,
        purpose -> Text,
        requested_cents -> BigInt,
        approved_cents -> Nullable<BigInt>,
        scheduled_cents -> BigInt,
        paid_cents -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        budget_lines -> Text,
        payee_iban -> Text,
        payee_name -> Text,
        info_question -> Nullable<Text>,
        submitted_by -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        decision_due_on -> Nullable<Date>,
        first_approval_by -> Nullable<Text>,
        first_approval_cents -> Nullable<BigInt>,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        report_due_on -> Nullable<Date>,
        four_eyes_threshold_cents -> Nullable<BigInt>,
    }
}

diesel::table! {
    tranches (id) {
        id -> Text,
        grant_id -> Text,
        municipality_id -> Text,
        due_on -> Date,
        amount_cents -> BigInt,
        status -> Text,
        paid_on -> Nullable<Date>,
        payment_reference -> Nullable<Text>,
        paid_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> Text,
        municipality_id -> Text,
        fund_id -> Text,
        grant_id -> Text,
        tranche_id -> Nullable<Text>,
        kind -> Text,
        amount_cents -> BigInt,
        actor_user_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    spending_reports (id) {
        id -> Text,
        grant_id -> Text,
        municipality_id -> Text,
        kind -> Text,
        status -> Text,
        status_reason -> Nullable<Text>,
        narrative -> Text,
        people_reached -> Nullable<Integer>,
        expenses -> Text,
        submitted_by -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        accepted_by -> Nullable<Text>,
        accepted_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    receipts (id) {
        id -> Text,
        report_id -> Text,
        municipality_id -> Text,
        sha256 -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        file_name -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    grant_settlements (grant_id) {
        grant_id -> Text,
        municipality_id -> Text,
        settled_cents -> BigInt,
        refund_due_cents -> BigInt,
        refunded_cents -> BigInt,
        note -> Nullable<Text>,
        settled_by -> Text,
        settled_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        dedupe_key -> Text,
        municipality_id -> Nullable<Text>,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reminder_settings (municipality_id) {
        municipality_id -> Text,
        offsets -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_accounts (id) {
        id -> Text,
        municipality_id -> Text,
        name -> Text,
        scopes -> Text,
        expires_at -> Nullable<Timestamp>,
        active -> Bool,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_account_tokens (id) {
        id -> Text,
        service_account_id -> Text,
        token_hash -> Text,
        hint -> Text,
        label -> Text,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(service_account_tokens -> service_accounts (service_account_id));

diesel::table! {
    rate_limits (key) {
        key -> Text,
        count -> Integer,
        window_ends_at -> Timestamp,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        municipality_id -> Text,
        url -> Text,
        event_types -> Text,
        description -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        active -> Bool,
        delivering_until -> Nullable<Timestamp>,
        delivering_by -> Nullable<Text>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        event_id -> Text,
        event_type -> Text,
        dedupe_key -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::table! {
    payment_batches (id) {
        id -> Text,
        municipality_id -> Text,
        fund_id -> Text,
        status -> Text,
        message_id -> Text,
        due_before -> Date,
        requested_execution_date -> Date,
        debtor_name -> Text,
        debtor_iban -> Text,
        debtor_bic -> Nullable<Text>,
        currency -> Text,
        transaction_count -> BigInt,
        total_cents -> BigInt,
        paid_on -> Nullable<Date>,
        created_by -> Text,
        created_at -> Timestamp,
        closed_by -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}

diesel::table! {
    payment_batch_items (batch_id, tranche_id) {
        batch_id -> Text,
        tranche_id -> Text,
        grant_id -> Text,
        municipality_id -> Text,
        status -> Text,
        amount_cents -> BigInt,
        end_to_end_id -> Text,
        creditor_name -> Text,
        creditor_iban -> Text,
        remittance -> Text,
    }
}
