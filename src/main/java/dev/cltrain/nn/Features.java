package dev.cltrain.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a {@code --net} adds to a stack of dense layers: the input's image shape, the stages before the first
 * dense layer (convolutions, pooling, dropout, in order), the dropout rate after each dense layer and the seed
 * of the dropout masks. A plain dense network has none ({@code Network.features()} is null). An immutable value.
 *
 * <p>Dropout streams: the dropout stages are numbered 0, 1, … in order, then the dense layers' dropouts
 * continue the count; stream s of step t drops value i as {@code kernels/conv.cl dropout} with counter
 * (i, t, s).
 *
 * @param input        the shape of one input sample (its size is the data's input width)
 * @param stages       the stages before the first dense layer, each taking the previous one's output
 * @param denseDropout per dense layer, the dropout rate applied to its output (0: none); the output layer's is 0
 * @param seed         the dropout masks' seed, 0 to 2⁶⁴−1 as a long
 */
public record Features(Shape input, List<Stage> stages, float[] denseDropout, long seed) {
  /**
   * Checks that the stages chain from the input and copies the lists.
   *
   * @param input        the input's image shape
   * @param stages       the convolutions, pooling and dropout, in order
   * @param denseDropout the dropout rate after each dense layer (0 for none; the output layer's is 0)
   * @param seed         the dropout masks' seed
   * @throws IllegalArgumentException if a stage does not take the previous one's output, or a rate is out of
   *     range, or the output layer has dropout
   */
  public Features {
    stages = List.copyOf(stages);
    Shape at = input;
    for (int s = 0; s < stages.size(); s++) {
      if (!stages.get(s).input().equals(at)) {
        throw new IllegalArgumentException("stage " + (s + 1) + " (" + stages.get(s).spec() + ") takes "
            + stages.get(s).input() + " but is given " + at);
      }
      at = stages.get(s).output();
    }
    denseDropout = denseDropout.clone();
    for (float rate : denseDropout) {
      Dropout.checkRate(rate);
    }
    if (denseDropout.length > 0 && denseDropout[denseDropout.length - 1] != 0f) {
      throw new IllegalArgumentException("the output layer cannot have dropout");
    }
  }

  /** @return the shape the last stage gives (the input's when there are no stages) */
  public Shape output() {
    return stages.isEmpty() ? input : stages.get(stages.size() - 1).output();
  }

  /** {@return the dropout rate after each dense layer (a copy)} */
  @Override
  public float[] denseDropout() {
    return denseDropout.clone();
  }

  /** @return the convolutions among the stages, in order */
  public List<Conv> convs() {
    List<Conv> convs = new ArrayList<>();
    for (Stage s : stages) {
      if (s instanceof Conv c) {
        convs.add(c);
      }
    }
    return convs;
  }

  /** @return weights and biases of the stages */
  public long parameterCount() {
    long count = 0;
    for (Stage s : stages) {
      count += s.parameterCount();
    }
    return count;
  }

  /** @return whether any stage or dense layer drops values while training */
  public boolean hasDropout() {
    for (Stage s : stages) {
      if (s instanceof Dropout d && d.rate() > 0) {
        return true;
      }
    }
    for (float r : denseDropout) {
      if (r > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param newStages stages of the same shapes (e.g. trained convolutions)
   * @return these features with those stages
   */
  public Features withStages(List<Stage> newStages) {
    return new Features(input, newStages, denseDropout, seed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Features f && input.equals(f.input) && stages.equals(f.stages)
        && Arrays.equals(denseDropout, f.denseDropout) && seed == f.seed;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * input.hashCode() + stages.hashCode()) + Arrays.hashCode(denseDropout) + Long.hashCode(seed);
  }
}
