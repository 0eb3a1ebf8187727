package dev.cltrain.device;

/**
 * Hears a forward pass over a data set chunk by chunk, in row order, so that its outputs need not be held whole
 * (a streamed set's eval and predict: a confusion matrix counted, prediction rows written, as they come).
 */
@FunctionalInterface
public interface OutputRows {
  /**
   * @param first   the chunk's first row in the data set
   * @param rows    its rows
   * @param outputs their outputs, rows × outputs, row-major (the array is the listener's to keep)
   * @param targets their targets as read, rows × the set's outputs (empty for inputs only)
   */
  void rows(int first, int rows, float[] outputs, float[] targets);
}
