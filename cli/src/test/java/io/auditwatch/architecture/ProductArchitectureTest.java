package io.auditwatch.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The whole product's package graph, every module on the command line's class path (the engine library's own
 * layering is guarded by the rules module's ArchitectureTest): no cycle between packages, and the commands
 * ({@code cli}) at the top, which nothing below reaches up to.
 */
class ProductArchitectureTest {
    private static final JavaClasses PRODUCT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // In `mvn verify` the other modules' test-jars are on the class path too: their tests are not the product.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.auditwatch");

    @Test
    void shouldSeeEveryModule() {
        // From class directories in a reactor build, from jars otherwise: either way every module is checked.
        for (String type : new String[] {"io.auditwatch.cli.Main", "io.auditwatch.detector.DetectorApp",
                "io.auditwatch.ingest.AuditProducer", "io.auditwatch.notify.Notifier", "io.auditwatch.kafka.KafkaAdmin",
                "io.auditwatch.broker.EmbeddedKafka", "io.auditwatch.nodegraph.NodeGraph"}) {
            assertTrue(PRODUCT.contain(type), type + " is among the classes checked");
        }
    }

    @Test
    void shouldHaveNoCycleBetweenPackagesOfAnyModule() {
        slices().matching("io.auditwatch.(*)..").should().beFreeOfCycles().check(PRODUCT);
    }

    @Test
    void shouldKeepTheCommandsOnTop() {
        noClasses().that().resideOutsideOfPackage("io.auditwatch.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.auditwatch.cli..")
                .check(PRODUCT);
    }
}
