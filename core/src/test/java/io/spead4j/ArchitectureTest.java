package io.spead4j;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The package rules of DESIGN.md: dependencies point one way and form no cycle. */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.spead4j");

    @Test
    void rootImportsNoSubpackage() {
        noClasses().that().resideInAPackage("io.spead4j")
                .should().dependOnClassesThat().resideInAnyPackage("io.spead4j.wire..", "io.spead4j.recv..",
                        "io.spead4j.send..", "io.spead4j.net..", "io.spead4j.tools..")
                .check(CORE);
    }

    @Test
    void wireImportsOnlyTheRoot() {
        noClasses().that().resideInAPackage("io.spead4j.wire..")
                .should().dependOnClassesThat().resideInAnyPackage("io.spead4j.recv..", "io.spead4j.send..",
                        "io.spead4j.net..", "io.spead4j.tools..")
                .check(CORE);
    }

    @Test
    void recvAndSendNeverImportEachOther() {
        noClasses().that().resideInAPackage("io.spead4j.recv..")
                .should().dependOnClassesThat().resideInAnyPackage("io.spead4j.send..", "io.spead4j.tools..")
                .check(CORE);
        noClasses().that().resideInAPackage("io.spead4j.send..")
                .should().dependOnClassesThat().resideInAnyPackage("io.spead4j.recv..", "io.spead4j.tools..")
                .check(CORE);
    }

    @Test
    void netServesRecvAndSendAndImportsNeither() {
        noClasses().that().resideInAPackage("io.spead4j.net..")
                .should().dependOnClassesThat().resideInAnyPackage("io.spead4j.recv..", "io.spead4j.send..",
                        "io.spead4j.tools..")
                .check(CORE);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.spead4j.(*)..").should().beFreeOfCycles().allowEmptyShould(true).check(CORE);
    }
}
