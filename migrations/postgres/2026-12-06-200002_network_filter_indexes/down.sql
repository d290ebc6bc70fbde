DROP INDEX networks_kind;
DROP INDEX network_tags_lower_value;
