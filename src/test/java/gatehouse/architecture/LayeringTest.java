package gatehouse.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Map;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The layering the data plane and its neighbours keep: the inner packages (catalogue, identity,
 * policy, audit, alerts, platform) know nothing of the gateway, the authorization server or the
 * connection wizard that build on them, and the gateway's own packages depend on each other in one
 * direction only (transport and sessions below the pipeline, steps above it). Beans are wired
 * without lazy look-ups: a cycle between beans is resolved by splitting them or by an event, not
 * hidden behind an {@code ObjectProvider}.
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

    /**
     * The classes allowed an {@code ObjectProvider} field, each with the reason: a real optional
     * bean or a look-up of many that must happen late. Empty today: every bean is injected as
     * itself or as a {@code List}.
     */
    static final Map<String, String> OBJECT_PROVIDER_ALLOWED = Map.of();

    @ArchTest
    static final ArchRule noLazyBeanLookups = classes().that().resideInAPackage("gatehouse..")
            .should(new ArchCondition<JavaClass>("hold no ObjectProvider field unless listed in OBJECT_PROVIDER_ALLOWED with a reason") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    for (JavaField f : c.getFields()) {
                        if (f.getRawType().isAssignableTo("org.springframework.beans.factory.ObjectProvider")
                                && !OBJECT_PROVIDER_ALLOWED.containsKey(c.getName())) {
                            events.add(SimpleConditionEvent.violated(f, f.getFullName() + " is an ObjectProvider: inject the bean (or a List of"
                                    + " them) and resolve a cycle by a split or an event; a true optional look-up goes into"
                                    + " OBJECT_PROVIDER_ALLOWED with its reason"));
                        }
                    }
                }
            });
}
