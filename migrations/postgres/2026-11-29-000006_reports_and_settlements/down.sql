DROP TABLE grant_settlements;
DROP TABLE receipts;
DROP TABLE spending_reports;
