-- Whether a log record's token count is an estimate: texts over gatehouse.audit.exact-token-chars
-- are counted from samples. Null for records written before this column (their counts may be
-- either); the hash chain covers the value of records that have one.
ALTER TABLE log_records ADD COLUMN tokens_estimated BOOLEAN;
