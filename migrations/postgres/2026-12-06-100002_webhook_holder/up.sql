-- Which worker holds a subscription's queue until `delivering_until`: it renews the hold before
-- each message and releases only its own, so a slow worker and the one that took over after its
-- lease never post the same message.
ALTER TABLE webhook_subscriptions ADD COLUMN delivering_by TEXT;
