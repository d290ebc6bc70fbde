//! The verdict on a workflow action: 404 for what the caller cannot see, 403 for what their
//! role does not allow, 409 for what the record's state does not allow now.

use crate::error::ApiError;

/// How a workflow action on a record stands for one caller.
pub struct ActionCheck<'a> {
    /// e.g. `agreement`, for the messages.
    pub record: &'a str,
    pub status: &'a str,
    pub action: &'a str,
    pub visible: bool,
    /// The caller's role allows the action at all.
    pub permitted: bool,
    /// The record's state allows it now.
    pub possible: bool,
    /// What the caller may do now.
    pub allowed: Vec<String>,
}

impl ActionCheck<'_> {
    /// 404 for what the caller cannot see, 403 for an action their role does not allow, 409 for
    /// one the state does not allow; both name the allowed actions.
    pub fn verdict(self) -> Result<(), ApiError> {
        if !self.visible {
            return Err(ApiError::not_found(format!("No such {}.", self.record)));
        }
        if !self.permitted {
            return Err(ApiError {
                allowed_actions: Some(self.allowed),
                ..ApiError::forbidden(format!(
                    "Your role does not allow you to {} this {}.",
                    self.action, self.record
                ))
            });
        }
        if !self.possible {
            let detail =
                format!("A {} {} cannot be given the action {}.", self.status, self.record, self.action);
            return Err(ApiError::invalid_transition(detail, self.allowed));
        }
        Ok(())
    }
}
