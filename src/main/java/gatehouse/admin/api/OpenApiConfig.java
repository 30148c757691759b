package gatehouse.admin.api;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import gatehouse.gateway.upstream.Upstreams;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/** The OpenAPI document served at /api/v1/openapi.json. */
@Configuration
class OpenApiConfig {
    @Bean
    OpenAPI gatehouseOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Gatehouse admin API").version(Upstreams.VERSION)
                        .description("Configure upstream servers, gateways, assignments, API-token hosts and connections; read log records. "
                                + "Errors are RFC 9457 problem details; a `field` property names the input at fault."))
                .components(new Components().addSecuritySchemes("adminToken",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("adminToken"));
    }
}
