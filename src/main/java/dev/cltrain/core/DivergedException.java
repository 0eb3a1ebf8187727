package dev.cltrain.core;

/**
 * Training diverged: the loss, a weight or a bias became NaN or infinite. Nothing is saved from such a run.
 * The CLI prints the message (what, which epoch, what to try) and exits 4.
 */
public class DivergedException extends CltrainException {
  private static final long serialVersionUID = 1L;
  /** What became non-finite and when. */
  private final String what;
  /** The 0-based epoch at which it was seen. */
  private final int epoch;
  /** The run's learning rate. */
  private final float learningRate;

  /**
   * @param what         what became non-finite and when, e.g. "the loss became NaN at epoch 3"
   * @param epoch        the 0-based epoch at which it was seen
   * @param learningRate the learning rate of the run, which the message suggests lowering
   */
  public DivergedException(String what, int epoch, float learningRate) {
    super(what + "; training diverged: try a smaller learning rate (now " + learningRate + ")");
    this.what = what;
    this.epoch = epoch;
    this.learningRate = learningRate;
  }

  /** {@return what became non-finite and when, e.g. "the loss became NaN at epoch 3"} */
  public String what() {
    return what;
  }

  /** {@return the 0-based epoch at which the divergence was seen} */
  public int epoch() {
    return epoch;
  }

  /** {@return the run's learning rate} */
  public float learningRate() {
    return learningRate;
  }
}
