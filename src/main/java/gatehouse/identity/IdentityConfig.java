package gatehouse.identity;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

@Configuration
@EnableConfigurationProperties({LoginProperties.class, UpstreamOAuthProperties.class})
class IdentityConfig {

    /** bcrypt today, behind a {@code {id}} prefix so stored hashes can move to a stronger KDF later. */
    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    LocalAccounts localAccounts(Directory directory, PasswordEncoder passwords, LoginProperties props) {
        return new LocalAccounts(directory, passwords, props);
    }
}
