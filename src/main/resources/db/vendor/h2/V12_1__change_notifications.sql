-- The embedded database serves one replica: nothing to notify (see db/vendor/postgresql).
SELECT 1;
