-- When the report of an approved grant is due: the end of its period plus the fund's term.
ALTER TABLE grants ADD COLUMN report_due_on DATE;
