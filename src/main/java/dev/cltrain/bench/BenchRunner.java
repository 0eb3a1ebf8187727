package dev.cltrain.bench;

import dev.cltrain.core.DeviceException;
import dev.cltrain.core.InputException;
import dev.cltrain.nn.Network;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.Devices;
import dev.cltrain.core.KernelTime;
import dev.cltrain.device.Trainer;
import dev.cltrain.nn.Architecture;
import dev.cltrain.train.MemoryPlan;
import dev.cltrain.train.Opening;
import dev.cltrain.train.ShardedTrainer;
import dev.cltrain.train.Settings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one workload on the reference and then on each OpenCL device, one after another in this process: a
 * warm-up, then {@code repeat} timed runs of {@code epochs} epochs each. Every device starts from the same
 * weights and shuffles the same way, so after the same epochs its weights must match the reference's; the
 * largest difference is reported beside the speed. OpenCL devices run with a profiling queue, for the
 * per-kernel breakdown. A device that fails (build, launch, out of resources) becomes a failed row naming
 * the error, and the others still run.
 */
public final class BenchRunner {
  /**
   * Untimed warm-up epochs, timed epochs per repeat, and repeats.
   *
   * @param warmup epochs run before timing, 0 or more
   * @param epochs timed epochs per repeat, at least 1
   * @param repeat timed repeats, at least 1; the median over them is reported
   */
  public record Plan(int warmup, int epochs, int repeat) {
    /**
     * Checks the counts.
     *
     * @param warmup epochs run before timing, 0 or more
     * @param epochs timed epochs per repeat, at least 1
     * @param repeat timed repeats, at least 1
     * @throws IllegalArgumentException if a count is below its minimum
     */
    public Plan {
      if (warmup < 0 || epochs < 1 || repeat < 1) {
        throw new IllegalArgumentException("plan " + warmup + "/" + epochs + "/" + repeat);
      }
    }

    /** With no epoch count given, a workload runs about this many FLOPs per repeat (at least 1, at most 1000 epochs). */
    public static final double FLOPS_PER_REPEAT = 2e9;

    /**
     * The plan for {@code workload}: the given counts, and where one is not given, enough epochs for about
     * {@link #FLOPS_PER_REPEAT} FLOPs per repeat (1 to 1000) and a tenth of them (at least 1) to warm up.
     *
     * @param workload what will run, for its FLOPs per epoch
     * @param epochs   timed epochs per repeat, or null for the default
     * @param warmup   untimed epochs first, or null for the default
     * @param repeat   timed repeats
     * @return the plan
     */
    public static Plan of(Workload workload, Integer epochs, Integer warmup, int repeat) {
      double flops = FlopCount.flops(workload.initial(), workload.train().rows());
      int n = epochs != null ? epochs : (int) Math.max(1, Math.min(1000, Math.round(FLOPS_PER_REPEAT / flops)));
      int warm = warmup != null ? warmup : Math.max(1, n / 10);
      return new Plan(warm, n, repeat);
    }
  }

  private BenchRunner() {}

  /**
   * Checks, before anything runs, that the workload fits every device in {@code devices}:
   * {@link InputException} naming the workload, the device and the sizes if not.
   *
   * @param workload what will run
   * @param devices  where it will run
   */
  public static void checkFits(Workload workload, List<Device> devices) {
    for (Device d : devices) {
      try {
        MemoryPlan.checkFits(d, workload.initial(), workload.train(), settings(workload));
      } catch (DeviceException e) {
        throw new InputException(dev.cltrain.core.Wording.of(workload.name() + " ("
            + Architecture.summary(workload.initial()) + "): ", e.wording()));
      }
    }
  }

  /**
   * Benches {@code workload} on the reference, then on each of {@code devices}. {@code status} hears one line
   * as each device starts, for a person watching a long run.
   *
   * @param workload what to time
   * @param devices  the OpenCL devices to time it on after the reference
   * @param plan     warm-up, timed epochs and repeats
   * @param status   hears a line as each device starts
   * @return a row per device, the reference first
   */
  public static WorkloadResult run(Workload workload, List<Device> devices, Plan plan, Consumer<String> status) {
    return run(workload, devices, List.of(), plan, status);
  }

  /**
   * {@link #run(Workload, List, Plan, Consumer)} with rows for data-parallel groups too: each group of devices
   * trains together ({@link ShardedTrainer}, equal shares), its row named by the ids joined with "+".
   *
   * @param workload the workload
   * @param devices  the devices to bench one by one (the reference is always first)
   * @param groups   groups of two or more devices, each benched as one data-parallel row after the devices
   * @param plan     warm-up, timed epochs and repeats
   * @param status   hears a line before each device starts
   * @return the rows
   */
  public static WorkloadResult run(Workload workload, List<Device> devices, List<List<Device>> groups, Plan plan,
      Consumer<String> status) {
    long flops = FlopCount.flops(workload.initial(), workload.train().rows());
    List<DeviceRow> rows = new ArrayList<>();
    Device referenceDevice = Devices.reference();
    status.accept("bench " + workload.name() + " on " + referenceDevice.id() + " ...");
    Measured reference = measure(referenceDevice, workload, plan);
    rows.add(row(referenceDevice, reference, flops, reference));
    for (Device device : devices) {
      status.accept("bench " + workload.name() + " on " + device.describe() + " ...");
      Measured m;
      try {
        m = measure(device, workload, plan);
      } catch (DeviceException e) {
        m = new Measured(firstLine(e.getMessage()), 0, null, null, null, 0, 0);
      }
      rows.add(row(device, m, flops, reference));
    }
    for (List<Device> group : groups) {
      String id = String.join("+", group.stream().map(Device::id).toList());
      status.accept("bench " + workload.name() + " on " + id + " (data-parallel) ...");
      Measured m;
      try {
        m = measure(group, workload, plan);
      } catch (DeviceException e) {
        m = new Measured(firstLine(e.getMessage()), 0, null, null, null, 0, 0);
      }
      DeviceRow first = row(group.get(0), m, flops, reference);
      rows.add(first.renamed(id, "data-parallel: " + String.join(" + ", group.stream().map(Device::name).toList())));
    }
    return new WorkloadResult(workload.name(), workload.describe(), workload.initial().widths(),
        workload.train().rows(), workload.training().batchSize(), workload.batchesPerEpoch(), flops, plan.warmup(),
        plan.epochs(), plan.repeat(), rows);
  }

  private static Settings settings(Workload w) {
    dev.cltrain.Training t = w.training();
    return new Settings(t.optimizer(), t.batchSize(), t.shuffler())
        .augmented(t.augment(), t.augment() == null ? null : t.imageShape()) // bench --augment times it too
        .freezing(t.frozen()); // and --freeze
  }

  /** What one device did: per-repeat ms per epoch, the kernels' times, bytes moved, the final weights. */
  private record Measured(String error, int epochs, double[] msPerEpoch, List<KernelTime> kernels, Network weights,
      long bytesToDevice, long bytesFromDevice) {}

  private static Measured measure(Device device, Workload workload, Plan plan) {
    // no first-use check here: the bench's weight difference against the reference is its own check
    try (Trainer trainer = Opening.trainer(DeviceChoice.of(device).withCheck(false), workload.initial(), workload.train(),
        settings(workload), !device.isReference()).opened()) {
      return measure(trainer, plan);
    }
  }

  /** A data-parallel group with equal shares (its weight difference from the reference: rounding only). */
  private static Measured measure(List<Device> group, Workload workload, Plan plan) {
    int[] shares = new int[group.size()];
    Arrays.fill(shares, 1);
    DeviceChoice choice = DeviceChoice.parallel(group, shares, "bench").withCheck(false);
    try (Trainer trainer = Opening.sharded(choice, workload.initial(), workload.train(), settings(workload),
        group.stream().anyMatch(d -> !d.isReference()))) {
      return measure(trainer, plan);
    }
  }

  private static Measured measure(Trainer trainer, Plan plan) {
    for (int e = 0; e < plan.warmup(); e++) {
      trainer.epoch(false);
    }
    trainer.takeProfile(); // waits for the warm-up, whose kernels are not counted
    long[] before = trainer.transferredBytes();
    double[] ms = new double[plan.repeat()];
    Map<String, long[]> kernels = new LinkedHashMap<>();
    for (int r = 0; r < plan.repeat(); r++) {
      long start = System.nanoTime();
      for (int e = 0; e < plan.epochs(); e++) {
        trainer.epoch(false);
      }
      List<KernelTime> times = trainer.takeProfile(); // clFinish: the repeat ends when the device is done
      ms[r] = (System.nanoTime() - start) / 1e6 / plan.epochs();
      for (KernelTime t : times) {
        long[] total = kernels.computeIfAbsent(t.kernel(), k -> new long[2]);
        total[0] += t.launches();
        total[1] += t.nanos();
      }
    }
    long[] after = trainer.transferredBytes();
    List<KernelTime> merged = new ArrayList<>();
    kernels.forEach((k, t) -> merged.add(new KernelTime(k, (int) Math.min(Integer.MAX_VALUE, t[0]), t[1])));
    return new Measured(null, plan.epochs(), ms, merged, trainer.network(), after[0] - before[0], after[1] - before[1]);
  }

  private static DeviceRow row(Device device, Measured m, long flops, Measured reference) {
    boolean ref = device.isReference();
    Map<String, Object> p = device.properties();
    String id = device.id();
    String name = device.name();
    String type = ref ? "CPU" : device.type().toString();
    String platform = ref ? "Java " + System.getProperty("java.version") : String.valueOf(p.get("platform"));
    String vendor = ref ? System.getProperty("java.vendor") : String.valueOf(p.get("vendor"));
    String driver = ref ? System.getProperty("java.vm.version") : String.valueOf(p.get("driverVersion"));
    String opencl = ref ? null : String.valueOf(p.get("openclVersion"));
    int units = device.computeUnits();
    long memory = device.memoryBytes();
    if (m.error() != null) {
      return new DeviceRow(id, name, type, platform, vendor, driver, opencl, units, memory, DeviceRow.FAILED,
          m.error(), null, null, null, null, null, null, null, null, null, List.of(), null, null);
    }
    double[] sorted = sortedCopy(m.msPerEpoch());
    double median = median(sorted);
    double timedEpochs = (double) m.msPerEpoch().length * m.epochs();
    double wallMs = Arrays.stream(m.msPerEpoch()).sum() * m.epochs();
    double kernelMs = m.kernels().stream().mapToLong(KernelTime::nanos).sum() / 1e6;
    List<DeviceRow.KernelShare> shares = new ArrayList<>();
    for (KernelTime t : m.kernels()) {
      double ms = t.nanos() / 1e6;
      shares.add(new DeviceRow.KernelShare(t.kernel(), t.launches(), ms / timedEpochs, ms / wallMs));
    }
    shares.sort((a, b) -> Double.compare(b.msPerEpoch(), a.msPerEpoch()));
    double referenceMedian = median(sortedCopy(reference.msPerEpoch()));
    boolean profiled = !ref;
    return new DeviceRow(id, name, type, platform, vendor, driver, opencl, units, memory, DeviceRow.OK, null,
        median, sorted[0], sorted[sorted.length - 1], 1000 / median, flops / (median / 1000) / 1e9,
        m.bytesToDevice() / timedEpochs, m.bytesFromDevice() / timedEpochs, referenceMedian / median,
        (double) Network.maxAbsDifference(m.weights(), reference.weights()), shares,
        profiled ? kernelMs / timedEpochs : null,
        profiled ? Math.max(0, wallMs - kernelMs) / timedEpochs : null);
  }

  private static double[] sortedCopy(double[] values) {
    double[] copy = values.clone();
    Arrays.sort(copy);
    return copy;
  }

  /**
   * @param sorted values in ascending order, at least one
   * @return the middle value, or the mean of the two middle values when there is an even number
   */
  public static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
