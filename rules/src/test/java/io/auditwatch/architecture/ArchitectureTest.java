package io.auditwatch.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The engine library's package graph, from the bottom up: {@code state}, {@code identity}, {@code formats} (log files,
 * cloud exports) → {@code event} → {@code alert}, {@code objects} → {@code engine} (the analysis and detection
 * interfaces, the rule engine) → {@code dedup}, {@code nodegraph} (the node rules), {@code language} (the rule
 * language) → {@code analyses} (what a host runs) → {@code replay} → {@code catalogue} (fixtures, coverage table).
 * A cycle between packages, or the engine reaching up to what runs on it, fails here.
 */
class ArchitectureTest {
    private static final JavaClasses ENGINE_LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.auditwatch");

    @Test
    void shouldHaveNoCycleBetweenPackages() {
        slices().matching("io.auditwatch.(*)..").should().beFreeOfCycles().check(ENGINE_LIBRARY);
    }

    @Test
    void shouldKeepTheEngineAndTheEventModelFreeOfTheAnalysesTheyRun() {
        noClasses().that().resideInAnyPackage("io.auditwatch.engine..", "io.auditwatch.event..",
                        "io.auditwatch.identity..", "io.auditwatch.state..", "io.auditwatch.formats..",
                        "io.auditwatch.alert..", "io.auditwatch.objects..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.language..", "io.auditwatch.nodegraph..",
                        "io.auditwatch.dedup..", "io.auditwatch.analyses..", "io.auditwatch.replay..",
                        "io.auditwatch.catalogue..")
                .check(ENGINE_LIBRARY);
    }

    @Test
    void shouldLeaveTheWiringOfAnalysesToTheHosts() {
        noClasses().that().resideInAnyPackage("io.auditwatch.language..", "io.auditwatch.nodegraph..",
                        "io.auditwatch.dedup..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.analyses..", "io.auditwatch.replay..",
                        "io.auditwatch.catalogue..")
                .check(ENGINE_LIBRARY);
    }
}
