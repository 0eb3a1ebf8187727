package dev.cltrain.train;

import dev.cltrain.nn.NumpyRandom;
import java.util.Arrays;

/**
 * Which rows each partition gives each step of data-parallel training over fixed partitions (a cluster's, where
 * every worker keeps its own part of the data). With T rows in all and batch size B, an epoch has about
 * S₀ = ⌈T/B⌉ steps; partition p, of Tₚ rows, gives nₚ = ⌈Tₚ/S₀⌉ rows a step, consecutive in its own epoch order
 * ({@link #order}), until its rows run out: so every row is used once an epoch, the steps' batches add up to
 * about B, and each partition's share follows its size. A step's gradient is the sum of the partitions' in
 * partition order, each divided by the step's rows in all ({@link #batchRows}). A pure function of the sizes.
 *
 * @param partitionRows rows of each partition, in partition order (each at least 1)
 * @param batchSize     rows per step in all; 0 or at least the total for the full batch (one step an epoch)
 */
public record PartitionPlan(int[] partitionRows, int batchSize) {
  /**
   * Checks the sizes; copies the array.
   *
   * @param partitionRows rows of each partition, in partition order (each at least 1)
   * @param batchSize     rows per step in all; 0 or at least the total for the full batch
   */
  public PartitionPlan {
    if (partitionRows.length == 0) {
      throw new IllegalArgumentException("no partitions");
    }
    for (int r : partitionRows) {
      if (r < 1) {
        throw new IllegalArgumentException("every partition needs a row: " + Arrays.toString(partitionRows));
      }
    }
    partitionRows = partitionRows.clone();
  }

  /** {@return rows of each partition (a copy)} */
  @Override
  public int[] partitionRows() {
    return partitionRows.clone();
  }

  /** {@return all rows} */
  public long totalRows() {
    long t = 0;
    for (int r : partitionRows) {
      t += r;
    }
    return t;
  }

  private long nominalSteps() {
    long total = totalRows();
    return batchSize <= 0 || batchSize >= total ? 1 : (total + batchSize - 1) / batchSize;
  }

  /**
   * @param p a partition
   * @return rows partition {@code p} gives a step until its rows run out
   */
  public int perStep(int p) {
    return (int) ((partitionRows[p] + nominalSteps() - 1) / nominalSteps());
  }

  /** {@return steps an epoch: until the last partition's rows run out; every step has at least one row} */
  public int stepsPerEpoch() {
    int steps = 0;
    for (int p = 0; p < partitionRows.length; p++) {
      steps = Math.max(steps, (partitionRows[p] + perStep(p) - 1) / perStep(p));
    }
    return steps;
  }

  /**
   * @param p a partition
   * @param s a step of the epoch
   * @return where partition p's rows of step s start in its epoch order
   */
  public int offset(int p, int s) {
    return (int) Math.min((long) s * perStep(p), partitionRows[p]);
  }

  /**
   * @param p a partition
   * @param s a step of the epoch
   * @return rows partition p gives at step s (0 once its rows have run out)
   */
  public int rows(int p, int s) {
    return Math.min(perStep(p), partitionRows[p] - offset(p, s));
  }

  /**
   * @param s a step of the epoch
   * @return the rows of step s in all: what every partition's gradient is divided by
   */
  public int batchRows(int s) {
    int n = 0;
    for (int p = 0; p < partitionRows.length; p++) {
      n += rows(p, s);
    }
    return n;
  }

  /**
   * Partition p's row order in epoch e: the (e+1)-th {@code np.random.permutation} of a generator seeded with
   * seed + p (mod 2³²), so any worker that holds the partition computes the same order.
   *
   * @param seed      the run's seed
   * @param partition p
   * @param rows      the partition's rows
   * @param epoch     e, from 0
   * @return the order, a permutation of 0..rows−1
   */
  public static int[] order(long seed, int partition, int rows, int epoch) {
    NumpyRandom random = generator(seed, partition);
    int[] order = null;
    for (int e = 0; e <= epoch; e++) {
      order = random.permutation(rows);
    }
    return order;
  }

  /** {@return partition p's generator before its first epoch} */
  static NumpyRandom generator(long seed, int partition) {
    return new NumpyRandom((seed + partition) & 0xFFFFFFFFL);
  }
}
