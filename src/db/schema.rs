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
    invitations (id) {
        id -> Text,
        token_hash -> Text,
        municipality_id -> Nullable<Text>,
        network_id -> Nullable<Text>,
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
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
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
);
