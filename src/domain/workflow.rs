//! The state machines of visions, agreements (and their amendments), commitments, grants,
//! tranches, reports and payment batches, as data:
//! one status enum, one action enum and one `next` function each. Handlers never compare
//! status strings; who may take an action is the policy's business, not this module's.

text_enum! {
    /// Where a vision is: `draft -> proposed -> endorsed -> archived`; editing a proposed vision sends it back to draft.
    pub enum VisionStatus {
        Draft,
        Proposed,
        Endorsed,
        Archived,
    }
}

text_enum! {
    /// An action on a vision.
    pub enum VisionAction {
        Edit,
        Propose,
        Endorse,
        Archive,
    }
}

impl VisionStatus {
    /// The status after `action`; `all_endorsed` says whether every party will have endorsed.
    pub fn next(self, action: VisionAction, all_endorsed: bool) -> Option<Self> {
        use VisionAction as A;
        use VisionStatus as S;
        match (self, action) {
            (S::Draft | S::Proposed, A::Edit) => Some(S::Draft),
            (S::Draft, A::Propose) => Some(S::Proposed),
            (S::Proposed, A::Endorse) => Some(if all_endorsed { S::Endorsed } else { S::Proposed }),
            (S::Draft | S::Proposed | S::Endorsed, A::Archive) => Some(S::Archived),
            _ => None,
        }
    }
}

text_enum! {
    /// Where an agreement is: `draft -> proposed -> signed -> active -> completed | terminated | expired`; `suspended` from active (back by `resume`); asking for changes sends a proposal back to draft.
    pub enum AgreementStatus {
        Draft,
        Proposed,
        Signed,
        Active,
        Suspended,
        Completed,
        Terminated,
        Expired,
    }
}

text_enum! {
    /// An action on an agreement (a path under it: `POST /api/v1/agreements/{id}/{action}`).
    pub enum AgreementAction {
        Edit,
        Propose,
        RequestChanges,
        Sign,
        Amend,
        Suspend,
        Resume,
        Complete,
        Terminate,
        /// Taken by the date job on `starts_on`, never by a person.
        Activate,
        /// Taken by the date job after `ends_on`, never by a person.
        Expire,
    }
}

impl AgreementAction {
    /// Actions people take through the API (the others belong to the date job).
    pub const BY_PEOPLE: [Self; 9] = [
        Self::Edit,
        Self::Propose,
        Self::RequestChanges,
        Self::Sign,
        Self::Amend,
        Self::Suspend,
        Self::Resume,
        Self::Complete,
        Self::Terminate,
    ];

    /// Actions that work on the version being negotiated rather than the agreement's life.
    pub fn negotiates(self) -> bool {
        matches!(self, Self::Edit | Self::Propose | Self::RequestChanges | Self::Sign)
    }
}

text_enum! {
    /// A version of an agreement: negotiated, then signed by every party and never changed.
    pub enum VersionStatus {
        Draft,
        Proposed,
        Signed,
    }
}

impl VersionStatus {
    /// Negotiation of one version; `all_signed` says whether every party will have signed.
    pub fn next(self, action: AgreementAction, all_signed: bool) -> Option<Self> {
        use AgreementAction as A;
        use VersionStatus as S;
        match (self, action) {
            (S::Draft | S::Proposed, A::Edit) | (S::Proposed, A::RequestChanges) => Some(S::Draft),
            (S::Draft, A::Propose) => Some(S::Proposed),
            (S::Proposed, A::Sign) => Some(if all_signed { S::Signed } else { S::Proposed }),
            _ => None,
        }
    }
}

/// Where an agreement stands: its own status and, once in force, an amendment in negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgreementState {
    pub status: AgreementStatus,
    pub amendment: Option<VersionStatus>,
}

/// What an allowed action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgreementOutcome {
    pub status: AgreementStatus,
    pub amendment: Option<VersionStatus>,
}

impl AgreementState {
    /// The state after `action`, or `None` when it is not allowed now. `all_signed` says
    /// whether every party will have signed the version being negotiated.
    pub fn next(self, action: AgreementAction, all_signed: bool) -> Option<AgreementOutcome> {
        use AgreementAction as A;
        use AgreementStatus as S;
        let keep = |status| Some(AgreementOutcome { status, amendment: self.amendment });
        let in_force = matches!(self.status, S::Signed | S::Active | S::Suspended);
        if action.negotiates() {
            return match (self.status, self.amendment) {
                // The first version: the agreement's status is the version's.
                (S::Draft | S::Proposed, _) => {
                    let version =
                        if self.status == S::Draft { VersionStatus::Draft } else { VersionStatus::Proposed };
                    let status = match version.next(action, all_signed)? {
                        VersionStatus::Draft => S::Draft,
                        VersionStatus::Proposed => S::Proposed,
                        VersionStatus::Signed => S::Signed,
                    };
                    keep(status)
                }
                // An amendment: negotiated while the current version stays in force; once
                // signed it becomes current and the amendment slot is free again.
                (_, Some(amendment)) if in_force => {
                    let next = amendment.next(action, all_signed)?;
                    let amendment = (next != VersionStatus::Signed).then_some(next);
                    Some(AgreementOutcome { status: self.status, amendment })
                }
                _ => None,
            };
        }
        let status = match (self.status, action) {
            (S::Signed | S::Active | S::Suspended, A::Amend) if self.amendment.is_none() => {
                return Some(AgreementOutcome { status: self.status, amendment: Some(VersionStatus::Draft) });
            }
            (S::Signed, A::Activate) => S::Active,
            (S::Active, A::Suspend) => S::Suspended,
            (S::Suspended, A::Resume) => S::Active,
            (S::Active, A::Complete) => S::Completed,
            (S::Signed | S::Active | S::Suspended, A::Terminate) => S::Terminated,
            (S::Active | S::Suspended, A::Expire) => S::Expired,
            _ => return None,
        };
        // An ended agreement drops an amendment still in negotiation.
        let ended = matches!(status, S::Completed | S::Terminated | S::Expired);
        Some(AgreementOutcome { status, amendment: if ended { None } else { self.amendment } })
    }
}

text_enum! {
    /// Where a commitment is: `open -> done | missed | waived`.
    pub enum CommitmentStatus {
        Open,
        Done,
        Missed,
        Waived,
    }
}

text_enum! {
    /// An action on a commitment (`POST /api/v1/commitments/{id}/{action}`).
    pub enum CommitmentAction {
        Complete,
        Miss,
        Waive,
    }
}

impl CommitmentStatus {
    pub fn next(self, action: CommitmentAction) -> Option<Self> {
        match (self, action) {
            (Self::Open, CommitmentAction::Complete) => Some(Self::Done),
            (Self::Open, CommitmentAction::Miss) => Some(Self::Missed),
            (Self::Open, CommitmentAction::Waive) => Some(Self::Waived),
            _ => None,
        }
    }
}

text_enum! {
    /// Where a grant is: `draft -> submitted -> in_review -> approved | rejected`, with `info_requested` (back to submitted when the network answers) and `withdrawn`; after approval `active` (first tranche paid) `-> reporting` (period over) `-> settled -> closed`; `cancelled` from approved or active.
    pub enum GrantStatus {
        Draft,
        Submitted,
        InReview,
        InfoRequested,
        Approved,
        Rejected,
        Withdrawn,
        Active,
        Reporting,
        Settled,
        Closed,
        Cancelled,
    }
}

text_enum! {
    /// An action on a grant (a path under it: `POST /api/v1/grants/{id}/{action}`).
    pub enum GrantAction {
        Edit,
        Submit,
        StartReview,
        RequestInfo,
        Approve,
        Reject,
        Withdraw,
        Cancel,
        Settle,
        Close,
        /// Taken when the first tranche is paid, never asked for.
        Activate,
        /// Taken by the date job when the grant's period is over and a report is due.
        StartReporting,
    }
}

impl GrantAction {
    /// Actions people ask for through the API.
    pub const BY_PEOPLE: [Self; 10] = [
        Self::Edit,
        Self::Submit,
        Self::StartReview,
        Self::RequestInfo,
        Self::Approve,
        Self::Reject,
        Self::Withdraw,
        Self::Cancel,
        Self::Settle,
        Self::Close,
    ];
}

impl GrantStatus {
    /// The status after `action`. `approval_complete` says whether an approval is final (below
    /// the four-eyes threshold, or the second officer's); a first approval above it keeps the
    /// application in review.
    pub fn next(self, action: GrantAction, approval_complete: bool) -> Option<Self> {
        use GrantAction as A;
        use GrantStatus as S;
        match (self, action) {
            (S::Draft, A::Edit) => Some(S::Draft),
            (S::InfoRequested, A::Edit) => Some(S::InfoRequested),
            // Submitting an answer to a question sends the application back for review.
            (S::Draft | S::InfoRequested, A::Submit) => Some(S::Submitted),
            (S::Submitted, A::StartReview) => Some(S::InReview),
            (S::Submitted | S::InReview, A::RequestInfo) => Some(S::InfoRequested),
            (S::InReview, A::Approve) => Some(if approval_complete { S::Approved } else { S::InReview }),
            (S::Submitted | S::InReview | S::InfoRequested, A::Reject) => Some(S::Rejected),
            (S::Draft | S::Submitted | S::InReview | S::InfoRequested, A::Withdraw) => Some(S::Withdrawn),
            (S::Approved | S::Active, A::Cancel) => Some(S::Cancelled),
            (S::Approved, A::Activate) => Some(S::Active),
            (S::Active, A::StartReporting) => Some(S::Reporting),
            (S::Active | S::Reporting, A::Settle) => Some(S::Settled),
            (S::Settled, A::Close) => Some(S::Closed),
            _ => None,
        }
    }
}

text_enum! {
    /// Where a report is: `draft -> submitted -> accepted`; asking for changes sends it back to draft.
    pub enum ReportStatus {
        Draft,
        Submitted,
        Accepted,
    }
}

text_enum! {
    /// An action on a spending report (`POST /api/v1/reports/{id}/{action}`).
    pub enum ReportAction {
        Edit,
        Submit,
        RequestChanges,
        Accept,
    }
}

impl ReportStatus {
    pub fn next(self, action: ReportAction) -> Option<Self> {
        use ReportAction as A;
        use ReportStatus as S;
        match (self, action) {
            (S::Draft, A::Edit) | (S::Submitted, A::RequestChanges) => Some(S::Draft),
            (S::Draft, A::Submit) => Some(S::Submitted),
            (S::Submitted, A::Accept) => Some(S::Accepted),
            _ => None,
        }
    }
}

text_enum! {
    /// Where a tranche is: `scheduled -> paid | cancelled`.
    pub enum TrancheStatus {
        Scheduled,
        Paid,
        Cancelled,
    }
}

text_enum! {
    /// A SEPA payment batch: open while its file is with the bank, then confirmed (its
    /// tranches paid) or cancelled (its tranches free for another batch).
    pub enum PaymentBatchStatus {
        Open,
        Confirmed,
        Cancelled,
    }
}

text_enum! {
    /// An action on a payment batch.
    pub enum PaymentBatchAction {
        Confirm,
        Cancel,
    }
}

text_enum! {
    /// What became of a tranche in a batch.
    pub enum ItemStatus {
        /// In the batch while it is open.
        Open,
        /// Paid when the batch was confirmed.
        Paid,
        /// Left out when the batch was confirmed: the tranche had been paid on its own or
        /// cancelled meanwhile, so it was not paid (again).
        Skipped,
        /// Free again: the batch was cancelled.
        Released,
    }
}

impl PaymentBatchStatus {
    pub fn next(self, action: PaymentBatchAction) -> Option<Self> {
        match (self, action) {
            (Self::Open, PaymentBatchAction::Confirm) => Some(Self::Confirmed),
            (Self::Open, PaymentBatchAction::Cancel) => Some(Self::Cancelled),
            _ => None,
        }
    }
}

impl GrantStatus {
    /// Whether the grant's scheduled tranches may be paid (and so go into a payment batch).
    pub fn pays_tranches(self) -> bool {
        matches!(self, Self::Approved | Self::Active | Self::Reporting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn vision_machine_table() {
        use VisionAction as A;
        use VisionStatus as S;
        let expected = |status, action, all| match (status, action) {
            (S::Draft, A::Edit) | (S::Proposed, A::Edit) => Some(S::Draft),
            (S::Draft, A::Propose) => Some(S::Proposed),
            (S::Proposed, A::Endorse) => Some(if all { S::Endorsed } else { S::Proposed }),
            (S::Archived, A::Archive) => None,
            (_, A::Archive) => Some(S::Archived),
            _ => None,
        };
        for status in S::iter() {
            for action in A::iter() {
                for all in [false, true] {
                    assert_eq!(
                        status.next(action, all),
                        expected(status, action, all),
                        "{status:?} {action:?} {all}"
                    );
                }
            }
        }
    }

    #[test]
    fn agreement_machine_table() {
        use AgreementAction as A;
        use AgreementStatus as S;
        let state = |status| AgreementState { status, amendment: None };
        let allowed =
            |status: S| -> Vec<A> { A::iter().filter(|a| state(status).next(*a, false).is_some()).collect() };
        assert_eq!(allowed(S::Draft), [A::Edit, A::Propose]);
        assert_eq!(allowed(S::Proposed), [A::Edit, A::RequestChanges, A::Sign]);
        assert_eq!(allowed(S::Signed), [A::Amend, A::Terminate, A::Activate]);
        assert_eq!(allowed(S::Active), [A::Amend, A::Suspend, A::Complete, A::Terminate, A::Expire]);
        assert_eq!(allowed(S::Suspended), [A::Amend, A::Resume, A::Terminate, A::Expire]);
        for ended in [S::Completed, S::Terminated, S::Expired] {
            assert!(allowed(ended).is_empty(), "{ended:?} is final");
        }
        assert_eq!(state(S::Proposed).next(A::Sign, true).map(|o| o.status), Some(S::Signed));
        assert_eq!(state(S::Proposed).next(A::Sign, false).map(|o| o.status), Some(S::Proposed));
        assert_eq!(state(S::Proposed).next(A::RequestChanges, false).map(|o| o.status), Some(S::Draft));
    }

    #[test]
    fn amendments_are_negotiated_beside_the_version_in_force() {
        use AgreementAction as A;
        use AgreementStatus as S;
        let amended = |amendment| AgreementState { status: S::Active, amendment: Some(amendment) };
        let opened = AgreementState { status: S::Active, amendment: None }.next(A::Amend, false).unwrap();
        assert_eq!(opened, AgreementOutcome { status: S::Active, amendment: Some(VersionStatus::Draft) });
        assert!(amended(VersionStatus::Draft).next(A::Amend, false).is_none(), "one amendment at a time");
        let proposed = amended(VersionStatus::Draft).next(A::Propose, false).unwrap();
        assert_eq!(proposed.amendment, Some(VersionStatus::Proposed));
        let signed = amended(VersionStatus::Proposed).next(A::Sign, true).unwrap();
        assert_eq!(signed, AgreementOutcome { status: S::Active, amendment: None });
        let ended = amended(VersionStatus::Proposed).next(A::Terminate, false).unwrap();
        assert_eq!(ended, AgreementOutcome { status: S::Terminated, amendment: None });
        let terminated = AgreementState { status: S::Terminated, amendment: None };
        assert!(terminated.next(A::Edit, false).is_none());
    }

    #[test]
    fn grant_machine_table() {
        use GrantAction as A;
        use GrantStatus as S;
        let allowed = |status: S| -> Vec<A> {
            A::BY_PEOPLE.into_iter().filter(|a| status.next(*a, true).is_some()).collect()
        };
        assert_eq!(allowed(S::Draft), [A::Edit, A::Submit, A::Withdraw]);
        assert_eq!(allowed(S::Submitted), [A::StartReview, A::RequestInfo, A::Reject, A::Withdraw]);
        assert_eq!(allowed(S::InReview), [A::RequestInfo, A::Approve, A::Reject, A::Withdraw]);
        assert_eq!(allowed(S::InfoRequested), [A::Edit, A::Submit, A::Reject, A::Withdraw]);
        assert_eq!(allowed(S::Approved), [A::Cancel]);
        assert_eq!(allowed(S::Active), [A::Cancel, A::Settle]);
        assert_eq!(allowed(S::Reporting), [A::Settle]);
        assert_eq!(allowed(S::Settled), [A::Close]);
        for ended in [S::Rejected, S::Withdrawn, S::Cancelled, S::Closed] {
            assert!(allowed(ended).is_empty(), "{ended:?}");
        }
        assert_eq!(S::InReview.next(A::Approve, false), Some(S::InReview), "a first of two approvals");
        assert_eq!(S::Approved.next(A::Activate, true), Some(S::Active));
    }

    #[test]
    fn commitments_close_once() {
        for action in CommitmentAction::iter() {
            assert!(CommitmentStatus::Open.next(action).is_some());
            for closed in [CommitmentStatus::Done, CommitmentStatus::Missed, CommitmentStatus::Waived] {
                assert!(closed.next(action).is_none());
            }
        }
    }

    #[test]
    fn payment_batches_close_once() {
        for action in PaymentBatchAction::iter() {
            assert!(PaymentBatchStatus::Open.next(action).is_some());
            for closed in [PaymentBatchStatus::Confirmed, PaymentBatchStatus::Cancelled] {
                assert!(closed.next(action).is_none(), "{closed:?} {action:?}");
            }
        }
        assert_eq!(
            PaymentBatchStatus::Open.next(PaymentBatchAction::Confirm),
            Some(PaymentBatchStatus::Confirmed)
        );
        assert_eq!(
            PaymentBatchStatus::Open.next(PaymentBatchAction::Cancel),
            Some(PaymentBatchStatus::Cancelled)
        );
    }
}
