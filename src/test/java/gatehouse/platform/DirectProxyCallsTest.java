package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;

class DirectProxyCallsTest {

    /** A bean with one transactional method and one plain read, as the catalog and the directory have. */
    static class Store {
        @Transactional
        public boolean change() {
            return TransactionSynchronizationManager.isActualTransactionActive();
        }

        /** The frames between the caller (this test) and this method. */
        public List<String> read() {
            return Arrays.stream(new Throwable().getStackTrace()).skip(1).map(StackTraceElement::getClassName)
                    .takeWhile(frame -> !frame.equals(DirectProxyCallsTest.class.getName())).toList();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement(proxyTargetClass = true)
    static class Transactions {
        @Bean
        DataSource dataSource() {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL("jdbc:h2:mem:direct-proxy-calls;DB_CLOSE_DELAY=-1");
            return ds;
        }

        @Bean
        PlatformTransactionManager transactionManager(DataSource ds) {
            return new DataSourceTransactionManager(ds);
        }

        @Bean
        Store store() {
            return new Store();
        }
    }

    @Test
    void aPlainMethodOfATransactionalBeanIsCalledWithoutTheProxysInterceptor() {
        try (var ctx = new AnnotationConfigApplicationContext(Transactions.class, DirectProxyCalls.class)) {
            Store store = ctx.getBean(Store.class);
            assertThat(AopUtils.isAopProxy(store)).isTrue();
            assertThat(((Advised) store).isFrozen()).isTrue();
            assertThat(store.read()).noneMatch(frame -> frame.startsWith("org.springframework.aop"))
                    .noneMatch(frame -> frame.startsWith("java.lang.reflect") || frame.startsWith("jdk.internal.reflect"));
            // the advised method keeps its transaction
            assertThat(store.change()).isTrue();
        }
    }

    @Test
    void withoutItThePlainCallPassesTheInterceptorAndReflection() {
        try (var ctx = new AnnotationConfigApplicationContext(Transactions.class)) {
            Store store = ctx.getBean(Store.class);
            assertThat(((Advised) store).isFrozen()).isFalse();
            assertThat(store.read()).anyMatch(frame -> frame.startsWith("org.springframework.aop"));
            assertThat(store.change()).isTrue();
        }
    }
}
