package gatehouse.catalog.features;

import org.springframework.test.context.ContextConfiguration;

import gatehouse.testing.TestDatabase;

/** The feature inventory on the embedded default database. */
@ContextConfiguration(initializers = TestDatabase.H2.class)
class H2FeaturePersistenceTest extends AbstractFeaturePersistenceTest {
}
