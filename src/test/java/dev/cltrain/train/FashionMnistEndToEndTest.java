package dev.cltrain.train;

import dev.cltrain.testing.Trainers;

import dev.cltrain.device.Trainer;
import dev.cltrain.nn.Optimizer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.data.TrainingData;
import dev.cltrain.data.MnistDir;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.testing.OpenClDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end on real data: a small relu net with softmax/cross-entropy and Adam, trained in mini-batches on
 * the first 3000 Fashion-MNIST training images, must classify the first 1000 test images far better than
 * chance (10 classes: 0.10). Three epochs reach about 0.75 here; 0.6 leaves a wide margin and still fails
 * any broken kernel. Runs on the reference and every OpenCL device. Needs Debian's dataset-fashion-mnist
 * (.ci/run installs it); with CI=true its absence is a failure.
 */
class FashionMnistEndToEndTest {
  static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
  static final double BEATS_CHANCE = 0.6;
  private static DataSet train;
  private static DataSet test;

  @BeforeAll
  static void load() {
    if (!Files.isDirectory(FASHION)) {
      if (OpenClDevices.ci()) {
        throw new AssertionError("CI=true but " + FASHION + " is missing: apt-get install dataset-fashion-mnist");
      }
      assumeTrue(false, FASHION + " is missing (apt-get install dataset-fashion-mnist)");
    }
    TrainingData all = MnistDir.load(FASHION);
    train = all.train().rows(IntStream.range(0, 3000).toArray(), "fashion train[0:3000]");
    test = all.test().rows(IntStream.range(0, 1000).toArray(), "fashion test[0:1000]");
  }

  static Stream<String> devices() {
    return Stream.concat(Stream.of("reference"), OpenClDevices.all().stream().map(ClDevice::ref));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void aSmallReluNetLearnsFashionMnistFarBetterThanChance(String device) {
    NumpyRandom random = new NumpyRandom(0);
    Network start = Network.init(new int[] {784, 64, 10}, Activation.RELU, Loss.XENT, Init.HE, random);
    Settings settings = new Settings(Optimizer.adam(1e-3f), 64, random);
    try (Trainer trainer = device.equals("reference") ? Trainers.reference(start, train, settings)
        : Trainers.openCl(OpenClDevices.all().stream().filter(d -> d.ref().equals(device)).findFirst().orElseThrow(),
            KernelSource.classpath(), start, train, settings)) {
      for (int epoch = 0; epoch < 3; epoch++) {
        trainer.epoch(true);
      }
      double accuracy = trainer.evaluate(test, false).accuracy();
      assertTrue(accuracy > BEATS_CHANCE, "test accuracy " + accuracy + " after 3 epochs on 3000 images");
    }
  }
}
