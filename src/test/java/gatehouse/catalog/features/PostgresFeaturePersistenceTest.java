package gatehouse.catalog.features;

import org.springframework.test.context.ContextConfiguration;

import gatehouse.testing.TestDatabase;

/** The feature inventory on a real PostgreSQL server. */
@ContextConfiguration(initializers = TestDatabase.Postgres.class)
class PostgresFeaturePersistenceTest extends AbstractFeaturePersistenceTest {
}
