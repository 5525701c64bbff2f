package dev.flowgate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The core's layering, checked on its compiled classes (tests and other modules left out), so that a
 * change that breaks a rule fails the build instead of waiting for a reviewer to notice.
 */
class ArchitectureTest {

    private static final JavaClasses CORE = importCore();

    @Test
    void thePaymentDomainImportsNothingOfOurs() {
        noClasses().that().resideInAPackage("dev.flowgate.payment..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.flowgate.payment..", "java..")
                .check(CORE);
    }

    @Test
    void capabilitiesHaveNoCycles() {
        slices().matching("dev.flowgate.(*)..").should().beFreeOfCycles().check(CORE);
    }

    @Test
    void adaptersAreReachedOnlyFromTheCompositionRoot() {
        classes().that().resideInAPackage("dev.flowgate.store.sqlite..")
                .should().onlyHaveDependentClassesThat()
                .resideInAnyPackage("dev.flowgate.store.sqlite..", "dev.flowgate")
                .check(CORE);
    }

    @Test
    void capabilitiesDoNotReachBackIntoTheCompositionRoot() {
        noClasses().that().resideInAPackage("dev.flowgate.*..")
                .should().dependOnClassesThat().resideInAPackage("dev.flowgate")
                .check(CORE);
    }

    @Test
    void theCoreKnowsNothingOfTheServerOrTheTestkit() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("dev.flowgate.server..", "dev.flowgate.testkit..", "dev.flowgate.cli..")
                .check(CORE);
    }

    @Test
    void onlyTheHttpClientOpensSockets() {
        noClasses().that().resideOutsideOfPackage("dev.flowgate.http.client..")
                .should().dependOnClassesThat().areAssignableTo(java.net.Socket.class)
                .check(CORE);
    }

    /** The classes of this module only: the directory (or jar) that {@link Flowgate} was loaded from. */
    private static JavaClasses importCore() {
        try {
            Path location = Path.of(Flowgate.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new ClassFileImporter().importPath(location);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
