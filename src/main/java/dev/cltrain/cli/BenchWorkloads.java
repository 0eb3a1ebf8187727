package dev.cltrain.cli;

import dev.cltrain.core.InputException;
import dev.cltrain.bench.Sweep;
import dev.cltrain.bench.Workload;
import dev.cltrain.data.TrainingData;
import java.util.ArrayList;
import java.util.List;

/** The training workloads {@code cltrain bench} times: those its options name, or its defaults. */
final class BenchWorkloads {
  /** The default workloads: the seed's launch-bound XOR, and a compute-bound MLP on generated data. */
  static final String MLP_DATA = "random:4096x784x10";
  static final String MLP_LAYERS = "784,512,512,10";
  /** The default --sweep bases. */
  static final String SWEEP_WIDTH_DATA = "random:2048x784x10";
  static final String SWEEP_BATCH_DATA = "random:4096x784x10";
  static final String SWEEP_BATCH_LAYERS = "784,128,10";

  private BenchWorkloads() {}

  /** The workload the options name, or with none given, the seed's XOR and the MLP. */
  static List<Workload> of(WorkloadOptions options) {
    List<Workload> workloads = new ArrayList<>();
    if (options.anyGiven()) {
      workloads.add(options.resolve());
    } else {
      workloads.add(new WorkloadOptions().resolve());
      WorkloadOptions mlp = new WorkloadOptions();
      mlp.data = MLP_DATA;
      mlp.layers = MLP_LAYERS;
      mlp.activation = "relu";
      workloads.add(mlp.resolve());
    }
    return workloads;
  }

  /** A workload per step of {@code sweep}, from the options' workload or, with none given, the sweep's default. */
  static List<Workload> sweep(WorkloadOptions options, Sweep sweep) {
    WorkloadOptions base = options.anyGiven() ? options : defaultSweep(sweep.parameter());
    TrainingData loaded = base.load();
    List<Workload> workloads = new ArrayList<>();
    for (int size : sweep.steps()) {
      workloads.add(sweepStep(base, loaded, sweep.parameter(), size));
    }
    return workloads;
  }

  private static WorkloadOptions defaultSweep(String parameter) {
    WorkloadOptions o = new WorkloadOptions();
    o.activation = "relu";
    if (parameter.equals(Sweep.WIDTH)) {
      o.data = SWEEP_WIDTH_DATA;
    } else {
      o.data = SWEEP_BATCH_DATA;
      o.layers = SWEEP_BATCH_LAYERS;
    }
    return o;
  }

  /** The base workload with every hidden layer {@code size} wide, or with batches of {@code size}. */
  private static Workload sweepStep(WorkloadOptions base, TrainingData loaded, String parameter, int size) {
    if (parameter.equals(Sweep.BATCH)) {
      Integer saved = base.batchSize;
      base.batchSize = size;
      try {
        return base.resolve(loaded, base.layers);
      } finally {
        base.batchSize = saved;
      }
    }
    if (base.net != null) {
      throw new InputException("--sweep width sets the widths of --layers; it does not apply to --net " + base.net);
    }
    int[] widths = base.layers != null ? dev.cltrain.nn.NetSpec.parseLayers(base.layers)
        : new int[] {loaded.train().inputs(), 0, 0, loaded.train().outputs()};
    return base.resolve(loaded, Workload.joined(Sweep.hiddenWidths(widths, size, "--layers " + base.layers)));
  }
}
