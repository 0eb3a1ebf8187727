package dev.cltrain.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The convolutions' tuner (issue 28): a first tuning within its budget times the default plan and caches the rest
 * as untried, beside the matmul plans under the device's key + " | conv"; a later run uses the cached plan as it
 * is; {@code --retune} times one more candidate per run until every one was timed; an unreadable entry is tuned
 * again; and a candidate whose kernel stores other bits than the default's is never chosen for that kernel.
 */
class ConvTunerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private JsonNode entry(ClDevice cpu) throws Exception {
    return JSON.readTree(dir.resolve("matmul-plans.json").toFile()).get(MatmulTuner.key(cpu) + ConvTuner.SUFFIX);
  }

  @Test
  void aFirstTuningCachesTheRestAndRetuneGoesOnUntilEveryCandidateWasTimed() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    MatmulPlan matmul = MatmulPlan.blocked(MatmulPlan.tileFor(cpu), 4, 16);
    int candidates = ConvPlan.candidates(ConvPlan.lanes(matmul)).size();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream before = System.err;
    try (CacheFolder cache = CacheFolder.use(dir); MatmulTunerTest.Budget budget = new MatmulTunerTest.Budget("0")) {
      MatmulTuner.forgetThisRun();
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(ConvPlan.DEFAULT, ConvTuner.planFor(cpu, KernelSource.classpath(), matmul), "budget 0: the default");
      System.setErr(before);
      assertTrue(err.toString(StandardCharsets.UTF_8).contains(cpu.ref() + ": first use: timing convolution kernels'"
          + " blocks (" + candidates + " candidates"), err.toString(StandardCharsets.UTF_8));
      assertEquals(candidates - 1, entry(cpu).get("untried").size(), entry(cpu).toString());
      MatmulTuner.forgetThisRun(); // a new process without --retune: the cached plan, nothing timed
      err.reset();
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(ConvPlan.DEFAULT, ConvTuner.planFor(cpu, KernelSource.classpath(), matmul));
      System.setErr(before);
      assertEquals("", err.toString(StandardCharsets.UTF_8), "nothing timed, nothing said");
      assertEquals(ConvPlan.DEFAULT, ConvPlan.known(cpu), "what cltrain devices shows");
      for (int run = 2; run < candidates; run++) {
        MatmulTuner.forgetThisRun(); // a new process, with --retune
        MatmulTuner.retune();
        assertNotNull(ConvTuner.planFor(cpu, KernelSource.classpath(), matmul));
        assertEquals(candidates - run, entry(cpu).get("untried").size(), "run " + run + " timed one more: " + entry(cpu));
      }
      MatmulTuner.forgetThisRun();
      MatmulTuner.retune();
      ConvPlan last = ConvTuner.planFor(cpu, KernelSource.classpath(), matmul);
      assertEquals(last.spec(), entry(cpu).asText(), "every candidate timed: the plain spec, final");
      Files.writeString(dir.resolve("matmul-plans.json"), JSON.createObjectNode()
          .put(MatmulTuner.key(cpu) + ConvTuner.SUFFIX, "conv:9/9x9x9/9x9").toString());
      MatmulTuner.forgetThisRun(); // an unreadable entry: tuned again
      assertEquals(ConvPlan.DEFAULT, ConvTuner.planFor(cpu, KernelSource.classpath(), matmul));
      assertEquals(candidates - 1, entry(cpu).get("untried").size(), entry(cpu).toString());
    } finally {
      System.setErr(before);
      MatmulTuner.forgetThisRun();
    }
  }

  @Test
  void aCandidateWhoseWeightGradientIsWrongIsNeverChosenForIt() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    MatmulPlan matmul = MatmulPlan.blocked(MatmulPlan.tileFor(cpu), 4, 16);
    // the 6-row blocks drop the last term of every dW sum: wrong, and no slower
    OpenClKernelFiles.copyWithChange(dir, "conv_backward.cl", "const int depth = min(CB_KC, k - kb);",
        "const int depth = min(CB_KC, k - kb) - (CB_RM == 6 && kb + CB_KC >= k ? 1 : 0);");
    ConvPlan wrong = new ConvPlan(1, 6, 2, 128, 2, 4);
    ConvTuner.Tuning tuning = ConvTuner.fastest(cpu, KernelSource.folder(dir), matmul, List.of(ConvPlan.DEFAULT, wrong),
        Long.MAX_VALUE, 2);
    assertNotNull(tuning.best());
    assertEquals(ConvPlan.DEFAULT.gradientRows(), tuning.best().gradientRows(), "the default's dW block: " + tuning);
    assertEquals(ConvPlan.DEFAULT.gradientVectors(), tuning.best().gradientVectors(), tuning.toString());
    assertTrue(tuning.untried().isEmpty(), tuning.toString());
  }

  /**
   * A simulator (Oclgrind) gets the default plans untimed (the matmul tuner's first candidate, the default
   * convolution plan): its timings say nothing of hardware, and under
   * scripts/oclgrind-check the tuner's shapes took more than five minutes of CI's fifteen. (The device is made up:
   * a tuning would fail to open it and still memoize the default, which {@link ConvTuner#cachedPlan} would then say.)
   */
  @Test
  void aSimulatorGetsTheDefaultPlansWithoutATuning() {
    ClDevice simulator = new ClDevice(7, 0, "Oclgrind", "Oclgrind Simulator", "none", ClDevice.Type.GPU, 1, 1L << 30,
        1L << 28, 256, 32768, "OpenCL 1.2 (Oclgrind 21.10)", "21.10", true, true, true, null, null);
    assertTrue(simulator.simulator());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream before = System.err;
    try (CacheFolder cache = CacheFolder.use(dir)) {
      MatmulTuner.forgetThisRun();
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      MatmulPlan matmul = MatmulPlan.forDevice(simulator, KernelSource.classpath());
      ConvPlan conv = ConvPlan.forDevice(simulator, KernelSource.classpath(), matmul);
      System.setErr(before);
      assertEquals(MatmulTuner.candidates(simulator).get(0), matmul, "the matmul tuner's first candidate");
      assertEquals(ConvPlan.DEFAULT, conv);
      assertEquals("", err.toString(StandardCharsets.UTF_8), "no tuning said it was timing anything");
      assertEquals(null, ConvTuner.cachedPlan(simulator), "no convolution plan was memoized or cached");
    } finally {
      System.setErr(before);
    }
  }

}
