package gatehouse.platform;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

@Configuration
@EnableConfigurationProperties(GatehouseProperties.class)
class PlatformConfig {

    /**
     * Every JSON answer of a controller (problem details too) ends with a newline, so a shell prompt
     * or the next command's output never runs on from it ({@code curl … && echo done}).
     */
    @Bean
    JacksonJsonHttpMessageConverter jsonEndingWithNewline(JsonMapper mapper) {
        return new JacksonJsonHttpMessageConverter(mapper) {
            @Override
            protected void writeSuffix(JsonGenerator generator, Object object) {
                generator.writeRaw('\n');
            }
        };
    }
}
