package dev.cltrain.opencl;

import dev.cltrain.core.InputException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the convolution kernels are built on one device: the register blocks of conv_direct.cl (CONV_VECS vectors of
 * filters per work-item) and of conv_backward.cl (conv_weight_gradient's CB_RM rows × CB_VC vectors over blocks of
 * CB_KC values of the sum; conv_input_gradient's CB_RX pixels × CB_XC vectors of channels). Their vectors are the
 * matmul plan's (VN where it is blocked). Every plan computes bit for bit the same values; only speed differs.
 * {@link ConvTuner} times candidates per device at first use and caches the choice beside the matmul plans; the
 * environment variable {@code CLTRAIN_CONV} (e.g. {@code conv:2/4x4x128/4x2}) overrides it, for tuning and for
 * testing every variant.
 *
 * @param directVectors CONV_VECS: vectors of filters per conv_direct work-item, 1 to 4
 * @param gradientRows CB_RM: rows of dW per register block, 1 to 8
 * @param gradientVectors CB_VC: vectors of dW's columns per register block, 1 to 4
 * @param gradientDepth CB_KC: values of the sum per block of conv_weight_gradient, 16 to 1024
 * @param inputPixels CB_RX: pixels per register block of conv_input_gradient, 1 to 8
 * @param inputVectors CB_XC: vectors of channels per register block of conv_input_gradient, 1 to 4
 */
public record ConvPlan(int directVectors, int gradientRows, int gradientVectors, int gradientDepth, int inputPixels,
    int inputVectors) {
  /** The variable that overrides the tuned plan. */
  public static final String ENVIRONMENT = "CLTRAIN_CONV";
  /** The kernels' own defaults: what every build used before plans were tuned, and the judge of the candidates. */
  public static final ConvPlan DEFAULT = new ConvPlan(2, 4, 4, 128, 4, 2);
  private static final Pattern SPEC =
      Pattern.compile("conv:(\\d{1,2})/(\\d{1,2})x(\\d{1,2})x(\\d{1,4})/(\\d{1,2})x(\\d{1,2})");

  /**
   * Checks the ranges conv_direct.cl and conv_backward.cl accept.
   *
   * @throws IllegalArgumentException when a value is out of range
   */
  public ConvPlan {
    if (directVectors < 1 || directVectors > 4 || gradientRows < 1 || gradientRows > 8 || gradientVectors < 1
        || gradientVectors > 4 || gradientDepth < 16 || gradientDepth > 1024 || inputPixels < 1 || inputPixels > 8
        || inputVectors < 1 || inputVectors > 4) {
      throw new IllegalArgumentException("conv plan " + spec());
    }
  }

  /**
   * The build options of conv_direct.cl and conv_backward.cl for this plan.
   *
   * @return e.g. " -DCONV_VECS=2 -DCB_RM=4 -DCB_VC=4 -DCB_KC=128 -DCB_RX=4 -DCB_XC=2"
   */
  public String defines() {
    return " -DCONV_VECS=" + directVectors + " -DCB_RM=" + gradientRows + " -DCB_VC=" + gradientVectors + " -DCB_KC="
        + gradientDepth + " -DCB_RX=" + inputPixels + " -DCB_XC=" + inputVectors;
  }

  /**
   * This plan as a spec, the form {@code CLTRAIN_CONV} and the cache use.
   *
   * @return "conv:CONV_VECS/CB_RMxCB_VCxCB_KC/CB_RXxCB_XC", e.g. "conv:2/4x4x128/4x2"
   */
  public String spec() {
    return "conv:" + directVectors + "/" + gradientRows + "x" + gradientVectors + "x" + gradientDepth + "/"
        + inputPixels + "x" + inputVectors;
  }

  /**
   * Reads a spec ({@link #spec()}'s form; case and surrounding blanks ignored).
   *
   * @param spec e.g. the value of {@code CLTRAIN_CONV}
   * @return the plan
   * @throws InputException naming {@code CLTRAIN_CONV} when the spec is malformed or out of range
   */
  public static ConvPlan parse(String spec) {
    Matcher m = SPEC.matcher(spec.strip().toLowerCase(Locale.ROOT));
    String form = ENVIRONMENT + "=" + spec + ": expected conv:VECS/RMxVCxKC/RXxXC with VECS, VC and XC in 1..4, "
        + "RM and RX in 1..8, KC in 16..1024, e.g. " + DEFAULT.spec();
    if (!m.matches()) {
      throw new InputException(form);
    }
    try {
      return new ConvPlan(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
          Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)));
    } catch (IllegalArgumentException e) {
      throw new InputException(form);
    }
  }

  /**
   * The plan whose conv_direct block is {@code direct}'s, conv_weight_gradient's {@code gradient}'s and
   * conv_input_gradient's {@code input}'s (the three kernels' tunables are independent).
   *
   * @param direct the plan to take CONV_VECS from
   * @param gradient the plan to take CB_RM, CB_VC and CB_KC from
   * @param input the plan to take CB_RX and CB_XC from
   * @return the combined plan
   */
  static ConvPlan combine(ConvPlan direct, ConvPlan gradient, ConvPlan input) {
    return new ConvPlan(direct.directVectors, gradient.gradientRows, gradient.gradientVectors, gradient.gradientDepth,
        input.inputPixels, input.inputVectors);
  }

  /**
   * The candidates {@link ConvTuner} times, {@link #DEFAULT} first: each varies every kernel's block at once (the
   * tuner keeps the fastest block per kernel). The last differs by width: where the vectors hold 8 floats or fewer
   * (AVX2's 16 registers) 8 × 1 accumulators for dW, else AVX-512's 4 × 4 over deeper blocks.
   *
   * @param lanes the floats per vector the kernels are built with ({@link #lanes})
   * @return the plans in the order tried
   */
  static List<ConvPlan> candidates(int lanes) {
    return List.of(DEFAULT, new ConvPlan(1, 6, 2, 128, 2, 4), new ConvPlan(4, 4, 2, 256, 6, 1),
        lanes <= 8 ? new ConvPlan(2, 8, 1, 128, 4, 1) : new ConvPlan(2, 4, 4, 256, 4, 1));
  }

  /** Rows of dW per work-item of conv_weight_gradient, unless that leaves fewer than two items per compute unit. */
  private static final int CONV_PANEL = 96;

  /**
   * conv_backward.cl's CB_VN for a matmul plan: its VN when blocked (the file is built with the plan's defines),
   * else 4.
   *
   * @param plan the matmul plan the conv kernels are built with
   * @return the floats per vector
   */
  static int lanes(MatmulPlan plan) {
    return plan.blocked() ? plan.vector() : 4;
  }

  /**
   * Enqueues conv_weight_gradient (built with this plan, its arguments set) over c(m, n): one work-item per strip of CB_VN·CB_VC columns
   * and panel of rows, each a work-group of its own (as the blocked matmul): panels of {@link #CONV_PANEL} rows, or
   * lower (a multiple of CB_RM) when that leaves fewer than two items per compute unit. The kernel derives strips
   * and panels from the range, so the bits do not depend on it.
   *
   * @param kernel the kernel, its arguments set
   * @param m rows of c
   * @param n columns of c
   * @param lanes CB_VN
   * @param computeUnits the device's compute units
   */
  void launchWeightGradient(ClKernel kernel, int m, int n, int lanes, int computeUnits) {
    long width = (long) lanes * gradientVectors;
    long strips = (n + width - 1) / width;
    long panels = (m + CONV_PANEL - 1) / CONV_PANEL;
    long wanted = 2L * Math.max(1, computeUnits);
    if (strips * panels < wanted) {
      panels = Math.min((m + gradientRows - 1) / gradientRows, (wanted + strips - 1) / strips);
    }
    kernel.launch2dSingleItems(strips, panels);
  }

  /**
   * The plan for {@code device}: {@code CLTRAIN_CONV} when set, else the one {@link ConvTuner} found fastest there
   * (timed at first use, then cached per device and driver); on a simulator (Oclgrind) the default, untimed.
   *
   * @param device the device the kernels will run on
   * @param source where the tuner reads the kernels from
   * @param matmul the matmul plan the kernels are built with (its vectors are theirs)
   * @return the plan to build with
   * @throws InputException when {@code CLTRAIN_CONV} is set but malformed
   */
  public static ConvPlan forDevice(ClDevice device, KernelSource source, MatmulPlan matmul) {
    String spec = System.getenv(ENVIRONMENT);
    if (spec != null && !spec.isBlank()) {
      return parse(spec);
    }
    if (device.simulator()) {
      return DEFAULT; // a simulator's timings say nothing of any hardware, and took minutes at the tuner's shapes
    }
    return ConvTuner.planFor(device, source, matmul);
  }

  /**
   * The plan a backend opened now on {@code device} would build with, as far as known without tuning (for
   * {@code cltrain devices}).
   *
   * @param device the device
   * @return {@code CLTRAIN_CONV}'s plan, else the cached one; null when not tuned yet (or the variable is malformed:
   *     the run that uses it says so)
   */
  public static ConvPlan known(ClDevice device) {
    String spec = System.getenv(ENVIRONMENT);
    if (spec != null && !spec.isBlank()) {
      try {
        return parse(spec);
      } catch (InputException e) {
        return null;
      }
    }
    return ConvTuner.cachedPlan(device);
  }
}
