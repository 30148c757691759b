package gatehouse.catalog.features;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

@Configuration
@EnableConfigurationProperties(ProvisioningProperties.class)
class FeaturesConfig {
}
