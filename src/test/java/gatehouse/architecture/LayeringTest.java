package gatehouse.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering the data plane and its neighbours keep: the inner packages (catalogue, identity,
 * policy, audit, alerts, platform) know nothing of the gateway, the authorization server or the
 * connection wizard that build on them, and the gateway's own packages depend on each other in one
 * direction only (transport and sessions below the pipeline, steps above it).
 */
@AnalyzeClasses(packages = "gatehouse", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    @ArchTest
    static final ArchRule innerPackagesDoNotKnowTheOuterOnes = noClasses()
            .that().resideInAnyPackage("gatehouse.catalog..", "gatehouse.identity..", "gatehouse.policy..", "gatehouse.audit..",
                    "gatehouse.alerts..", "gatehouse.platform..")
            .should().dependOnClassesThat().resideInAnyPackage("gatehouse.gateway..", "gatehouse.authserver..", "gatehouse.connect..")
            .because("the data plane, the authorization server and the wizard build on them, not the other way round");

    @ArchTest
    static final ArchRule gatewayPackagesHaveNoCycles = slices().matching("gatehouse.gateway.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule onlyThePipelineKnowsTheSteps = noClasses()
            .that().resideInAnyPackage("gatehouse.gateway.transport..", "gatehouse.gateway.session..", "gatehouse.gateway.routing..",
                    "gatehouse.gateway.upstream..", "gatehouse.gateway.inputrequests..", "gatehouse.gateway.protocol..")
            .should().dependOnClassesThat().resideInAnyPackage("gatehouse.gateway.pipeline..", "gatehouse.gateway.steps..")
            .because("lower layers reach the steps only through RelayScreen and ListFilter");

    @ArchTest
    static final ArchRule servletTypesStayInTheTransport = noClasses()
            .that().resideInAPackage("gatehouse.gateway..").and().resideOutsideOfPackage("gatehouse.gateway.transport..")
            .should().dependOnClassesThat().resideInAPackage("jakarta.servlet..");
}
