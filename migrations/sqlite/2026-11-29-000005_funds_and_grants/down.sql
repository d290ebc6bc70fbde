DROP TABLE ledger_entries;
DROP TABLE tranches;
DROP TABLE grants;
DROP TABLE funds;
