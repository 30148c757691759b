package gatehouse.admin.api;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import gatehouse.audit.AdminAuditTrail;
import gatehouse.catalog.CatalogService;
import gatehouse.identity.Directory;
import gatehouse.identity.Roles;

/** The admin API's checks around every call: permissions first, then the audit trail of changes. */
@Configuration
class AdminWebConfig implements WebMvcConfigurer {
    private final AccessRules access;
    private final AdminAuditRecorder audit;

    AdminWebConfig(AdminAccess adminAccess, CatalogService catalog, AdminAuditTrail trail, Directory directory, Roles roles) {
        this.access = new AccessRules(adminAccess, catalog);
        this.audit = new AdminAuditRecorder(trail, catalog, directory, roles);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(access).addPathPatterns("/api/v1/**").excludePathPatterns("/api/v1/openapi.json");
        registry.addInterceptor(audit).addPathPatterns("/api/v1/**").excludePathPatterns("/api/v1/openapi.json");
    }
}
