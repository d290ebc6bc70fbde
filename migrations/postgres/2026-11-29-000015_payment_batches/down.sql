DROP INDEX payment_batch_items_one_open;
DROP TABLE payment_batch_items;
DROP INDEX payment_batches_fund;
DROP TABLE payment_batches;
ALTER TABLE funds DROP COLUMN debtor_bic;
ALTER TABLE funds DROP COLUMN debtor_iban;
ALTER TABLE funds DROP COLUMN debtor_name;
