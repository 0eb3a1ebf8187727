package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.DeviceChoice;
import dev.cltrain.device.Trainer;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
import dev.cltrain.nn.Network;
import dev.cltrain.opencl.ClContext;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.ClKernel;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.opencl.MatmulTuner;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.opencl.OpenClKernelFiles;
import dev.cltrain.testing.CacheFolder;
import dev.cltrain.testing.OpenClDevices;
import dev.cltrain.train.FirstUseCheck;
import dev.cltrain.train.Opening;
import dev.cltrain.train.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device is checked before it is trusted (issue 11, item 14): kernels that verify would fail are refused on
 * their first use, the verdict is cached next to the matmul plans, and --no-check (DeviceChoice.withCheck(false))
 * skips the check. A sabotaged source checked with the suite's cache carries a unique comment, so each run of this
 * test is a first use; the others get a new cache folder of their own.
 */
class FirstUseCheckTest {
  @TempDir
  Path dir;

  @Test
  void aSabotagedKernelIsRefusedOnFirstUseTheVerdictIsCachedAndNoCheckSkipsIt() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    OpenClKernelFiles.copyTo(dir);
    Path batch = dir.resolve("batch.cl");
    String source = Files.readString(batch);
    String from = "if (r < rows && c < cols) {";
    assertTrue(source.contains(from), "the gather_rows line to break was found");
    Files.writeString(batch, source.replace(from, "if (r < rows && c < cols && c != 400) {")
        + "// first use " + System.nanoTime() + "\n");

    int before = FirstUseCheck.checksRun();
    Cli first = Cli.run("train", "--device", cpu.ref(), "--kernels", dir.toString(), "--epochs", "2");
    assertEquals(ExitCodes.DEVICE, first.exit(), first.toString());
    assertEquals(1, first.err().lines().count(), "one line: " + first);
    assertTrue(first.err().contains("refused: the first-use check failed: gather_rows differs from the reference"),
        first.toString());
    assertFalse(first.out().contains("Epoch "), "no training on a refused device: " + first);
    assertEquals(before + 1, FirstUseCheck.checksRun(), "the first use ran the check");

    String key = FirstUseCheck.key(new OpenClDevice(cpu, KernelSource.folder(dir)));
    String cache = Files.readString(MatmulTuner.cacheFolder().resolve(FirstUseCheck.FILE));
    assertTrue(cache.contains(key) && cache.contains("\"fail\"") && cache.contains("gather_rows"),
        "the verdict is cached next to the matmul plans: " + cache);

    Cli again = Cli.run("train", "--device", cpu.ref(), "--kernels", dir.toString(), "--epochs", "2");
    assertEquals(ExitCodes.DEVICE, again.exit(), again.toString());
    assertTrue(again.err().contains("gather_rows"), again.toString());
    assertEquals(before + 1, FirstUseCheck.checksRun(), "the second use read the cached verdict");

    Cli unchecked = Cli.run("train", "--device", cpu.ref(), "--kernels", dir.toString(), "--epochs", "2",
        "--no-check");
    assertEquals(0, unchecked.exit(), unchecked.toString());
    assertEquals(before + 1, FirstUseCheck.checksRun(), "--no-check runs no check");

    // auto (through the API, as on a machine whose auto pick is this device): one warning, the reference instead
    DataSet data = Generated.load("random:10x4x2", 1);
    Opening<Trainer> opening = Opening.trainer(new DeviceChoice(new OpenClDevice(cpu, KernelSource.folder(dir)), true,
        "auto"), Network.initNormal(new int[] {4, 2}, 1), data, Settings.fullBatchSgd(0.1f), false);
    try (Trainer fallback = opening.opened()) {
      assertTrue(opening.device().isReference(), "fell back to " + opening.device());
      assertTrue(opening.warning().startsWith("warning: ") && opening.warning().contains("gather_rows")
          && opening.warning().contains("falling back to the Java reference") && !opening.warning().contains("\n"),
          opening.warning());
    }
    // the API's switch: withCheck(false) trusts the device
    Opening<Trainer> trusted = Opening.trainer(new DeviceChoice(new OpenClDevice(cpu, KernelSource.folder(dir)), false,
        "test").withCheck(false), Network.initNormal(new int[] {4, 2}, 1), data, Settings.fullBatchSgd(0.1f), false);
    try (Trainer t = trusted.opened()) {
      assertFalse(trusted.device().isReference(), "unchecked: " + trusted.device());
    }
    assertEquals(before + 1, FirstUseCheck.checksRun(), "one check in all");
  }

  /**
   * Issue 23 item 5: the first-use check ran only the plan of small products; a matmul wrong only on the large
   * products' plan (planted in a cache of the test's own, see VerifyCommandTest) trained unchecked.
   */
  @Test
  void aMatmulWrongOnlyOnTheLargePlanIsRefusedOnFirstUse() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    // the sabotage as VerifyCommandTest plants it, byte for byte (PoCL's kernel cache may hold its builds): the
    // cache folder is the test's own and new, so this is a first use all the same
    OpenClKernelFiles.copyWithChange(dir, "matmul.cl", VerifyCommandTest.LARGE_PLAN_LINE,
        VerifyCommandTest.LARGE_PLAN_SABOTAGE);
    Path cache = Files.createTempDirectory(dir, "cache");
    try (CacheFolder use = CacheFolder.use(cache)) {
      VerifyCommandTest.plantPlans(cache, cpu);
      Cli run = Cli.run("train", "--device", cpu.ref(), "--kernels", dir.toString(), "--epochs", "2");
      assertEquals(ExitCodes.DEVICE, run.exit(), run.toString());
      assertTrue(run.err().contains("refused: the first-use check failed: matmul") && run.err().contains("192x512"),
          run.toString());
    }
  }

  /**
   * Issue 22 item 11: a cold first use was silent for minutes. Now one line before the tuning and one before the
   * check say what happens (the compiler's own output is captured and never printed without --verbose).
   */
  @Test
  void aFirstUseSaysInOneLineEachThatItTimesTheMatmulAndChecksTheKernels() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream before = System.err;
    Cli run;
    String budget = System.getProperty(MatmulTuner.BUDGET_PROPERTY);
    try (CacheFolder use = CacheFolder.use(Files.createTempDirectory(dir, "cache"))) {
      System.setProperty(MatmulTuner.BUDGET_PROPERTY, "0"); // one candidate timed: the lines, not the search, are checked
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      run = Cli.run("train", "--device", cpu.ref(), "--epochs", "2");
    } finally {
      System.setErr(before);
      if (budget == null) {
        System.clearProperty(MatmulTuner.BUDGET_PROPERTY);
      } else {
        System.setProperty(MatmulTuner.BUDGET_PROPERTY, budget);
      }
    }
    assertEquals(0, run.exit(), run.toString());
    java.util.List<String> lines = err.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("cltrain: " + cpu.ref() + ": first use: timing matmul")), lines
        .toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("cltrain: " + cpu.ref() + ": first use: checking every kernel")),
        lines.toString());
    assertTrue(lines.stream().allMatch(l -> l.startsWith("cltrain: ")), "nothing else: " + lines);
  }

  /**
   * Issue 22 item 11: a cold first use of the seed took 54 s on PoCL, most of it PoCL compiling. It compiles a
   * kernel's work-group function once per work-group size, and where the host left the size to it, it picked
   * one per range size: ten or more compiles of most kernels at the check's shapes. And the tuner built matmul.cl
   * with options of its own, so the plan it picked was built again. Now, in a cold first use (one tuning
   * candidate, so the same on any machine), each file is built with one set of options and each kernel of a build
   * is launched in one work-group size, which the host names.
   */
  @Test
  void aColdFirstUseBuildsEachFileWithOneSetOfOptionsAndLaunchesEachKernelInOneGroupSize() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    int buildsBefore = ClContext.builds().size();
    int sizesBefore = ClKernel.groupSizes().size();
    String budget = System.getProperty(MatmulTuner.BUDGET_PROPERTY);
    try (CacheFolder use = CacheFolder.use(Files.createTempDirectory(dir, "cache"))) {
      System.setProperty(MatmulTuner.BUDGET_PROPERTY, "0"); // one candidate timed
      Cli run = Cli.run("train", "--device", cpu.ref(), "--epochs", "2");
      assertEquals(0, run.exit(), run.toString());
    } finally {
      if (budget == null) {
        System.clearProperty(MatmulTuner.BUDGET_PROPERTY);
      } else {
        System.setProperty(MatmulTuner.BUDGET_PROPERTY, budget);
      }
    }
    java.util.Map<String, java.util.Set<String>> options = new java.util.TreeMap<>();
    for (String build : ClContext.builds().subList(buildsBefore, ClContext.builds().size())) {
      int space = build.indexOf(' ');
      options.computeIfAbsent(build.substring(0, space), f -> new java.util.TreeSet<>()).add(build.substring(space + 1));
    }
    assertEquals(new java.util.TreeSet<>(java.util.List.of(OpenClKernels.FILES)), options.keySet(),
        "the check builds every file");
    options.forEach((file, each) -> assertEquals(1, each.size(), file + " was built with " + each));
    java.util.Map<String, java.util.Set<String>> sizes = new java.util.TreeMap<>();
    for (String launch : ClKernel.groupSizes().subList(sizesBefore, ClKernel.groupSizes().size())) {
      int bar = launch.lastIndexOf(" | ");
      sizes.computeIfAbsent(launch.substring(0, bar), k -> new java.util.TreeSet<>()).add(launch.substring(bar + 3));
    }
    assertFalse(sizes.isEmpty(), "kernels were launched");
    sizes.forEach((kernel, each) -> assertTrue(each.size() == 1 && !each.contains("null"),
        kernel + " was launched in work-group sizes " + each + " (null: the driver's choice)"));
  }

  @Test
  void theShippedKernelsPassTheirFirstUseCheck() {
    ClDevice cpu = OpenClDevices.firstCpu();
    Cli run = Cli.run("train", "--device", cpu.ref(), "--epochs", "2");
    assertEquals(0, run.exit(), run.toString());
    String key = FirstUseCheck.key(new OpenClDevice(cpu, KernelSource.classpath()));
    String cache;
    try {
      cache = Files.readString(MatmulTuner.cacheFolder().resolve(FirstUseCheck.FILE));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    int at = cache.indexOf(key);
    assertTrue(at >= 0, cache);
    assertTrue(cache.substring(at, Math.min(cache.length(), at + key.length() + 40)).contains("\"pass\""), cache);
  }

  @Test
  void aVerdictReachedByAnotherVersionOfTheCheckIsNotTrusted() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    OpenClDevice device = new OpenClDevice(cpu, KernelSource.classpath());
    String key = FirstUseCheck.key(device);
    assertTrue(key.startsWith(device.checkKey() + " | check "), "the key names the check's version: " + key);
    Path cache = Files.createTempDirectory(dir, "cache");
    try (CacheFolder use = CacheFolder.use(cache)) {
      VerifyCommandTest.plantPlans(cache, cpu);
      // verdicts as an older check left them: under the key without the check's version, and under another version
      String planted = "{\"verdict\": \"fail\", \"failure\": \"planted by an older check\"}";
      Files.writeString(cache.resolve(FirstUseCheck.FILE), "{\"" + device.checkKey() + "\": " + planted + ", \""
          + device.checkKey() + " | check 0000000000000000\": " + planted + "}\n");
      int before = FirstUseCheck.checksRun();
      Cli run = Cli.run("train", "--device", cpu.ref(), "--epochs", "2");
      assertEquals(0, run.exit(), "the older checks' verdicts are not this check's: " + run);
      assertEquals(before + 1, FirstUseCheck.checksRun(), "this version of the check ran");
      assertTrue(Files.readString(cache.resolve(FirstUseCheck.FILE)).contains(key), "its verdict is cached");
    }
  }
}
