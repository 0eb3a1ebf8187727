package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.Trainer;
import dev.cltrain.device.TrainerState;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.reference.ReferenceKernels;
import dev.cltrain.testing.OpenClDevices;
import dev.cltrain.testing.Trainers;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Trainer#stopAfterBatch()} is heard within a batch or two of the <b>device's</b> progress (issue 23,
 * item 4). Before, the host enqueued the whole epoch's batches (or every quiet full-batch epoch) in moments and
 * heard a stop only once the device had run them all: on OpenCL a SIGTERM waited for the whole epoch.
 *
 * <p>The first two tests make the device's progress exact with a {@link LazyDevice}: the Java reference's
 * kernels, run only when the host waits for them (as an OpenCL queue may), and a stop asked for as the device
 * starts the second step. The third runs on PoCL with the stop from another thread.
 */
class StopAfterBatchTest {
  /**
   * The reference's kernels as an asynchronous device that runs its queue only when the host waits: a kernel call
   * is queued; {@code flush} starts nothing; a read, write or upload first runs everything queued; a mark's wait
   * runs the queue up to the mark. As the device starts the second optimizer step (its second update launch),
   * {@code atSecondStep} runs: the stop arrives when the device has done exactly one step.
   */
  static final class LazyDevice implements InvocationHandler {
    /** The kernels' methods, every family's: the calls queued. */
    private static final java.util.Set<String> KERNELS = Kernels.kernelMethods().stream().map(Method::getName)
        .collect(java.util.stream.Collectors.toSet());
    private final ReferenceKernels target = new ReferenceKernels();
    private final List<Runnable> queue = new ArrayList<>();
    private int ran;
    private int updates;
    private final Runnable atSecondStep;

    LazyDevice(Runnable atSecondStep) {
      this.atSecondStep = atSecondStep;
    }

    @SuppressWarnings("unchecked")
    static Backend<float[], int[]> open(Runnable atSecondStep) {
      return (Backend<float[], int[]>) Proxy.newProxyInstance(Backend.class.getClassLoader(),
          new Class<?>[] {Backend.class}, new LazyDevice(atSecondStep));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (name.equals("flush")) {
        return null;
      }
      if (name.equals("mark")) {
        int upTo = queue.size();
        return (Runnable) () -> runUpTo(upTo);
      }
      if (KERNELS.contains(name)) {
        queue.add(() -> {
          if (name.endsWith("UpdateLayers") && ++updates == 2) {
            atSecondStep.run();
          }
          call(method, args);
        });
        return null;
      }
      runUpTo(queue.size());
      return call(method, args);
    }

    private void runUpTo(int upTo) {
      while (ran < upTo) {
        queue.get(ran++).run();
      }
    }

    private Object call(Method method, Object[] args) {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static DataSet data(int rows, int inputs, int outputs) {
    Random r = new Random(7);
    float[] x = new float[rows * inputs];
    float[] y = new float[rows * outputs];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < rows; i++) {
      y[i * outputs + r.nextInt(outputs)] = 1;
    }
    return new DataSet("random", rows, inputs, outputs, x, y);
  }

  /** The position a checkpoint records agrees with itself: a loss per batch done, a step per batch done. */
  static void assertCheckpointPosition(TrainerState state, int batches) {
    assertEquals(0, state.epoch(), "still in the first epoch");
    assertTrue(state.batch() >= 1 && state.batch() < batches, "stopped after batch " + state.batch() + " of "
        + batches);
    assertEquals(state.batch(), state.lossSlots().length, "one loss per batch done");
    assertEquals(state.batch(), state.step(), "one step per batch done");
  }

  @Test
  void aStopArrivingWhenTheDeviceHasRunOneBatchEndsTheEpochWithinTwoMoreBatches() {
    AtomicReference<Trainer> trainer = new AtomicReference<>();
    Backend<float[], int[]> device = LazyDevice.open(() -> trainer.get().stopAfterBatch());
    Settings settings = new Settings(Optimizer.sgd(0.1f), 4, new NumpyRandom(1));
    try (Trainer t = new Backprop<>(device, Network.initNormal(new int[] {3, 5, 2}, 1), data(64, 3, 2), settings)) {
      trainer.set(t);
      Trainer.EpochStats stats = t.epoch(true, null);
      assertFalse(stats.complete(), "the epoch ran all 16 batches: the stop was heard only after the device had run"
          + " every batch the host enqueued at once");
      TrainerState state = t.state();
      assertCheckpointPosition(state, 16);
      // the device had run 1 batch when the stop came; the host is at most one batch ahead, and the batch under way
      // finishes: at most 3 batches
      assertTrue(state.batch() <= 3, "stopped after batch " + state.batch() + ", more than 2 past the device's 1");
    }
  }

  @Test
  void quietFullBatchEpochsHearAStopWithinTwoEpochsOfTheDevice() {
    AtomicReference<Trainer> trainer = new AtomicReference<>();
    Backend<float[], int[]> device = LazyDevice.open(() -> trainer.get().stopAfterBatch());
    try (Backprop<float[], int[]> t = new Backprop<>(device, Network.initNormal(new int[] {3, 5, 2}, 1),
        data(16, 3, 2), Settings.fullBatchSgd(0.1f))) {
      t.small.layerByLayer(); // as a network too large for train_small
      trainer.set(t);
      Trainer.EpochStats stats = t.epochs(50, false);
      assertFalse(stats.complete(), "all 50 epochs ran: the stop was heard only after the device had run every epoch"
          + " the host enqueued at once");
      int done = t.state().epoch();
      assertTrue(done >= 1 && done <= 3, done + " epochs done, more than 2 past the device's 1");
      assertEquals(done, t.state().step());
    }
  }

  /**
   * On PoCL, from another thread: once the first batch is enqueued a thread asks for the stop, which the epoch
   * hears long before its last batch, leaving a consistent position for the checkpoint.
   */
  @Test
  void onPoclAStopFromAnotherThreadEndsTheEpochBeforeItsLastBatch() throws Exception {
    int rows = 4096;
    int batch = 32;
    Settings settings = new Settings(Optimizer.sgd(0.01f), batch, new NumpyRandom(1));
    try (Trainer trainer = Trainers.openCl(OpenClDevices.firstCpu(), KernelSource.classpath(),
        Network.initNormal(new int[] {64, 128, 10}, 3), data(rows, 64, 10), settings)) {
      CountDownLatch firstEnqueued = new CountDownLatch(1);
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread stopper = new Thread(() -> {
        try {
          firstEnqueued.await();
          trainer.stopAfterBatch();
        } catch (Throwable e) {
          failed.set(e);
        }
      });
      stopper.start();
      Trainer.EpochStats stats = trainer.epoch(true, (b, n, runningLoss) -> {
        if (b == 0) {
          firstEnqueued.countDown();
        }
      });
      stopper.join();
      assertNull(failed.get());
      assertFalse(stats.complete(), "the epoch ran all " + rows / batch + " batches");
      assertCheckpointPosition(trainer.state(), rows / batch);
    }
  }
}
