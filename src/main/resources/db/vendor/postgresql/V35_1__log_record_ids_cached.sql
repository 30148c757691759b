-- Nothing to change here (see db/vendor/h2): PostgreSQL draws a sequence value without writing a
-- page, and its sequence cache is per connection, so a cache would let a later batch take lower ids
-- than an earlier one from another connection and break the id order the hash chain is read in.
SELECT 1;
