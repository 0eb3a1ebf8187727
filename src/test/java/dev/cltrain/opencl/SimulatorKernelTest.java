package dev.cltrain.opencl;

import dev.cltrain.testing.Trainers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.train.DeviceCheckAccess;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.reference.ReferenceKernels;
import dev.cltrain.train.Settings;
import dev.cltrain.device.Trainer;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every kernel, each matmul strategy, and short trainings on Oclgrind, the OpenCL device simulator, which
 * reports out-of-bounds accesses, data races, uninitialised reads and API misuse (scripts/oclgrind-check runs
 * this with those checks on and fails on any report). Skipped unless CLTRAIN_OCLGRIND=1: a simulator is
 * thousands of times slower than a device, so shapes are small, but cover ones, primes and block edges.
 */
@Tag("slow")
class SimulatorKernelTest {
  private static ClDevice oclgrind() {
    assumeTrue("1".equals(System.getenv("CLTRAIN_OCLGRIND")), "set CLTRAIN_OCLGRIND=1 (scripts/oclgrind-check)");
    for (ClDevice d : ClRuntime.discover().devices()) {
      if (d.platformName().contains("Oclgrind")) {
        return d;
      }
    }
    fail("CLTRAIN_OCLGRIND=1 but no Oclgrind device: " + ClRuntime.discover());
    return null;
  }

  @Test
  void everyKernelWithEachMatmulStrategyMatchesTheReferenceUnderTheSimulator() {
    ClDevice device = oclgrind();
    int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {17, 13, 9}};
    ReferenceKernels reference = new ReferenceKernels();
    for (MatmulPlan plan : List.of(MatmulPlan.tiled(MatmulPlan.tileFor(device)), MatmulPlan.tiled(4),
        // small panels and depths: the shapes cross them (17 rows, k = 9), and Oclgrind counts the local memory
        // of all five matmul kernels of the program against its 32 KiB
        MatmulPlan.blocked(MatmulPlan.tileFor(device), 4, 16, 1, 8, 4),
        MatmulPlan.blocked(MatmulPlan.tileFor(device), 3, 4, 2, 5, 3))) {
      try (OpenClKernels kernels = new OpenClKernels(device, KernelSource.classpath(), false, plan)) {
        for (String kernel : DeviceCheckAccess.kernels()) {
          if (!kernel.startsWith("matmul") && plan != null && !plan.equals(MatmulPlan.tiled(MatmulPlan.tileFor(device)))) {
            continue; // the other kernels do not depend on the matmul plan: once is enough
          }
          if (DeviceCheckAccess.conv(kernel) || DeviceCheckAccess.recurrent(kernel)) {
            continue; // images and sequences: the two tests below
          }
          for (int[] s : shapes) {
            for (int activation : new int[] {0, 1, 2, 3}) {
              float[] expected = DeviceCheckAccess.exec(kernel, reference, s, activation, 5);
              float[] actual = DeviceCheckAccess.exec(kernel, kernels, s, activation, 5);
              assertTrue(DeviceCheckAccess.excess(kernel, expected, actual) <= 0,
                  kernel + " " + plan.describe() + " at " + s[0] + "x" + s[1] + "x" + s[2] + " activation " + activation);
            }
          }
        }
      }
    }
  }

  /**
   * each of recurrent.cl's kernels (the step kernels run every step, with the recurrent matmuls between them, as a
   * layer does) at the small cases of verify's: batch 1 with T = 1 and H = 1, odd H and prime F, V = 1 (padding
   * only), with lengths drawn in [0, T] and both outputs.
   */
  @Test
  void recurrentKernelsMatchTheReferenceUnderTheSimulator() {
    ClDevice device = oclgrind();
    ReferenceKernels reference = new ReferenceKernels();
    try (OpenClKernels kernels = new OpenClKernels(device, KernelSource.classpath(), false,
        MatmulPlan.tiled(MatmulPlan.tileFor(device)))) {
      int checked = 0;
      for (String kernel : DeviceCheckAccess.kernels()) {
        if (!DeviceCheckAccess.recurrent(kernel)) {
          continue;
        }
        checked++;
        for (int[] s : java.util.Arrays.copyOf(DeviceCheckAccess.shapesFor(kernel), 5)) {
          float[] expected = DeviceCheckAccess.exec(kernel, reference, s, -1, 7);
          float[] actual = DeviceCheckAccess.exec(kernel, kernels, s, -1, 7);
          assertTrue(DeviceCheckAccess.excess(kernel, expected, actual) <= 0,
              kernel + " at " + DeviceCheckAccess.describe(kernel, s));
        }
      }
      assertEquals(OpenClKernels.kernelNames("recurrent.cl").size(), checked, "every kernel of recurrent.cl checked");
    }
  }

  /**
   * each of conv.cl's kernels at small awkward images, (rows, height, width, channels, kernel, stride, same):
   * ones; 5x7 with 1 channel; more channels than rows at stride 2, same padding; a kernel as large as the input
   * (valid); stride 3, same; an even kernel (uneven padding); pools that leave rows and columns over; dropout in
   * place (odd rows) and not, at rates 0, 0.5 and 0.9; augment.cl's gather_augment with pad = kernel;
   * sequence1d.cl's windows with height·width steps of channels features; conv_backward.cl's products of a layer
   * at each image (2·channels + 3 filters).
   */
  @Test
  void convKernelsMatchTheReferenceUnderTheSimulator() {
    ClDevice device = oclgrind();
    int[][] shapes = {{1, 1, 1, 1, 1, 1, 0}, {1, 5, 7, 1, 3, 1, 0}, {1, 5, 7, 4, 3, 2, 1}, {2, 5, 5, 3, 5, 1, 0},
        {2, 7, 5, 3, 3, 3, 1}, {3, 6, 5, 1, 4, 2, 1}, {3, 5, 7, 2, 2, 2, 0}};
    ReferenceKernels reference = new ReferenceKernels();
    // a fixed plan: the tuner's timing runs would take minutes on the simulator (conv.cl uses no matmul)
    try (OpenClKernels kernels = new OpenClKernels(device, KernelSource.classpath(), false,
        MatmulPlan.tiled(MatmulPlan.tileFor(device)))) {
      int checked = 0;
      for (String kernel : DeviceCheckAccess.kernels()) {
        if (!DeviceCheckAccess.conv(kernel)) {
          continue;
        }
        checked++;
        for (int[] s : shapes) {
          float[] expected = DeviceCheckAccess.exec(kernel, reference, s, -1, 7);
          float[] actual = DeviceCheckAccess.exec(kernel, kernels, s, -1, 7);
          assertTrue(DeviceCheckAccess.excess(kernel, expected, actual) <= 0,
              kernel + " at " + DeviceCheckAccess.describe(kernel, s));
        }
      }
      assertEquals(OpenClKernels.kernelNames("conv.cl").size() + OpenClKernels.kernelNames("augment.cl").size()
          + OpenClKernels.kernelNames("sequence1d.cl").size() + OpenClKernels.kernelNames("conv_backward.cl").size()
          + OpenClKernels.kernelNames("conv_direct.cl").size(),
          checked, "every kernel of conv.cl, augment.cl, sequence1d.cl, conv_backward.cl and conv_direct.cl checked");
    }
  }

  /**
   * The kernels a convolution plan shapes (conv_direct.cl's and conv_backward.cl's) built with each candidate the
   * tuner may pick (8- and 16-float vectors) and an odd plan, with the float16 matmul plan's vectors, at small
   * images: every plan's blocks and edges checked for invalid accesses and races.
   */
  @Test
  void convolutionKernelsWithEachConvPlanMatchTheReferenceUnderTheSimulator() {
    ClDevice device = oclgrind();
    int[][] shapes = {{1, 1, 1, 1, 1, 1, 0}, {1, 5, 7, 4, 3, 2, 1}, {2, 7, 5, 3, 3, 3, 1}, {3, 6, 5, 1, 4, 2, 1}};
    ReferenceKernels reference = new ReferenceKernels();
    MatmulPlan matmul = MatmulPlan.blocked(MatmulPlan.tileFor(device), 4, 16, 1, 8, 4);
    java.util.Set<ConvPlan> plans = new java.util.LinkedHashSet<>(ConvPlan.candidates(16));
    plans.addAll(ConvPlan.candidates(8));
    plans.add(new ConvPlan(3, 7, 3, 48, 5, 3)); // odd: 3 vectors of filters, 7 × 3 of dW, 5 × 3 of dx
    plans.remove(ConvPlan.DEFAULT); // the test above
    for (ConvPlan plan : plans) {
      try (OpenClKernels kernels = new OpenClKernels(device, KernelSource.classpath(), false, matmul,
          ProgramOptions.updateChunk(device), matmul, OpenClKernels.LARGE_WORK, plan)) {
        for (String file : List.of("conv_direct.cl", "conv_backward.cl")) {
          for (String kernel : OpenClKernels.kernelNames(file)) {
            for (int[] s : shapes) {
              float[] expected = DeviceCheckAccess.exec(kernel, reference, s, 3, 7);
              float[] actual = DeviceCheckAccess.exec(kernel, kernels, s, 3, 7);
              assertTrue(DeviceCheckAccess.excess(kernel, expected, actual) <= 0,
                  kernel + " " + plan.spec() + " at " + DeviceCheckAccess.describe(kernel, s));
            }
          }
        }
      }
    }
  }

  @Test
  void layeredUpdatesWithEachChunkMatchTheReferenceUnderTheSimulator() {
    ClDevice device = oclgrind();
    ReferenceKernels reference = new ReferenceKernels();
    for (int chunk : new int[] {1, 3, 16}) {
      try (OpenClKernels kernels = new OpenClKernels(device, KernelSource.classpath(), false,
          MatmulPlan.tiled(MatmulPlan.tileFor(device)), chunk)) {
        for (String kernel : DeviceCheckAccess.kernels()) {
          if (!kernel.endsWith("_update_layers")) {
            continue;
          }
          for (int[] s : new int[][] {{1, 1, 1}, {3, 5, 7}, {17, 13, 9}}) {
            float[] expected = DeviceCheckAccess.exec(kernel, reference, s, -1, 5);
            float[] actual = DeviceCheckAccess.exec(kernel, kernels, s, -1, 5);
            assertTrue(DeviceCheckAccess.excess(kernel, expected, actual) <= 0,
                kernel + " chunk " + chunk + " at " + s[0] + "x" + s[1] + "x" + s[2]);
          }
        }
      }
    }
  }

  @Test
  void shortTrainingsRunCleanUnderTheSimulator() {
    ClDevice device = oclgrind();
    DataSet data = Generated.load("random:37x7x3", 2);
    for (Optimizer.Kind kind : Optimizer.kinds()) {
      Network net = Network.init(new int[] {7, 5, 3}, Activation.TANH, Loss.XENT, Init.XAVIER, new NumpyRandom(2));
      Settings settings = new Settings(kind.build(new Optimizer.Options(0.01f, 0.9f, 0.9f, 0.999f, 1e-8f, 1e-3f)), 16, new NumpyRandom(2));
      try (Trainer t = Trainers.openCl(device, KernelSource.classpath(), net, data, settings)) {
        t.epoch(true);
        t.epoch(false);
        t.evaluate(data, true);
      }
    }
    // the recipe's shapes: 784 inputs, batches of 128 (two of them), relu, softmax, Adam
    DataSet images = Generated.load("random:256x784x10", 4);
    Network recipe = Network.init(new int[] {784, 32, 10}, Activation.RELU, Loss.XENT, Init.HE, new NumpyRandom(4));
    Settings adam = new Settings(Optimizer.adam(0.001f), 128,
        new NumpyRandom(4));
    try (Trainer t = Trainers.openCl(device, KernelSource.classpath(), recipe, images, adam)) {
      t.epoch(true);
    }
    Network mse = Network.initNormal(new int[] {7, 3}, 3);
    try (Trainer t = Trainers.openCl(device, KernelSource.classpath(), mse, data, Settings.fullBatchSgd(0.1f))) {
      t.epoch(true);
      t.epoch(false);
    }
  }
}
