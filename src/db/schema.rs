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
