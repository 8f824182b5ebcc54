-- 0006: the reason a late-pregnancy move went ahead (the Ter Apel exception).
ALTER TABLE moves ADD COLUMN exception_reason TEXT NOT NULL DEFAULT '';
