package dev.cltrain.cli;

import dev.cltrain.cmd.OutputFiles;

import dev.cltrain.device.Device;
import dev.cltrain.core.DeviceException;
import dev.cltrain.Devices;
import dev.cltrain.core.InputException;
import dev.cltrain.bench.BenchRunner;
import dev.cltrain.bench.ConvBench;
import dev.cltrain.bench.ConvShape;
import dev.cltrain.bench.GemmBench;
import dev.cltrain.bench.GemmShape;
import dev.cltrain.bench.NumpyGemm;
import dev.cltrain.bench.SizeRange;
import dev.cltrain.bench.Sweep;
import dev.cltrain.bench.Workload;
import dev.cltrain.bench.WorkloadResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cltrain bench}: the same workload on every usable device, the Java reference first, one after another
 * in this process; a table of ms per epoch, GFLOP/s, bytes moved, speedup and the weight difference against the
 * reference, and a per-kernel breakdown for each OpenCL device. {@code --sweep} repeats it across sizes;
 * {@code --gemm} times the matmul kernel alone, beside CLBlast's SGEMM and NumPy's {@code a @ b}, and with
 * {@code --peak} as a share of each device's (given or measured) fused multiply-add peak; {@code --conv} times
 * convolution layers alone (forward and backward) beside the device's matmul at 1024³.
 *
 * <p>This class reads the options and dispatches: every input is read and checked before a device is opened
 * (bad input is one line, never after the no-OpenCL notice); the modes run in {@code dev.cltrain.bench}
 * ({@link BenchRunner}, {@link Sweep}, {@link GemmBench}, {@link ConvBench}) and are printed by
 * {@link WorkloadReport}, {@link SweepReport}, {@link GemmReport} and {@link ConvReport}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Time the same training workload (or the matmul alone) on every device and compare.")
final class BenchCommand implements Callable<Integer> {
  @Mixin
  WorkloadOptions workload;

  @Option(names = "--device", paramLabel = "LIST", split = ",",
      description = "Devices to bench besides the reference, e.g. cpu or cl:0:0,gpu (default: every OpenCL device); "
          + "A+B benches A and B training together, data-parallel, as one more row (e.g. cl:0:0,cl:0:1,cl:0:0+cl:0:1).")
  List<String> devices;

  @Option(names = "--kernels", paramLabel = "DIR", description = "Load the OpenCL sources from DIR instead of the jar.")
  Path kernels;

  @Option(names = "--retune", description = "Time the matmul strategies and convolution blocks on each device again instead of using the cached choices.")
  boolean retune;

  @Option(names = "--epochs", paramLabel = "N", description = "Timed epochs per repeat (default: enough for about 2 GFLOP, 1 to 1000).")
  Integer epochs;

  @Option(names = "--repeat", paramLabel = "R", description = "Timed repeats; the table shows median, min and max (default: ${DEFAULT-VALUE}).")
  int repeat = 3;

  @Option(names = "--warmup", paramLabel = "N", description = "Untimed epochs first (default: epochs/10, at least 1).")
  Integer warmup;

  @Option(names = "--sweep", paramLabel = "width=A:B|batch=A:B",
      description = "Repeat across hidden widths or batch sizes A, 2A, 4A, ... B; --plot draws ms/epoch against size.")
  String sweep;

  @Option(names = "--gemm", description = "Time the matmul kernel alone: GFLOP/s against size on each device.")
  boolean gemm;

  @Option(names = "--conv", description = "Time convolution layers alone, forward and backward, on each device,"
      + " beside its matmul at --conv-matmul size.")
  boolean conv;

  @Option(names = "--conv-shapes", paramLabel = "N:HxWxC:F:K[:sS][:valid],...",
      description = "--conv: these layers (batch N, input HxWxC, F filters of KxK, stride S, same padding unless valid;"
          + " default: ${DEFAULT-VALUE}).")
  String convShapes = ConvShape.DEFAULTS;

  @Option(names = "--conv-matmul", paramLabel = "N", description = "--conv: the yardstick matmul's size, NxNxN"
      + " (default: ${DEFAULT-VALUE}).")
  int convMatmul = 1024;

  @Option(names = "--sizes", paramLabel = "A:B", description = "--gemm: square sizes A, 2A, ... B (default: ${DEFAULT-VALUE}).")
  String sizes = "64:1024";

  @Option(names = "--shapes", paramLabel = "MxNxK[:tn|nt],...", description = "--gemm: these shapes instead of --sizes.")
  String shapes;

  @Option(names = "--no-clblast", description = "--gemm: leave out CLBlast's SGEMM, the comparison row on each OpenCL device.")
  boolean noClblast;

  @Option(names = "--no-numpy", description = "--gemm: leave out NumPy's a @ b, the comparison row per shape (run by"
      + " python3 on the PATH, or the Python that $" + NumpyGemm.ENVIRONMENT + " names).")
  boolean noNumpy;

  @Option(names = "--peak", arity = "0..1", fallbackValue = PEAK_MEASURED, paramLabel = "GFLOPS",
      description = "--gemm: show each result as a share of the device's peak: alone, measure each device's fused"
          + " multiply-add peak; with GFLOPS, the best-known figure of the OpenCL devices.")
  String peak;

  /** {@code --peak} without a value: measure each device's peak. */
  static final String PEAK_MEASURED = "measured";
  /** {@code --peak GFLOPS}, or null. */
  private Double peakGiven;

  @Option(names = "--json", paramLabel = "FILE", description = "Write every figure and the machine facts as JSON.")
  Path json;

  @Option(names = "--csv", paramLabel = "FILE", description = "Write one row per device (and size) as CSV.")
  Path csv;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Bar chart of ms/epoch per device; with --sweep, ms/epoch against size; with --gemm, GFLOP/s against size;"
      + " with --conv, GFLOP/s per shape.")
  Path plot;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private PrintWriter out;
  private PrintWriter err;

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    validate();
    if (gemm) {
      return runGemm();
    }
    if (conv) {
      return runConv();
    }
    if (sweep != null) {
      return runSweep();
    }
    return runWorkloads();
  }

  private void validate() {
    if (repeat < 1) {
      throw new InputException("--repeat must be at least 1, got " + repeat);
    }
    if (epochs != null && epochs < 1) {
      throw new InputException("--epochs must be at least 1, got " + epochs);
    }
    if (warmup != null && warmup < 0) {
      throw new InputException("--warmup must be at least 0, got " + warmup);
    }
    peakGiven = null;
    if (peak != null && !peak.equals(PEAK_MEASURED)) {
      try {
        peakGiven = Double.valueOf(peak.strip());
      } catch (NumberFormatException e) {
        peakGiven = Double.NaN;
      }
      if (!(peakGiven > 0 && Double.isFinite(peakGiven))) {
        throw new InputException("--peak must be a positive number of GFLOP/s (or nothing, to measure each device's), got "
            + peak);
      }
    }
    if (gemm && sweep != null) {
      throw new InputException("--gemm and --sweep exclude each other");
    }
    if (conv && (gemm || sweep != null)) {
      throw new InputException("--conv excludes --gemm and --sweep");
    }
    if (conv && workload.anyGiven()) {
      throw new InputException("--conv times convolution layers alone; it takes --conv-shapes, not training options");
    }
    if (conv) {
      ConvShape.parseList(convShapes);
      if (convMatmul < 1 || convMatmul > 8192) {
        throw new InputException("--conv-matmul must be 1 to 8192, got " + convMatmul);
      }
    }
    if (gemm && workload.anyGiven()) {
      throw new InputException("--gemm times the matmul alone; it takes --sizes or --shapes, not training options");
    }
    if (devices != null && devices.stream().anyMatch(d -> d.contains("+")) && (gemm || conv || sweep != null)) {
      throw new InputException("--device " + String.join(",", devices) + ": data-parallel groups (A+B) are benched "
          + "on training workloads only, not with --gemm, --conv or --sweep");
    }
    new OutputFiles()
        .data("--data", workload.data).data("--test", workload.test).input("--init-model", workload.initModel)
        .output("--json", json).output("--csv", csv).output("--plot", plot)
        .check();
  }

  // ---- the modes: input first, then the devices ----

  private int runWorkloads() {
    List<Workload> workloads = BenchWorkloads.of(workload);
    List<Device> targets = targets();
    List<List<Device>> groups = groups();
    for (Workload w : workloads) {
      BenchRunner.checkFits(w, targets);
    }
    noticeReferenceOnly(targets);
    List<WorkloadResult> results = new ArrayList<>();
    for (Workload w : workloads) {
      WorkloadResult result = BenchRunner.run(w, targets, groups, plan(w), err::println);
      results.add(result);
      WorkloadReport.print(out, result);
    }
    WorkloadReport.write(files(), results);
    return 0;
  }

  private int runSweep() {
    Sweep parsed = Sweep.parse(sweep);
    List<Workload> workloads = BenchWorkloads.sweep(workload, parsed);
    List<Device> targets = targets();
    for (Workload w : workloads) {
      BenchRunner.checkFits(w, targets);
    }
    noticeReferenceOnly(targets);
    List<WorkloadResult> results = parsed.run(workloads, targets, this::plan, err::println);
    SweepReport.report(out, files(), parsed, repeat, results);
    return 0;
  }

  private int runGemm() {
    List<GemmShape> list = shapes != null ? GemmShape.parseList(shapes) : GemmShape.squares(SizeRange.parse(sizes, dev.cltrain.core.Wording.of(dev.cltrain.core.Wording.param("sizes"))));
    GemmBench.check(list);
    List<Device> targets = targets();
    noticeReferenceOnly(targets);
    boolean measurePeak = PEAK_MEASURED.equals(peak);
    GemmBench.Result result = GemmBench.run(list, targets,
        new GemmBench.Options(repeat, peakGiven, measurePeak, !noClblast, !noNumpy),
        line -> err.println(dev.cltrain.cmd.OptionNames.text(line)));
    new GemmReport(repeat, peakGiven, measurePeak, !noClblast).report(out, files(), list, result);
    return 0;
  }

  private int runConv() {
    List<ConvShape> list = ConvShape.parseList(convShapes);
    ConvBench.Options options = new ConvBench.Options(repeat, convMatmul);
    ConvBench.check(list, options);
    List<Device> targets = targets();
    noticeReferenceOnly(targets);
    ConvBench.Result result = ConvBench.run(list, targets, options, err::println);
    new ConvReport(repeat, convMatmul).report(out, files(), result);
    return 0;
  }

  /** The OpenCL devices to bench one by one (--device without the groups, or every one), tuned again on --retune. */
  private List<Device> targets() {
    List<Device> targets = Devices.openCl(devices == null ? null
        : devices.stream().filter(d -> !d.contains("+")).toList(), kernels);
    if (retune) {
      Devices.retune();
    }
    return targets;
  }

  /** The --device entries that join devices with "+": each a data-parallel group of two or more. */
  private List<List<Device>> groups() {
    List<List<Device>> groups = new ArrayList<>();
    if (devices == null) {
      return groups;
    }
    for (String spec : devices) {
      if (!spec.contains("+")) {
        continue;
      }
      List<Device> group = new ArrayList<>();
      for (String part : spec.split("\\+", -1)) {
        if (part.isBlank()) {
          throw new InputException("--device " + spec + ": an empty device in the group");
        }
        Device d;
        try {
          d = Devices.choose(part.strip(), kernels).device();
        } catch (DeviceException e) {
          throw new InputException("--device " + spec + ": " + dev.cltrain.cmd.OptionNames.message(e));
        }
        if (group.stream().anyMatch(g -> g.id().equals(d.id()))) {
          throw new InputException("--device " + spec + ": " + d.id() + " is in the group twice");
        }
        group.add(d);
      }
      groups.add(group);
    }
    return groups;
  }

  /**
   * With no OpenCL device to bench (and none asked for by name), one line saying so, once every input has been
   * checked: bad input is still the one line it should be.
   */
  private void noticeReferenceOnly(List<Device> targets) {
    String problem = Devices.openClProblem();
    if (targets.isEmpty() && devices == null && problem != null) {
      err.println("bench: " + problem + "; benching the Java reference only");
    }
  }

  private BenchRunner.Plan plan(Workload w) {
    return BenchRunner.Plan.of(w, epochs, warmup, repeat);
  }

  private BenchFiles files() {
    return new BenchFiles(json, csv, plot, out);
  }
}
