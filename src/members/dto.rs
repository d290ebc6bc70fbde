//! Request and response bodies for members and invitations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Inviting someone by email.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "fatima@example.nl", "name": "Fatima El Amrani", "role": "treasurer"}))]
pub struct InviteRequest {
    pub email: String,
    pub name: String,
    /// In a municipality: `municipal_admin`, `officer`, `finance` or `auditor`. In a network:
    /// `coordinator`, `treasurer` or `member`.
    pub role: String,
}

/// A person's new role in the organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "officer"}))]
pub struct ChangeRoleRequest {
    pub role: String,
}

/// Accepting an invitation: someone new chooses a name and password and consents to the privacy statement; an existing account sends none of these.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "a long passphrase", "name": "Fatima El Amrani"}))]
pub struct AcceptInvitationRequest {
    /// The password for a new account (at least 12 characters). For an address that already
    /// has an account, sign in as that account and send its access token instead: the role is
    /// added and the password is never set or changed here (this field is then ignored).
    pub password: Option<String>,
    /// Your name; the name in the invitation when left out.
    pub name: Option<String>,
}

/// A person in an organisation, with their role.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub since: DateTime<Utc>,
}

/// The people of an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberDto>,
}

/// An invitation waiting to be accepted; the link goes by email only.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDto {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub municipality_id: Option<String>,
    pub network_id: Option<String>,
    pub organisation_id: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// Always `true`: the single-use link went to `email` by email, and only there. It is never
    /// shown in the API, so only whoever reads that mailbox can accept.
    pub sent_by_email: bool,
}

/// Invitations not yet accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<InvitationDto>,
}

/// The membership an accepted invitation gave.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedInvitation {
    pub user_id: String,
    pub email: String,
    pub role: String,
    pub municipality_id: Option<String>,
    pub network_id: Option<String>,
    pub organisation_id: Option<String>,
    /// `true` when the invitation created the account.
    pub new_account: bool,
}
