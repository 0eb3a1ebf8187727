package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on the Java reference in a JVM without {@code --add-modules jdk.incubator.vector} runs the plain loops,
 * several times slower (issue 22): one warning line says so and names the flag, once however many products run;
 * with the module, or with the plain loops chosen ({@code -Dcltrain.plainMatmul=true}, as CLTRAIN_PLAIN_JAVA=1
 * passes), nothing is said. Child JVMs, as the test JVM has the module.
 */
class VectorModuleNoticeTest {
  static final String FLAG = "--add-modules jdk.incubator.vector";
  /** Products of 64·12·16 multiply-adds and more: large enough for the Vector API loops. */
  static final String[] TRAIN = {"train", "--device", "reference", "--data", "random:300x12x4", "--layers", "12,16,4",
      "--batch-size", "64", "--epochs", "3", "--quiet"};

  @TempDir
  Path dir;

  private long notices(List<String> jvmOptions) throws Exception {
    Cli run = Cli.runInChild(jvmOptions, dir, TRAIN);
    assertEquals(0, run.exit(), run.toString());
    return run.err().lines().filter(l -> l.contains(FLAG)).count();
  }

  @Test
  void withoutTheVectorModuleOneLineNamesTheFlagOnce() throws Exception {
    assertEquals(1, notices(List.of()), "one line naming " + FLAG);
  }

  @Test
  void withTheModuleOrThePlainLoopsChosenNothingIsSaid() throws Exception {
    assertEquals(0, notices(List.of("--add-modules", "jdk.incubator.vector")), "the module is there");
    assertEquals(0, notices(List.of("-Dcltrain.plainMatmul=true")), "the plain loops were chosen");
  }
}
