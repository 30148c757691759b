package gatehouse.platform;

import java.util.List;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

@Configuration
@EnableConfigurationProperties({GatehouseProperties.class, OutboundProperties.class})
class PlatformConfig implements WebMvcConfigurer {

    /**
     * Every JSON answer of a controller (problem details too) ends with a newline, so a shell prompt
     * or the next command's output never runs on from it ({@code curl … && echo done}). The JSON
     * converter is replaced in its own place: byte arrays and strings keep going to their converters.
     */
    @Override
    public void extendMessageConverters(List<HttpMessageConverter<?>> converters) {
        for (int i = 0; i < converters.size(); i++) {
            if (converters.get(i) instanceof JacksonJsonHttpMessageConverter json && !(json instanceof EndingWithNewline)) {
                converters.set(i, new EndingWithNewline(json.getMapper()));
            }
        }
    }

    private static final class EndingWithNewline extends JacksonJsonHttpMessageConverter {
        EndingWithNewline(JsonMapper mapper) {
            super(mapper);
        }

        @Override
        protected void writeSuffix(JsonGenerator generator, Object object) {
            generator.writeRaw('\n');
        }
    }
}
