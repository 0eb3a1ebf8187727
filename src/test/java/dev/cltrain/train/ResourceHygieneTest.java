package dev.cltrain.train;

import dev.cltrain.testing.Trainers;

import dev.cltrain.device.Trainer;
import dev.cltrain.nn.Optimizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.opencl.ClContext;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.testing.OpenClDevices;
import java.lang.ref.WeakReference;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Trainers release every OpenCL object they make, leave host memory flat, and share a device safely. */
@Tag("slow")
class ResourceHygieneTest {
  static java.util.List<ClDevice> devices() {
    return OpenClDevices.all();
  }

  private static final DataSet DATA = Generated.load("random:64x9x3", 3);

  private static Network network() {
    return Network.init(new int[] {9, 7, 3}, Activation.TANH, Loss.XENT, Init.XAVIER, new NumpyRandom(3));
  }

  private static Settings settings() {
    return new Settings(Optimizer.adam(0.01f), 16, new NumpyRandom(3));
  }

  /**
   * The heap in use once garbage collection has nothing more to free: full collections, each one seen to have
   * run (a weakly held object is gone), until the heap in use stops shrinking; the smallest figure seen.
   */
  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int round = 0; round < 10; round++) {
      WeakReference<Object> sentinel = new WeakReference<>(new Object());
      for (int tries = 0; sentinel.get() != null; tries++) {
        if (tries == 100) {
          throw new AssertionError("System.gc() collected nothing in 100 calls (-XX:+DisableExplicitGC?)");
        }
        System.gc();
      }
      long now = rt.totalMemory() - rt.freeMemory();
      if (now >= used) {
        return used;
      }
      used = now;
    }
    return used;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void fiveHundredTrainersCreatedTrainedAndClosedLeaveNoOpenClObjectAndFlatMemory(ClDevice device) throws Exception {
    KernelSource source = KernelSource.classpath();
    long[] before = ClContext.objectCounts();
    long heapAfterWarmUp = 0;
    for (int i = 0; i < 500; i++) {
      try (Trainer t = Trainers.openCl(device, source, network(), DATA, settings())) {
        t.epoch(true);
      }
      if (i == 49) {
        heapAfterWarmUp = usedHeapAfterGc();
      }
    }
    long[] after = ClContext.objectCounts();
    long made = after[0] - before[0];
    long freed = after[1] - before[1];
    assertTrue(made > 500, "each trainer made OpenCL objects: " + made);
    assertEquals(made, freed, "every OpenCL object created was released");
    long growth = usedHeapAfterGc() - heapAfterWarmUp;
    // 450 more trainers: a leak of even one 64x9 data set (2.3 KB) per trainer would show as 1 MB; 8 MB is GC noise
    assertTrue(growth < 8L << 20, "host heap grew by " + (growth >> 10) + " KiB over 450 trainers");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void twoTrainersOnOneDeviceInTwoThreadsGetWhatEachGetsAlone(ClDevice device) throws Exception {
    KernelSource source = KernelSource.classpath();
    Network alone;
    try (Trainer t = Trainers.openCl(device, source, network(), DATA, settings())) {
      for (int e = 0; e < 20; e++) {
        t.epoch(false);
      }
      alone = t.network();
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      java.util.List<Future<Network>> runs = new java.util.ArrayList<>();
      for (int i = 0; i < 2; i++) {
        runs.add(pool.submit(() -> {
          try (Trainer t = Trainers.openCl(device, source, network(), DATA, settings())) {
            for (int e = 0; e < 20; e++) {
              t.epoch(false);
            }
            return t.network();
          }
        }));
      }
      for (Future<Network> run : runs) {
        Network together = run.get();
        for (int l = 0; l < alone.dense().size(); l++) {
          assertArrayEquals(alone.dense().get(l).weights(), together.dense().get(l).weights(), 0f, "layer " + l);
          assertArrayEquals(alone.dense().get(l).bias(), together.dense().get(l).bias(), 0f, "layer " + l);
        }
      }
    } finally {
      pool.shutdown();
    }
  }
}
