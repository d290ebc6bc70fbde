ALTER TABLE webhook_subscriptions DROP COLUMN delivering_by;
