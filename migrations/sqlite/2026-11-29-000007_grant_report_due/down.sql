ALTER TABLE grants DROP COLUMN report_due_on;
