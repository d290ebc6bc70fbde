-- The network filters: a theme or neighbourhood is matched without regard to case, so it is
-- looked up on lower(value); a kind on its own index, in id order.
CREATE INDEX network_tags_lower_value ON network_tags (tag_type, lower(value));
CREATE INDEX networks_kind ON networks (kind, id);
