package dev.cltrain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The package structure README's "Design" section draws, checked with ArchUnit on the compiled main classes: no
 * two packages depend on each other in a cycle (the root package, the public API's facades, is a package of its
 * own); nothing outside the CLI imports it; the CLI is built on the public API (dev.cltrain and its value
 * packages) and reaches no internal package, but for the report of {@code cltrain verify}; only dev.cltrain.opencl
 * touches JOCL.
 */
@AnalyzeClasses(packages = "dev.cltrain", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  /** Every package of cltrain is a slice of its own, {@code dev.cltrain} included; other classes are ignored. */
  static final SliceAssignment EACH_PACKAGE = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      String p = javaClass.getPackageName();
      return p.equals("dev.cltrain") || p.startsWith("dev.cltrain.") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
    }

    @Override
    public String getDescription() {
      return "each package of dev.cltrain";
    }
  };

  @ArchTest
  static final ArchRule noPackageCycles = slices().assignedFrom(EACH_PACKAGE).should().beFreeOfCycles();

  @ArchTest
  static final ArchRule nothingOutsideTheCliImportsIt = noClasses().that().resideOutsideOfPackage("dev.cltrain.cli")
      .should().dependOnClassesThat().resideInAPackage("dev.cltrain.cli");

  /** The internals: the kernel contract's implementations and the training engine. */
  static final DescribedPredicate<JavaClass> INTERNAL = JavaClass.Predicates.resideInAnyPackage(
      "dev.cltrain.backend", "dev.cltrain.reference", "dev.cltrain.opencl", "dev.cltrain.train")
      .and(DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(dev.cltrain.train.DeviceCheck.class)))
      .as("an internal package (backend, reference, opencl, train; verify's DeviceCheck excepted)");

  @ArchTest
  static final ArchRule theCliUsesThePublicApiOnly = noClasses().that().resideInAPackage("dev.cltrain.cli")
      .should().dependOnClassesThat(INTERNAL);

  @ArchTest
  static final ArchRule onlyTheOpenClPackageUsesJocl = noClasses().that().resideOutsideOfPackage("dev.cltrain.opencl")
      .should().dependOnClassesThat().resideInAPackage("org.jocl..");

  /**
   * A run parses --net once: the CLI through WorkloadOptions.netSpec() (which keeps what it parsed), the cluster's
   * driver through SparkTrain.network(), called once per run; nothing else outside nn parses a spec.
   */
  @ArchTest
  static final ArchRule netSpecIsParsedInOnePlacePerCommand = noClasses()
      .that().resideOutsideOfPackage("dev.cltrain.nn")
      .should().callMethodWhere(DescribedPredicate.describe("NetSpec.parse called outside WorkloadOptions.netSpec "
          + "and SparkTrain.network", call -> call.getTarget().getOwner().isEquivalentTo(dev.cltrain.nn.NetSpec.class)
          && call.getTarget().getName().equals("parse")
          && !(call.getOrigin().getOwner().getSimpleName().equals("WorkloadOptions")
              && call.getOrigin().getName().equals("netSpec"))
          && !(call.getOrigin().getOwner().getSimpleName().equals("SparkTrain")
              && call.getOrigin().getName().equals("network"))));
}
