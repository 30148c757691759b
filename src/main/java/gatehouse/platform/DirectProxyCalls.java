package gatehouse.platform;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Freezes the proxies Spring makes for {@code @Transactional} beans, so a call to one of their
 * methods without advice goes straight to the bean. Unfrozen, every such call (the catalog's and
 * the directory's snapshots, the credential vault's look-ups: several per MCP message) passes the
 * proxy's interceptor, which looks up an empty advice chain and then calls the method by reflection;
 * that was about 3% of a small call's request thread. Frozen, the proxy class is built knowing which
 * methods have advice: those keep their transaction exactly as before, the others dispatch to the
 * target directly. Nothing in the application adds advice to a proxy after it is made (which a
 * frozen proxy would refuse).
 */
@Configuration(proxyBeanMethods = false)
class DirectProxyCalls {
    @Bean
    static BeanFactoryPostProcessor frozenTransactionProxies() {
        return DirectProxyCalls::freeze;
    }

    static void freeze(ConfigurableListableBeanFactory factory) {
        if (factory.containsBeanDefinition(AopConfigUtils.AUTO_PROXY_CREATOR_BEAN_NAME)) {
            BeanDefinition creator = factory.getBeanDefinition(AopConfigUtils.AUTO_PROXY_CREATOR_BEAN_NAME);
            creator.getPropertyValues().add("frozen", Boolean.TRUE);
        }
    }
}
