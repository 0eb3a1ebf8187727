package dev.cltrain.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.testing.CacheFolder;
import dev.cltrain.testing.OpenClDevices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The matmul tuner (issues 22 and 23): a cached plan the device cannot run is dropped with one warning and tuned
 * again (it aborted the JVM in PoCL); tuning stops at its budget with the best correct plan and a later run goes on
 * with the rest; a candidate whose products are wrong is never chosen, however fast.
 */
class MatmulTunerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void aCachedPlanNeedingMoreLocalMemoryThanTheDeviceHasIsDroppedWithOneWarningAndTunedAgain() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    String oversized = "blocked:4x16x4/128x4096"; // 1 MiB of local memory staged per work-group
    assertTrue(MatmulPlan.parse(oversized, 16).localBytes() > cpu.localMemBytes(), "the planted plan does not fit");
    Files.writeString(dir.resolve("matmul-plans.json"), JSON.createObjectNode().put(MatmulTuner.key(cpu), oversized)
        .toString());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream before = System.err;
    MatmulPlan plan;
    try (CacheFolder cache = CacheFolder.use(dir); Budget budget = new Budget("0")) {
      MatmulTuner.forgetThisRun();
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      plan = MatmulTuner.planFor(cpu, KernelSource.classpath());
    } finally {
      System.setErr(before);
      MatmulTuner.forgetThisRun();
    }
    assertNull(MatmulTuner.unfit(cpu, plan), "the plan used fits: " + plan.spec());
    List<String> warnings = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("warning")).toList();
    assertEquals(1, warnings.size(), err.toString(StandardCharsets.UTF_8));
    assertTrue(warnings.get(0).contains(oversized) && warnings.get(0).contains("CL_DEVICE_LOCAL_MEM_SIZE")
        && warnings.get(0).contains("tuning again"), warnings.get(0));
    JsonNode entry = JSON.readTree(dir.resolve("matmul-plans.json").toFile()).get(MatmulTuner.key(cpu));
    assertEquals(plan.spec(), entry.isObject() ? entry.get("plan").asText() : entry.asText(), "the entry was replaced");
  }

  @Test
  @Tag("slow") // times every candidate over several runs: a minute or more on two cores
  void aTuningStopsAtItsBudgetWithACorrectPlanLaterRunsKeepItAndRetuneGoesOnUntilEveryCandidateWasTimed()
      throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    int candidates = MatmulTuner.candidates(cpu).size();
    try (CacheFolder cache = CacheFolder.use(dir); Budget budget = new Budget("0")) {
      MatmulTuner.forgetThisRun();
      MatmulPlan first = MatmulTuner.planFor(cpu, KernelSource.classpath());
      MatmulTuner.forgetThisRun(); // a new process without --retune: the cached plan as it is, nothing timed
      assertEquals(first, MatmulTuner.planFor(cpu, KernelSource.classpath()));
      assertEquals(candidates - 1, JSON.readTree(dir.resolve("matmul-plans.json").toFile()).get(MatmulTuner.key(cpu))
          .get("untried").size(), "a run without --retune timed nothing more");
      for (int run = 2; run < candidates; run++) {
        MatmulTuner.forgetThisRun(); // a new process, with --retune
        MatmulTuner.retune();
        MatmulTuner.planFor(cpu, KernelSource.classpath());
        JsonNode entry = JSON.readTree(dir.resolve("matmul-plans.json").toFile()).get(MatmulTuner.key(cpu));
        assertEquals(candidates - run, entry.get("untried").size(), "run " + run + " timed one more: " + entry);
      }
      MatmulTuner.forgetThisRun();
      MatmulTuner.retune();
      MatmulPlan last = MatmulTuner.planFor(cpu, KernelSource.classpath());
      JsonNode entry = JSON.readTree(dir.resolve("matmul-plans.json").toFile()).get(MatmulTuner.key(cpu));
      assertEquals(last.spec(), entry.asText(), "every candidate timed: the plain spec, final");
    } finally {
      MatmulTuner.forgetThisRun();
    }
  }

  @Test
  void aCandidateWhoseProductsAreWrongIsNeverChosen() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    // the blocked kernels (fast on a CPU) drop the last term of every sum: wrong, and a little faster still
    OpenClKernelFiles.copyWithChange(dir, "matmul.cl", "const int depth = min(KC, k - kb);",
        "const int depth = min(KC, k - kb) - (kb + KC >= k ? 1 : 0);");
    MatmulPlan tiled = MatmulPlan.tiled(MatmulPlan.tileFor(cpu));
    MatmulPlan blocked = MatmulPlan.blocked(MatmulPlan.tileFor(cpu), 4, 16, 1, 32, 64);
    MatmulTuner.Tuning tuning = MatmulTuner.fastest(cpu, KernelSource.folder(dir), false, List.of(blocked, tiled),
        Long.MAX_VALUE, 2);
    assertEquals(tiled, tuning.best(), "the only correct candidate");
    MatmulTuner.Tuning honest = MatmulTuner.fastest(cpu, KernelSource.classpath(), false, List.of(blocked, tiled),
        Long.MAX_VALUE, 2);
    assertTrue(honest.best() != null && honest.untried().isEmpty(), "with the shipped kernels both count: " + honest);
  }

  /** The tuning budget ({@link MatmulTuner#BUDGET_PROPERTY}) set until closed. */
  static final class Budget implements AutoCloseable {
    private final String before = System.getProperty(MatmulTuner.BUDGET_PROPERTY);

    Budget(String seconds) {
      System.setProperty(MatmulTuner.BUDGET_PROPERTY, seconds);
    }

    @Override
    public void close() {
      if (before == null) {
        System.clearProperty(MatmulTuner.BUDGET_PROPERTY);
      } else {
        System.setProperty(MatmulTuner.BUDGET_PROPERTY, before);
      }
    }
  }
}
