-- The four-eyes threshold that applies to a grant is the fund's as it was when the application
-- was first submitted; raising or lowering the fund's threshold later does not change it.
-- Applications submitted before this column existed get the fund's current threshold.
ALTER TABLE grants ADD COLUMN four_eyes_threshold_cents BIGINT;
UPDATE grants SET four_eyes_threshold_cents = (
    SELECT funds.four_eyes_threshold_cents FROM funds WHERE funds.id = grants.fund_id
) WHERE submitted_at IS NOT NULL;
