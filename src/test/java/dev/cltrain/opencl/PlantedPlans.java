package dev.cltrain.opencl;

/** What tests plant in a plan cache of their own, so that a run with it tunes nothing (VerifyCommandTest). */
public final class PlantedPlans {
  private PlantedPlans() {}

  /**
   * The cache entry that makes {@code device}'s convolution plan the default one without tuning (a tuning builds
   * conv_direct.cl and conv_backward.cl once per candidate: cold compiles, seconds each).
   *
   * @param device the device
   * @return {@code "KEY | conv": "SPEC"}, an entry of matmul-plans.json's object
   */
  public static String convEntry(ClDevice device) {
    return "\"" + MatmulTuner.key(device) + ConvTuner.SUFFIX + "\": \"" + ConvPlan.DEFAULT.spec() + "\"";
  }
}
