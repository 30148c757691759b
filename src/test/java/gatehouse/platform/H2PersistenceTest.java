package gatehouse.platform;

import org.springframework.test.context.ContextConfiguration;

import gatehouse.testing.TestDatabase;

/** The persistence contract on the embedded default database (an H2 file in the data directory). */
@ContextConfiguration(initializers = TestDatabase.H2.class)
class H2PersistenceTest extends AbstractPersistenceTest {
}
