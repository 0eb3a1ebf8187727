package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL search started ahead ({@link Main#searchesDevices}): only for a {@code train} that will search
 * ({@code --device auto}, the default), never where a device is named, a checkpoint resumed (its device may be
 * another) or help asked for; a search started ahead gives what a search started on demand gives.
 */
class DiscoveryAheadTest {
  @Test
  void onlyATrainWithTheAutomaticDeviceSearchesAhead() {
    assertTrue(Main.searchesDevices(new String[] {"train"}), "the seed's run");
    assertTrue(Main.searchesDevices(new String[] {"train", "--data", "xor", "--epochs", "3"}), "auto by default");
    assertFalse(Main.searchesDevices(new String[] {}), "no command");
    assertFalse(Main.searchesDevices(new String[] {"devices"}), "another command searches when it runs");
    assertFalse(Main.searchesDevices(new String[] {"train", "--device", "reference"}), "a device named");
    assertFalse(Main.searchesDevices(new String[] {"train", "--device=cl:0:0"}), "a device named, = form");
    assertFalse(Main.searchesDevices(new String[] {"train", "--resume", "a.ckpt"}), "resumed");
    assertFalse(Main.searchesDevices(new String[] {"train", "--help"}), "help");
    assertFalse(Main.searchesDevices(new String[] {"train", "-h"}), "help, short");
  }

  /**
   * Child JVMs, OpenCL present and hidden (an empty vendors folder): {@code train} searching ahead prints what
   * {@code train --device auto} (searching on demand) prints, stdout and stderr, but the timings.
   */
  @Test
  void aSearchStartedAheadPrintsWhatASearchOnDemandPrints(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path empty = java.nio.file.Files.createDirectories(dir.resolve("no-icd"));
    for (java.util.Map<String, String> env : List.of(java.util.Map.<String, String>of(),
        java.util.Map.of("OCL_ICD_VENDORS", empty.toString()))) {
      Cli ahead = Cli.runInChild(env, dir, "train", "--data", "xor", "--epochs", "20");
      Cli onDemand = Cli.runInChild(env, dir, "train", "--data", "xor", "--epochs", "20", "--device", "auto");
      assertEquals(0, ahead.exit(), ahead.err());
      assertEquals(untimed(onDemand.out()), untimed(ahead.out()), "stdout, " + env);
      assertEquals(onDemand.err(), ahead.err(), "stderr, " + env);
    }
  }

  /** The output without its timings ("20 in 0.004 s (5000 epochs/s)"). */
  private static String untimed(String out) {
    return out.replaceAll("in [0-9.]+ s \\([0-9]+ epochs/s\\)", "in T");
  }
}
