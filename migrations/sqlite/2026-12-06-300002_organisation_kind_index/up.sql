-- The organisation list's kind filter, read per municipality in id order on its own index
-- (it was checked row by row along the municipality's organisations).
CREATE INDEX organisations_municipality_kind ON organisations (municipality_id, kind, id);
