package dev.cltrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.InputException;
import dev.cltrain.bench.BenchRunner;
import dev.cltrain.bench.ConvBench;
import dev.cltrain.bench.ConvShape;
import dev.cltrain.bench.DeviceRow;
import dev.cltrain.bench.GemmBench;
import dev.cltrain.bench.GemmShape;
import dev.cltrain.bench.NumpyGemm;
import dev.cltrain.bench.SizeRange;
import dev.cltrain.bench.WorkloadResult;
import dev.cltrain.data.TrainingData;
import dev.cltrain.io.AtomicFiles;
import dev.cltrain.Device;
import dev.cltrain.Devices;
import dev.cltrain.KernelTime;
import dev.cltrain.bench.Workload;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Time the same training workload (or the matmul alone) on every device and compare.")
final class BenchCommand implements Callable<Integer> {
  /** The default workloads: the seed's launch-bound XOR, and a compute-bound MLP on generated data. */
  static final String MLP_DATA = "random:4096x784x10";
  static final String MLP_LAYERS = "784,512,512,10";
  /** The default --sweep bases. */
  static final String SWEEP_WIDTH_DATA = "random:2048x784x10";
  static final String SWEEP_BATCH_DATA = "random:4096x784x10";
  static final String SWEEP_BATCH_LAYERS = "784,128,10";
  /** With no --epochs, a workload runs about this many FLOPs per repeat (at least 1, at most 1000 epochs). */
  static final double FLOPS_PER_REPEAT = 2e9;

  private static final Pattern SWEEP = Pattern.compile("(width|batch)=(.*)");

  @Mixin
  WorkloadOptions workload;

  @Option(names = "--device", paramLabel = "LIST", split = ",",
      description = "Devices to bench besides the reference, e.g. cpu or cl:0:0,gpu (default: every OpenCL device); "
          + "A+B benches A and B training together, data-parallel, as one more row (e.g. cl:0:0,cl:0:1,cl:0:0+cl:0:1).")
  List<String> devices;

  @Option(names = "--kernels", paramLabel = "DIR", description = "Load the OpenCL sources from DIR instead of the jar.")
  Path kernels;

  @Option(names = "--retune", description = "Time the matmul strategies on each device again instead of using the cached choices.")
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
    List<Device> targets = Devices.openCl(devices == null ? null
        : devices.stream().filter(d -> !d.contains("+")).toList(), kernels);
    List<List<Device>> groups = groups();
    if (!groups.isEmpty() && (gemm || conv || sweep != null)) {
      throw new InputException("--device " + String.join(",", devices) + ": data-parallel groups (A+B) are benched "
          + "on training workloads only, not with --gemm, --conv or --sweep");
    }
    if (retune) {
      Devices.retune();
    }
    if (gemm) {
      return runGemm(targets);
    }
    if (conv) {
      return runConv(targets);
    }
    if (sweep != null) {
      return runSweep(targets);
    }
    List<Workload> workloads = new ArrayList<>();
    if (workload.anyGiven()) {
      workloads.add(workload.resolve());
    } else {
      workloads.add(new WorkloadOptions().resolve());
      WorkloadOptions mlp = new WorkloadOptions();
      mlp.data = MLP_DATA;
      mlp.layers = MLP_LAYERS;
      mlp.activation = "relu";
      workloads.add(mlp.resolve());
    }
    for (Workload w : workloads) {
      BenchRunner.checkFits(w, targets);
    }
    noticeReferenceOnly(targets);
    List<WorkloadResult> results = new ArrayList<>();
    for (Workload w : workloads) {
      WorkloadResult result = BenchRunner.run(w, targets, groups, plan(w), err::println);
      results.add(result);
      printWorkload(result);
      out.println();
      out.println(verdict(result));
    }
    ObjectNode root = facts("workloads");
    root.set("workloads", mapper().valueToTree(results));
    writeOutputs(root, csvRows(results, null, null), () -> BenchCharts.bars(plot, results));
    return 0;
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
    new OutputFiles()
        .data("--data", workload.data).data("--test", workload.test).input("--init-model", workload.initModel)
        .output("--json", json).output("--csv", csv).output("--plot", plot)
        .check();
  }

  /**
   * With no OpenCL device to bench (and none asked for by name), one line saying so, once every option has been
   * checked: bad input is still the one line it should be.
   */
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
        } catch (dev.cltrain.DeviceException e) {
          throw new InputException("--device " + spec + ": " + e.getMessage());
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

  private void noticeReferenceOnly(List<Device> targets) {
    String problem = Devices.openClProblem();
    if (targets.isEmpty() && devices == null && problem != null) {
      err.println("bench: " + problem + "; benching the Java reference only");
    }
  }

  private BenchRunner.Plan plan(Workload w) {
    double flops = dev.cltrain.bench.FlopCount.flops(w.initial(), w.train().rows());
    int n = epochs != null ? epochs : (int) Math.max(1, Math.min(1000, Math.round(FLOPS_PER_REPEAT / flops)));
    int warm = warmup != null ? warmup : Math.max(1, n / 10);
    return new BenchRunner.Plan(warm, n, repeat);
  }

  // ---- the default run: one table per workload ----

  private void printWorkload(WorkloadResult r) {
    out.println();
    out.println("workload " + r.name() + ": " + r.description());
    out.println("  " + r.epochs() + " timed epoch" + (r.epochs() == 1 ? "" : "s") + " x " + r.repeat()
        + " repeats after " + r.warmupEpochs() + " warm-up; " + gflop(r.flopsPerEpoch()) + " per epoch");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"device", "name", "ms/epoch", "min", "max", "epochs/s", "GFLOP/s", "H->D/epoch",
        "D->H/epoch", "speedup", "max |dw|"});
    for (DeviceRow d : r.devices()) {
      if (!d.ok()) {
        rows.add(new String[] {d.id(), BenchCharts.shortName(d.name()), "FAILED: " + d.error(), "", "", "", "", "",
            "", "", ""});
        continue;
      }
      rows.add(new String[] {d.id(), BenchCharts.shortName(d.name()), sig(d.msPerEpochMedian()), sig(d.msPerEpochMin()),
          sig(d.msPerEpochMax()), sig(d.epochsPerSecond()), sig(d.gflops()),
          Format.bytes(Math.round(d.bytesToDevicePerEpoch())), Format.bytes(Math.round(d.bytesFromDevicePerEpoch())),
          Format.fixed(d.speedup(), 2) + "x", String.format(Locale.ROOT, "%.1e", d.maxWeightDifference())});
    }
    DevicesCommand.printTable(out, rows);
    for (DeviceRow d : r.devices()) {
      if (d.ok() && d.kernelMsPerEpoch() != null) {
        out.println();
        out.println("  " + d.id() + " per kernel (device time from profiling events):");
        double timed = (double) r.epochs() * r.repeat();
        List<KernelTime> times = d.kernels().stream()
            .map(k -> new KernelTime(k.kernel(), (int) k.launches(), Math.round(k.msPerEpoch() * timed * 1e6))).toList();
        double wallSeconds = (d.kernelMsPerEpoch() + d.hostOverheadMsPerEpoch()) * timed / 1000;
        ProfileTable.print(out, times, wallSeconds, (int) timed);
      }
    }
  }

  // ---- --sweep ----

  private int runSweep(List<Device> targets) {
    Matcher m = SWEEP.matcher(sweep.strip());
    if (!m.matches()) {
      throw new InputException("--sweep " + sweep + ": expected width=A:B or batch=A:B");
    }
    String parameter = m.group(1);
    List<Integer> steps = SizeRange.parse(m.group(2), "--sweep " + parameter + "=");
    WorkloadOptions base = workload.anyGiven() ? workload : defaultSweep(parameter);
    TrainingData loaded = base.load();
    List<Workload> workloads = new ArrayList<>();
    for (int size : steps) {
      workloads.add(sweepStep(base, loaded, parameter, size));
    }
    for (Workload w : workloads) {
      BenchRunner.checkFits(w, targets);
    }
    noticeReferenceOnly(targets);
    List<WorkloadResult> results = new ArrayList<>();
    for (int i = 0; i < workloads.size(); i++) {
      Workload w = workloads.get(i);
      err.println("bench: " + parameter + " " + steps.get(i) + " (" + (i + 1) + " of " + steps.size() + ")");
      results.add(BenchRunner.run(w, targets, plan(w), line -> { }));
    }
    printSweep(parameter, steps, results);
    ObjectNode root = facts("sweep");
    root.put("parameter", parameter);
    root.set("sizes", mapper().valueToTree(steps));
    root.set("workloads", mapper().valueToTree(results));
    writeOutputs(root, csvRows(results, parameter, steps), () -> {
      List<Double> xs = steps.stream().map(Integer::doubleValue).toList();
      Map<String, List<Double>> series = new LinkedHashMap<>();
      for (WorkloadResult r : results) {
        for (DeviceRow d : r.devices()) {
          series.computeIfAbsent(BenchCharts.label(d), k -> new ArrayList<>()).add(d.ok() ? d.msPerEpochMedian() : null);
        }
      }
      BenchCharts.lines(plot, "ms per epoch against " + parameter + " (" + results.get(0).name() + ")",
          parameter.equals("width") ? "hidden width" : "batch size", "ms per epoch (median)", xs, series, true);
    });
    return 0;
  }

  private static WorkloadOptions defaultSweep(String parameter) {
    WorkloadOptions o = new WorkloadOptions();
    o.activation = "relu";
    if (parameter.equals("width")) {
      o.data = SWEEP_WIDTH_DATA;
    } else {
      o.data = SWEEP_BATCH_DATA;
      o.layers = SWEEP_BATCH_LAYERS;
    }
    return o;
  }

  /** The base workload with every hidden layer {@code size} wide, or with batches of {@code size}. */
  private static Workload sweepStep(WorkloadOptions base, TrainingData loaded, String parameter, int size) {
    if (parameter.equals("batch")) {
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
    int[] widths = base.layers != null ? WorkloadOptions.parseWidths(base.layers)
        : new int[] {loaded.train().inputs(), 0, 0, loaded.train().outputs()};
    if (widths.length < 3) {
      throw new InputException("--sweep width needs hidden layers: --layers " + base.layers + " has none");
    }
    for (int i = 1; i < widths.length - 1; i++) {
      widths[i] = size;
    }
    return base.resolve(loaded, Workload.joined(widths));
  }

  private void printSweep(String parameter, List<Integer> steps, List<WorkloadResult> results) {
    out.println();
    out.println("sweep of " + parameter + ": " + results.get(0).description().replaceAll("^[0-9,]+ ", "") + "; ms per epoch (median of "
        + repeat + ")");
    List<DeviceRow> first = results.get(0).devices();
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[first.size() + 2];
    header[0] = parameter;
    header[1] = "layers";
    for (int d = 0; d < first.size(); d++) {
      header[d + 2] = first.get(d).id();
    }
    rows.add(header);
    for (int i = 0; i < steps.size(); i++) {
      WorkloadResult r = results.get(i);
      String[] row = new String[header.length];
      row[0] = String.valueOf(steps.get(i));
      row[1] = Workload.joined(r.widths());
      for (int d = 0; d < r.devices().size(); d++) {
        DeviceRow dr = r.devices().get(d);
        row[d + 2] = dr.ok() ? sig(dr.msPerEpochMedian()) + " ms" : "FAILED";
      }
      rows.add(row);
    }
    DevicesCommand.printTable(out, rows);
    for (int d = 1; d < first.size(); d++) {
      out.println(crossover(parameter, steps, results, d));
    }
  }

  /**
   * The default run's one line of verdict for one workload: the device to use (the fastest median) and by how
   * much over the runner-up, or that the two cannot be told apart because their min–max ranges overlap.
   */
  static String verdict(WorkloadResult r) {
    List<DeviceRow> ok = r.devices().stream().filter(DeviceRow::ok)
        .sorted(java.util.Comparator.comparingDouble(DeviceRow::msPerEpochMedian)).toList();
    if (ok.isEmpty()) {
      return "verdict for " + r.name() + ": every device failed; nothing to recommend";
    }
    DeviceRow best = ok.get(0);
    if (ok.size() == 1) {
      return "verdict for " + r.name() + ": use " + BenchCharts.label(best) + " (" + sig(best.msPerEpochMedian())
          + " ms per epoch); it is the only device that ran";
    }
    DeviceRow next = ok.get(1);
    double ratio = next.msPerEpochMedian() / best.msPerEpochMedian();
    String figures = " (" + sig(best.msPerEpochMedian()) + " against " + sig(next.msPerEpochMedian())
        + " ms per epoch, median of " + r.repeat() + ")";
    if (overlap(best, next)) {
      return "verdict for " + r.name() + ": no clear winner: " + BenchCharts.label(best) + " leads "
          + BenchCharts.label(next) + " by only " + Format.fixed(ratio, 2) + "x" + figures
          + " and their min-max ranges overlap; either will do";
    }
    return "verdict for " + r.name() + ": use " + BenchCharts.label(best) + ", " + Format.fixed(ratio, 2)
        + "x faster than " + BenchCharts.label(next) + figures;
  }

  /** Whether the two rows' min–max ranges over the repeats overlap, so that the order of their medians is noise. */
  static boolean overlap(DeviceRow a, DeviceRow b) {
    double aMin = a.msPerEpochMin() != null ? a.msPerEpochMin() : a.msPerEpochMedian();
    double aMax = a.msPerEpochMax() != null ? a.msPerEpochMax() : a.msPerEpochMedian();
    double bMin = b.msPerEpochMin() != null ? b.msPerEpochMin() : b.msPerEpochMedian();
    double bMax = b.msPerEpochMax() != null ? b.msPerEpochMax() : b.msPerEpochMedian();
    return aMin <= bMax && bMin <= aMax;
  }

  /**
   * Where device {@code d} stands against the reference over the sweep, in one line that cannot contradict
   * itself: faster (or slower) everywhere; slower up to one size and faster from the next on (a crossover);
   * faster up to one size and slower after it (no overtaking: the reference overtakes it); or, when faster and
   * slower sizes interleave, the sizes of each and no crossover claimed. Always the best speedup and its size.
   */
  static String crossover(String parameter, List<Integer> steps, List<WorkloadResult> results, int d) {
    String id = results.get(0).devices().get(d).id();
    List<Integer> sizes = new ArrayList<>();
    List<Boolean> isFaster = new ArrayList<>();
    double best = 0;
    int bestAt = -1;
    for (int i = 0; i < steps.size(); i++) {
      DeviceRow row = results.get(i).devices().get(d);
      if (!row.ok()) {
        continue;
      }
      sizes.add(steps.get(i));
      isFaster.add(row.speedup() > 1);
      if (row.speedup() > best) {
        best = row.speedup();
        bestAt = steps.get(i);
      }
    }
    if (bestAt < 0) {
      return id + " failed at every " + parameter + " against the reference";
    }
    String bestText = " (best " + Format.fixed(best, 2) + "x the reference's speed, at " + parameter + " " + bestAt + ")";
    int changes = 0;
    int changeAt = -1;
    for (int i = 1; i < sizes.size(); i++) {
      if (!isFaster.get(i).equals(isFaster.get(i - 1))) {
        changes++;
        changeAt = i;
      }
    }
    if (changes == 0) {
      return id + " is " + (isFaster.get(0) ? "faster" : "slower") + " than the reference at every " + parameter
          + " measured" + bestText;
    }
    if (changes == 1) {
      int before = sizes.get(changeAt - 1);
      int after = sizes.get(changeAt);
      if (isFaster.get(changeAt)) {
        return id + " is slower than the reference up to " + parameter + " " + before + " and faster from " + after
            + " on: it overtakes the reference between " + before + " and " + after + bestText;
      }
      return id + " is faster than the reference up to " + parameter + " " + before + " and slower from " + after
          + " on: the reference overtakes it between " + before + " and " + after + bestText;
    }
    List<Integer> faster = new ArrayList<>();
    List<Integer> slower = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      (isFaster.get(i) ? faster : slower).add(sizes.get(i));
    }
    return id + " is faster than the reference at " + parameter + " " + joinedInts(faster) + " and slower at "
        + joinedInts(slower) + ": no single crossover (the timings are close or noisy; try more --repeat)" + bestText;
  }

  private static String joinedInts(List<Integer> values) {
    return values.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
  }

  // ---- --gemm ----

  private int runGemm(List<Device> targets) {
    List<GemmShape> list = shapes != null ? GemmShape.parseList(shapes) : GemmShape.squares(SizeRange.parse(sizes, "--sizes"));
    int reps = repeat;
    boolean measurePeak = PEAK_MEASURED.equals(peak);
    noticeReferenceOnly(targets);
    GemmBench.Result result = GemmBench.run(list, targets,
        new GemmBench.Options(reps, peakGiven, measurePeak, !noClblast, !noNumpy), err::println);
    List<GemmBench.Row> rows = result.rows();
    NumpyGemm.Result numpy = result.numpy();
    out.println();
    if (!result.peaks().isEmpty()) {
      printPeaks(result.peaks(), rows.stream().anyMatch(r -> r.id().equals(NumpyGemm.ID) && r.peakShare() != null));
    }
    out.println("matmul alone: c = a.b, median of " + reps + " calls each waited for; max rel diff against the reference's product"
        + (noClblast ? "" : "; vs CLBlast = our GFLOP/s over CLBlast's SGEMM on the same device, buffers and shape")
        + (numpy == null ? "" : "; vs NumPy = GFLOP/s over " + numpy.describe() + ", a @ b in float32 at the same shape"));
    boolean anyPeak = peakGiven != null || measurePeak;
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"shape", "device", "impl", "ms", "min", "max", "GFLOP/s", anyPeak ? "of peak" : "",
        "max rel diff", noClblast ? "" : "vs CLBlast", numpy == null ? "" : "vs NumPy"});
    for (GemmBench.Row r : rows) {
      String impl = r.impl().equals(GemmBench.NUMPY) && numpy != null ? numpy.label() : r.impl();
      if (!"ok".equals(r.status())) {
        table.add(new String[] {r.shape(), r.id(), impl, "FAILED: " + r.error(), "", "", "", "", "", "", ""});
        continue;
      }
      table.add(new String[] {r.shape(), r.id(), impl, sig(r.msMedian()), sig(r.msMin()), sig(r.msMax()),
          sig(r.gflops()), r.peakShare() == null ? "" : Format.fixed(100 * r.peakShare(), 1) + " %",
          r.maxRelativeDifference() == null ? "-" : String.format(Locale.ROOT, "%.1e", r.maxRelativeDifference()),
          r.vsClblast() == null ? "" : Format.fixed(r.vsClblast(), 2) + "x",
          r.vsNumpy() == null ? "" : Format.fixed(r.vsNumpy(), 2) + "x"});
    }
    DevicesCommand.printTable(out, table);
    ObjectNode root = facts("gemm");
    if (peakGiven != null) {
      root.put("peakGflops", peakGiven);
    }
    if (measurePeak) {
      root.set("peaks", mapper().valueToTree(result.peaks()));
    }
    if (numpy != null) {
      ObjectNode n = root.putObject("numpy");
      n.put("version", numpy.version());
      n.put("blas", numpy.blas());
      n.put("python", numpy.python());
    }
    root.set("gemm", mapper().valueToTree(rows));
    List<String[]> csvRows = new ArrayList<>();
    csvRows.add(new String[] {"shape", "variant", "m", "n", "k", "device", "name", "impl", "status", "error",
        "ms_median", "ms_min", "ms_max", "gflops", "peak_share", "max_relative_difference", "vs_clblast", "vs_numpy"});
    for (GemmBench.Row r : rows) {
      csvRows.add(new String[] {r.shape(), r.variant(), "" + r.m(), "" + r.n(), "" + r.k(), r.id(), r.name(), r.impl(),
          r.status(), r.error(), num(r.msMedian()), num(r.msMin()), num(r.msMax()), num(r.gflops()), num(r.peakShare()),
          num(r.maxRelativeDifference()), num(r.vsClblast()), num(r.vsNumpy())});
    }
    writeOutputs(root, csvRows, () -> {
      List<String> labels = list.stream().map(GemmShape::label).toList();
      List<Double> xs = list.stream().map(s -> Math.cbrt((double) s.m() * s.n() * s.k())).toList();
      Map<String, List<Double>> series = new LinkedHashMap<>();
      for (GemmBench.Row r : rows) {
        String label = r.id().equals(Devices.reference().id()) ? "Java reference"
            : r.id().equals(NumpyGemm.ID) && numpy != null ? "NumPy " + numpy.version()
            : r.id() + " " + r.impl() + " " + BenchCharts.shortName(r.name());
        series.computeIfAbsent(label, k -> new ArrayList<>()).add(r.gflops());
      }
      if (peakGiven != null) {
        series.put("peak " + Format.fixed(peakGiven, 0) + " GFLOP/s", xs.stream().map(x -> peakGiven).toList());
      }
      for (GemmBench.Peak p : result.peaks()) {
        if (p.gflops() != null) {
          series.put("peak " + p.id() + " " + Format.fixed(p.gflops(), 0) + " GFLOP/s (measured)",
              xs.stream().map(x -> p.gflops()).toList());
        }
      }
      BenchCharts.lines(plot, "matmul GFLOP/s against size (" + String.join(", ", labels.size() > 4
          ? List.of(labels.get(0), "...", labels.get(labels.size() - 1)) : labels) + ")",
          "size (cube root of m.n.k)", "GFLOP/s", xs, series, false);
    });
    return 0;
  }

  // ---- --conv ----

  private int runConv(List<Device> targets) {
    List<ConvShape> list = ConvShape.parseList(convShapes);
    noticeReferenceOnly(targets);
    ConvBench.Result result = ConvBench.run(list, targets, new ConvBench.Options(repeat, convMatmul), err::println);
    List<ConvBench.Row> rows = result.rows();
    out.println();
    out.println("convolution layers alone (relu, as training runs them), median of " + repeat
        + " passes each waited for; FLOPs: forward 2.N.outH.outW.k.k.C.F (the patch matmul), backward twice that"
        + " (the dW and dX products; im2col, col2im, activation_delta and column_sum count none)");
    out.println("forward = im2col + matmul_bias_activation; backward = activation_delta + matmul_transpose_a (dW)"
        + " + column_sum (db) + matmul_transpose_b + col2im (dX)");
    out.println("matmul " + convMatmul + "^3 = the device's matmul kernel in this run (as --gemm); vs mm = conv GFLOP/s"
        + " over it (target: forward >= 0.6x); max rel diff = against the reference (forward output; backward dW, db, dX)");
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"shape", "out", "device", "fwd ms", "fwd GFLOP/s", "bwd ms", "bwd GFLOP/s",
        "matmul " + convMatmul + "^3", "fwd vs mm", "bwd vs mm", "fwd max rel diff", "bwd max rel diff"});
    for (ConvBench.Row r : rows) {
      String outShape = r.outHeight() + "x" + r.outWidth() + "x" + r.filters();
      if (!r.ok()) {
        table.add(new String[] {r.shape(), outShape, r.id(), "FAILED: " + r.error(), "", "", "", "", "", "", "", ""});
        continue;
      }
      table.add(new String[] {r.shape(), outShape, r.id(), sig(r.forwardMs()), sig(r.forwardGflops()),
          sig(r.backwardMs()), sig(r.backwardGflops()), r.matmulGflops() == null ? "" : sig(r.matmulGflops()),
          ratio(r.forwardVsMatmul()), ratio(r.backwardVsMatmul()), String.format(Locale.ROOT, "%.1e", r.maxRelativeDifference()),
          String.format(Locale.ROOT, "%.1e", r.backwardMaxRelativeDifference())});
    }
    DevicesCommand.printTable(out, table);
    printShares(rows, true);
    printShares(rows, false);
    ObjectNode root = facts("conv");
    root.put("matmulSize", convMatmul);
    root.put("flops", "forward 2*N*outH*outW*k*k*C*F; backward twice that (dW and dX products)");
    root.set("matmuls", mapper().valueToTree(result.matmuls()));
    root.set("conv", mapper().valueToTree(rows));
    List<String[]> csvRows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("shape", "device", "name", "status", "error", "forward_flops",
        "backward_flops", "forward_ms_median", "forward_ms_min", "forward_ms_max", "forward_gflops", "backward_ms_median",
        "backward_ms_min", "backward_ms_max", "backward_gflops", "matmul_gflops", "forward_vs_matmul",
        "backward_vs_matmul", "max_relative_difference", "backward_max_relative_difference"));
    ConvBench.FORWARD.forEach(k -> header.add("forward_share_" + k));
    ConvBench.BACKWARD.forEach(k -> header.add("backward_share_" + k));
    csvRows.add(header.toArray(String[]::new));
    for (ConvBench.Row r : rows) {
      List<String> line = new ArrayList<>(List.of(r.shape(), r.id(), r.name(), r.status(), r.error() == null ? "" : r.error(),
          "" + r.forwardFlops(), "" + r.backwardFlops(), num(r.forwardMs()), num(r.forwardMsMin()), num(r.forwardMsMax()),
          num(r.forwardGflops()), num(r.backwardMs()), num(r.backwardMsMin()), num(r.backwardMsMax()),
          num(r.backwardGflops()), num(r.matmulGflops()), num(r.forwardVsMatmul()), num(r.backwardVsMatmul()),
          num(r.maxRelativeDifference()), num(r.backwardMaxRelativeDifference())));
      ConvBench.FORWARD.forEach(k -> line.add(num(r.forwardShares() == null ? null : r.forwardShares().get(k))));
      ConvBench.BACKWARD.forEach(k -> line.add(num(r.backwardShares() == null ? null : r.backwardShares().get(k))));
      csvRows.add(line.toArray(String[]::new));
    }
    writeOutputs(root, csvRows, () -> BenchCharts.convBars(plot, rows, result.matmuls()));
    return 0;
  }

  /** Where each pass's time goes: a row per shape and device, a column per kernel, its share in percent. */
  private void printShares(List<ConvBench.Row> rows, boolean forward) {
    List<String> kernels = forward ? ConvBench.FORWARD : ConvBench.BACKWARD;
    out.println();
    out.println((forward ? "forward" : "backward") + ": share of the pass's time per kernel (reference: "
        + ConvBench.SHARES_WALL + "; OpenCL: " + ConvBench.SHARES_EVENTS + ", a separate profiled pass)");
    List<String[]> table = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("shape", "device"));
    header.addAll(kernels);
    table.add(header.toArray(String[]::new));
    for (ConvBench.Row r : rows) {
      Map<String, Double> shares = forward ? r.forwardShares() : r.backwardShares();
      if (!r.ok() || shares == null) {
        continue;
      }
      List<String> line = new ArrayList<>(List.of(r.shape(), r.id()));
      for (String k : kernels) {
        Double share = shares.get(k);
        line.add(share == null ? "-" : Format.fixed(100 * share, 1) + " %");
      }
      table.add(line.toArray(String[]::new));
    }
    DevicesCommand.printTable(out, table);
  }

  private static String ratio(Double v) {
    return v == null ? "" : Format.fixed(v, 2) + "x";
  }

  /**
   * The measured peaks: one line naming every device's figure, then how each was measured. NumPy's rows are
   * stated as a share of the reference's, since both run on the host CPU (unless the reference's is scalar).
   */
  private void printPeaks(List<GemmBench.Peak> peaks, boolean numpyShares) {
    out.println("peak (fused multiply-adds, measured): " + peaks.stream()
        .map(p -> p.id() + " " + (p.gflops() == null ? "unknown" : sig(p.gflops()) + " GFLOP/s"))
        .collect(java.util.stream.Collectors.joining(", ")));
    for (GemmBench.Peak p : peaks) {
      out.println("  " + p.id() + ": " + p.method()
          + (numpyShares && p.id().equals(Devices.reference().id()) ? " (NumPy's rows too: the same CPU)" : ""));
    }
  }

  // ---- output files ----

  private static ObjectMapper mapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  /** The machine facts every JSON starts with. */
  private static ObjectNode facts(String mode) {
    ObjectNode root = mapper().createObjectNode();
    String version = Main.class.getPackage().getImplementationVersion();
    root.put("cltrain", version == null ? "dev" : version);
    root.put("mode", mode);
    root.put("date", Instant.now().toString());
    root.put("java", System.getProperty("java.version"));
    root.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    root.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    root.put("cpuThreads", Runtime.getRuntime().availableProcessors());
    root.put("javaHeapBytes", Runtime.getRuntime().maxMemory());
    return root;
  }

  private List<String[]> csvRows(List<WorkloadResult> results, String parameter, List<Integer> steps) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"workload", "description", "sweep", "size", "device", "name", "type", "platform",
        "driver_version", "opencl_version", "compute_units", "status", "error", "flops_per_epoch", "warmup_epochs",
        "epochs", "repeat", "ms_per_epoch_median", "ms_per_epoch_min", "ms_per_epoch_max", "epochs_per_second",
        "gflops", "bytes_to_device_per_epoch", "bytes_from_device_per_epoch", "speedup", "max_weight_difference",
        "kernel_ms_per_epoch", "host_overhead_ms_per_epoch"});
    for (int i = 0; i < results.size(); i++) {
      WorkloadResult r = results.get(i);
      for (DeviceRow d : r.devices()) {
        rows.add(new String[] {r.name(), r.description(), parameter == null ? "" : parameter,
            steps == null ? "" : String.valueOf(steps.get(i)), d.id(), d.name(), d.type(), d.platform(),
            d.driverVersion(), d.openclVersion(), String.valueOf(d.computeUnits()), d.status(), d.error(),
            String.valueOf(r.flopsPerEpoch()), String.valueOf(r.warmupEpochs()), String.valueOf(r.epochs()),
            String.valueOf(r.repeat()), num(d.msPerEpochMedian()), num(d.msPerEpochMin()), num(d.msPerEpochMax()),
            num(d.epochsPerSecond()), num(d.gflops()), num(d.bytesToDevicePerEpoch()), num(d.bytesFromDevicePerEpoch()),
            num(d.speedup()), num(d.maxWeightDifference()), num(d.kernelMsPerEpoch()), num(d.hostOverheadMsPerEpoch())});
      }
    }
    return rows;
  }

  private void writeOutputs(ObjectNode root, List<String[]> csvRows, Runnable drawPlot) {
    if (json != null) {
      try {
        AtomicFiles.writeString(json, mapper().writeValueAsString(root) + "\n");
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("cannot encode the results as JSON: " + e.getMessage(), e);
      }
      out.println("json:        " + json);
    }
    if (csv != null) {
      StringBuilder text = new StringBuilder();
      for (String[] row : csvRows) {
        for (int c = 0; c < row.length; c++) {
          text.append(c == 0 ? "" : ",").append(csvField(row[c]));
        }
        text.append('\n');
      }
      AtomicFiles.writeString(csv, text.toString());
      out.println("csv:         " + csv);
    }
    if (plot != null) {
      drawPlot.run();
      out.println("plot:        " + plot);
    }
  }

  static String csvField(String value) {
    if (value == null) {
      return "";
    }
    return value.contains(",") || value.contains("\"") || value.contains("\n")
        ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }

  private static String num(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.6g", v);
  }

  /** Three significant digits, no exponent for everyday sizes: 0.00312, 4.51, 1234. */
  static String sig(double v) {
    if (!Double.isFinite(v)) {
      return String.valueOf(v);
    }
    double a = Math.abs(v);
    int digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.1 ? 3 : a >= 0.01 ? 4 : a >= 0.001 ? 5 : 6;
    return Format.fixed(v, digits);
  }

  private static String gflop(long flops) {
    return flops >= 1e8 ? Format.fixed(flops / 1e9, 2) + " GFLOP" : flops >= 1e5 ? Format.fixed(flops / 1e6, 2) + " MFLOP"
        : flops + " FLOP";
  }
}
