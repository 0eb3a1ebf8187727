package dev.cltrain.bench;

import dev.cltrain.core.Wording;
import dev.cltrain.device.Device;
import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench --sweep}: one workload benched at each of a range of hidden widths or batch sizes, every step
 * on the reference and on each device, as {@link BenchRunner} benches one workload.
 *
 * @param parameter {@link #WIDTH} or {@link #BATCH}
 * @param steps     the sizes, ascending (as {@link SizeRange} gives them)
 */
public record Sweep(String parameter, List<Integer> steps) {
  /** Sweeps the width of every hidden layer. */
  public static final String WIDTH = "width";
  /** Sweeps the batch size. */
  public static final String BATCH = "batch";

  private static final Pattern SPEC = Pattern.compile("(" + WIDTH + "|" + BATCH + ")=(.*)");

  /**
   * Reads {@code --sweep}'s value.
   *
   * @param spec "width=A:B" or "batch=A:B"
   * @return the parameter and its sizes A, 2A, 4A, ... B
   * @throws InputException naming the option when {@code spec} is neither, or the range is empty
   */
  public static Sweep parse(String spec) {
    Matcher m = SPEC.matcher(spec.strip());
    if (!m.matches()) {
      throw InputException.parameter("sweep", spec + ": expected width=A:B or batch=A:B");
    }
    String parameter = m.group(1);
    return new Sweep(parameter, SizeRange.parse(m.group(2), Wording.of(Wording.param("sweep"), " " + parameter + "=")));
  }

  /**
   * The widths of a width sweep's step: {@code widths} with every hidden layer {@code size} wide.
   *
   * @param widths the base network's widths, input first
   * @param size   the step's hidden width
   * @param origin where {@code widths} came from, for the message, e.g. "--layers 2,1"
   * @return a new array
   * @throws InputException when there is no hidden layer to widen
   */
  public static int[] hiddenWidths(int[] widths, int size, String origin) {
    if (widths.length < 3) {
      throw new InputException(Wording.of(Wording.param("sweep"), " width needs hidden layers: " + origin + " has none"));
    }
    int[] stepped = widths.clone();
    for (int i = 1; i < stepped.length - 1; i++) {
      stepped[i] = size;
    }
    return stepped;
  }

  /**
   * Benches each step's workload in turn, with {@code status} hearing one line per step ("bench: width 64 (2 of
   * 5)"), not one per device.
   *
   * @param workloads a workload per step, in the order of {@link #steps}
   * @param devices   the OpenCL devices to bench after the reference
   * @param plans     the warm-up, timed epochs and repeats for a workload
   * @param status    hears a line as each step starts
   * @return a result per step
   */
  public List<WorkloadResult> run(List<Workload> workloads, List<Device> devices, Function<Workload, BenchRunner.Plan> plans,
      Consumer<String> status) {
    List<WorkloadResult> results = new ArrayList<>();
    for (int i = 0; i < workloads.size(); i++) {
      Workload w = workloads.get(i);
      status.accept("bench: " + parameter + " " + steps.get(i) + " (" + (i + 1) + " of " + steps.size() + ")");
      results.add(BenchRunner.run(w, devices, plans.apply(w), line -> { }));
    }
    return results;
  }
}
