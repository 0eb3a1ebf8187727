package dev.cltrain.spark;

import dev.cltrain.core.Wording;
import dev.cltrain.core.InputException;
import dev.cltrain.data.CsvLabels;
import dev.cltrain.data.CsvLayout;
import dev.cltrain.data.CsvReader;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.DataSets;
import dev.cltrain.nn.Standardization;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Training rows read by Spark and cut into partitions with a fixed row order, so that a rerun, a retried task
 * and the one-process run ({@code PartitionedTraining.runLocal}) all see the same shards.
 *
 * <p>Formats, by the path's ending (a folder: by its files' endings): {@code .csv}, read by the CLI's grammar
 * ({@link CsvReader}, {@link CsvLayout}: the same cells are refused with the same messages, naming file, line
 * and column; each file's first line may be a header; the label column the target or, for {@code xent}, the
 * class label: integers 0..K−1, or class names as {@link CsvReader#readClassified} takes them (the classes the
 * distinct names sorted, kept in {@link Loaded#classNames()}; one more pass over the files finds them); no quoted
 * cells spanning lines), {@code .parquet} (columns
 * {@code features} (an array of numbers) and {@code label}, else every column numeric with the label last),
 * anything else LIBSVM text ({@code label idx:val ...}, indices from 1; {@code features} gives the width, else
 * the largest index). For {@code xent} the targets are one-hot rows of K = the largest label + 1 (at least 2).
 *
 * <p>The row order: text files in the order of their paths (sorted), lines in file order; Parquet files sorted
 * by path, rows in file order ({@code _metadata.row_index}). Partition p of P holds the rows
 * [⌊pN/P⌋, ⌊(p+1)N/P⌋) of that order, in that order.
 */
public final class SparkData {
  private SparkData() {}

  /** What the rows are read as. */
  public enum Format {
    /** Numeric CSV text, the label or target last. */
    CSV,
    /** Parquet: columns features and label, or numeric columns with the label last. */
    PARQUET,
    /** LIBSVM text: {@code label idx:val ...}. */
    LIBSVM;

    /**
     * @param path  a file or folder
     * @param files its data files, sorted
     * @return the format its name (or, for a folder, its first data file's name) says
     */
    static Format of(String path, List<String> files) {
      String name = (files.isEmpty() ? path : files.get(0)).toLowerCase(Locale.ROOT);
      if (name.endsWith(".csv")) {
        return CSV;
      }
      if (name.endsWith(".parquet")) {
        return PARQUET;
      }
      return LIBSVM;
    }
  }

  /**
   * One partition's rows, the one element of its partition in {@link Loaded#shards()}.
   *
   * @param index its partition index
   * @param first the global index of its first row
   * @param rows  its rows
   * @param x     inputs, rows × inputs
   * @param y     targets, rows × outputs
   * @serial exclude
   */
  public record Shard(int index, long first, int rows, float[] x, float[] y) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * @param name    the data set's name
     * @param inputs  inputs per row
     * @param outputs targets per row
     * @return the rows as a data set (the arrays are not copied)
     */
    public DataSet dataSet(String name, int inputs, int outputs) {
      return new DataSet(name + "#" + index, rows, inputs, outputs, x, y);
    }
  }

  /**
   * The rows, partitioned and cached.
   *
   * @param name          the path, for messages
   * @param shards        one {@link Shard} per partition, in partition order, persisted in memory
   * @param partitionRows each partition's rows
   * @param inputs        inputs per row
   * @param outputs       targets per row (K for xent)
   * @param classNames    a CSV's class names in class order (xent with string labels), else null
   * @param validation    the rows a validation split held out, on the driver, or null
   */
  public record Loaded(String name, JavaRDD<Shard> shards, int[] partitionRows, int inputs, int outputs,
      List<String> classNames, DataSet validation) {
    /** @return the total rows */
    public long rows() {
      long n = 0;
      for (int r : partitionRows) {
        n += r;
      }
      return n;
    }

    /**
     * The statistics of {@code cltrain train --standardize} over these rows: {@link Standardization}'s two passes,
     * each partition's column sums added in partition order (with one partition, bit for bit
     * {@link Standardization#of(float[], int, int)} of the rows).
     *
     * @return the standardization of the rows
     */
    public Standardization standardization() {
      int cols = inputs;
      double[] mean = new double[cols];
      for (double[] part : shards.map(s -> Standardization.sums(s.x(), s.rows(), cols)).collect()) {
        for (int c = 0; c < cols; c++) {
          mean[c] += part[c];
        }
      }
      long n = rows();
      for (int c = 0; c < cols; c++) {
        mean[c] /= n;
      }
      double[] squares = new double[cols];
      for (double[] part : shards.map(s -> Standardization.squaredDeviations(s.x(), s.rows(), cols, mean)).collect()) {
        for (int c = 0; c < cols; c++) {
          squares[c] += part[c];
        }
      }
      return Standardization.of(mean, squares, n);
    }

    /**
     * The rows with standardized inputs, cached (this one's cache is dropped).
     *
     * @param st the standardization
     * @return the same rows, inputs (x − mean) / std
     */
    public Loaded standardized(Standardization st) {
      float[] mean = st.mean(); // the arrays travel to the executors (a Standardization is not Serializable)
      float[] std = st.std();
      JavaRDD<Shard> scaled = shards.map(s -> new Shard(s.index(), s.first(), s.rows(),
          new Standardization(mean, std).apply(s.x()), s.y())).persist(StorageLevel.MEMORY_AND_DISK());
      scaled.count();
      shards.unpersist(false);
      return new Loaded(name, scaled, partitionRows, inputs, outputs, classNames,
          validation == null ? null : validation.standardized(st));
    }

    /**
     * Brings every partition to the driver (for tests and the one-process comparison).
     *
     * @return the partitions' rows, in partition order
     */
    public List<DataSet> collect() {
      List<DataSet> sets = new ArrayList<>();
      for (Shard s : shards.collect()) {
        sets.add(s.dataSet(name, inputs, outputs));
      }
      return sets;
    }
  }

  /** Per-column facts gathered in one pass: combined in any order (counts, minimum and maximum only). */
  private static final class Stats implements Serializable {
    private static final long serialVersionUID = 1L;
    long rows;
    int minColumns = Integer.MAX_VALUE;
    int maxColumns = -1;
    double maxLabel = Double.NEGATIVE_INFINITY;
    boolean nonIntegerLabel;
    double minLabel = Double.POSITIVE_INFINITY;

    Stats add(float[] row) {
      rows++;
      minColumns = Math.min(minColumns, row.length);
      maxColumns = Math.max(maxColumns, row.length);
      float label = row[row.length - 1];
      maxLabel = Math.max(maxLabel, label);
      minLabel = Math.min(minLabel, label);
      nonIntegerLabel |= label != Math.rint(label);
      return this;
    }

    Stats merge(Stats o) {
      rows += o.rows;
      minColumns = Math.min(minColumns, o.minColumns);
      maxColumns = Math.max(maxColumns, o.maxColumns);
      maxLabel = Math.max(maxLabel, o.maxLabel);
      minLabel = Math.min(minLabel, o.minLabel);
      nonIntegerLabel |= o.nonIntegerLabel;
      return this;
    }
  }

  /**
   * Reads {@code path} and partitions its rows.
   *
   * @param spark          the session
   * @param path           a file or folder any executor can read (local, HDFS, S3, ...)
   * @param partitions     how many partitions, at least 1
   * @param classification whether the last column is a class label (xent): targets become one-hot rows
   * @param features       LIBSVM's input width, or 0 to take the largest index
   * @return the partitioned rows, cached
   * @throws InputException when the path cannot be read or holds a bad row
   */
  public static Loaded read(SparkSession spark, String path, int partitions, boolean classification, int features) {
    return read(spark, path, partitions, classification, features, CsvLayout.DEFAULT);
  }

  /**
   * Reads {@code path} and partitions its rows, a CSV laid out as {@code layout} says.
   *
   * @param spark          the session
   * @param path           a file or folder any executor can read (local, HDFS, S3, ...)
   * @param partitions     how many partitions, at least 1
   * @param classification whether the label is a class label (xent): targets become one-hot rows
   * @param features       LIBSVM's input width, or 0 to take the largest index
   * @param layout         a CSV's label and ignored columns and missing-cell rule ({@link CsvLayout#DEFAULT}
   *     for other formats)
   * @return the partitioned rows, cached
   * @throws InputException when the path cannot be read or holds a bad row
   */
  public static Loaded read(SparkSession spark, String path, int partitions, boolean classification, int features,
      CsvLayout layout) {
    return read(spark, path, partitions, classification, features, layout, 0, 0);
  }

  /**
   * {@link #read(SparkSession, String, int, boolean, int, CsvLayout)} with a validation split taken as
   * {@code train --validation-split} takes it ({@link DataSets#splitOrder}): the rows in the split's order, the
   * held-out ones brought to the driver ({@link Loaded#validation()}), the rest partitioned in that order.
   *
   * @param spark          the session
   * @param path           a file or folder any executor can read
   * @param partitions     how many partitions, at least 1
   * @param classification whether the label is a class label (xent)
   * @param features       LIBSVM's input width, or 0 to take the largest index
   * @param layout         a CSV's layout ({@link CsvLayout#DEFAULT} for other formats)
   * @param split          the fraction held out, 0 for none
   * @param seed           the split's seed (--seed)
   * @return the partitioned rows, cached
   * @throws InputException when the path cannot be read, holds a bad row, or the split is out of range
   */
  public static Loaded read(SparkSession spark, String path, int partitions, boolean classification, int features,
      CsvLayout layout, double split, long seed) {
    DataSets.checkValidationSplit(split);
    if (partitions < 1) {
      throw InputException.parameter("partitions", "must be at least 1, got " + partitions);
    }
    List<String> files = files(spark, path);
    Format format = Format.of(path, files);
    if (format != Format.CSV && !layout.isDefault()) {
      throw dev.cltrain.data.CsvLayout.notCsv(path);
    }
    int labels = 1;
    List<String> names = null;
    // every row as its inputs then its label or targets, with its global index
    JavaPairRDD<Long, float[]> indexed = switch (format) {
      case PARQUET -> SparkRows.parquet(spark, files);
      case CSV -> {
        CsvLayout.Columns columns = SparkRows.csvColumns(spark, files.get(0), layout, classification);
        labels = columns.labels().length;
        if (classification) {
          int at = columns.labels()[0];
          names = CsvLabels.classNames(SparkRows.csv(spark, files, columns, true, (cells, file, line, row) -> cells[at].strip())
              .distinct().collect());
        }
        yield SparkRows.csv(spark, files, columns, classification, SparkRows.labelled(columns, classification, names)).zipWithIndex()
            .mapToPair(Tuple2::swap);
      }
      case LIBSVM -> {
        JavaRDD<float[]> rows = text(spark, files).filter(l -> !l.isBlank() && !l.startsWith("#"))
            .map(SparkRows::libsvmRow);
        int width = features > 0 ? features
            : rows.map(r -> r.length == 0 ? 0 : (int) r[r.length - 2]).fold(0, Math::max);
        yield rows.map(r -> SparkRows.dense(r, width)).zipWithIndex().mapToPair(Tuple2::swap);
      }
    };
    indexed = indexed.persist(StorageLevel.MEMORY_AND_DISK());
    JavaPairRDD<Long, float[]> cached = indexed; // a validation split's filter reads from it
    Stats stats = indexed.values().aggregate(new Stats(), Stats::add, Stats::merge);
    if (stats.rows == 0) {
      indexed.unpersist(false);
      throw new InputException(path + ": no data rows");
    }
    if (stats.minColumns != stats.maxColumns) {
      indexed.unpersist(false);
      throw new InputException(path + ": rows have from " + stats.minColumns + " to " + stats.maxColumns + " columns");
    }
    if (stats.maxColumns < labels + 1) {
      indexed.unpersist(false);
      throw new InputException(path + ": " + stats.maxColumns + " column, but a label and at least one input are needed");
    }
    int inputs = stats.maxColumns - labels;
    int outputs = labels;
    if (classification) {
      if (stats.nonIntegerLabel || stats.minLabel < 0 || stats.maxLabel >= dev.cltrain.data.CsvReader.MAX_CLASSES) {
        indexed.unpersist(false);
        throw new InputException(path + ": class labels must be integers from 0 to "
            + (dev.cltrain.data.CsvReader.MAX_CLASSES - 1) + " (got " + stats.minLabel + " to " + stats.maxLabel + ")");
      }
      outputs = Math.max(2, (int) stats.maxLabel + 1);
    }
    long n = stats.rows;
    DataSet validation = null;
    if (split > 0) {
      if (n > Integer.MAX_VALUE - 8) {
        indexed.unpersist(false);
        throw new InputException(Wording.of(path + ": " + n + " rows are too many for ",
            Wording.param("validationSplit"), " (at most " + (Integer.MAX_VALUE - 8) + ")"));
      }
      DataSets.Split order;
      try {
        order = DataSets.splitOrder(split, seed, (int) n, path);
      } catch (InputException e) {
        indexed.unpersist(false);
        throw e;
      }
      int[] position = new int[(int) n]; // row i goes to place position[i] of the split's order
      for (int k = 0; k < n; k++) {
        position[order.permutation()[k]] = k;
      }
      org.apache.spark.broadcast.Broadcast<int[]> at = JavaSparkContext.fromSparkContext(spark.sparkContext())
          .broadcast(position);
      long keep = order.keep();
      JavaPairRDD<Long, float[]> moved = indexed.mapToPair(t -> new Tuple2<>((long) at.value()[(int) (long) t._1()],
          t._2()));
      List<Tuple2<Long, float[]>> held = moved.filter(t -> t._1() >= keep).collect();
      validation = shard(0, held.iterator(), inputs, outputs, classification)
          .dataSet(path + " (validation split)", inputs, outputs);
      indexed = moved.filter(t -> t._1() < keep);
      n = keep;
    }
    if (n < partitions) {
      cached.unpersist(false);
      throw new InputException(path + ": " + n + " rows cannot fill " + partitions + " partitions");
    }
    int in = inputs;
    int out = outputs;
    JavaRDD<Shard> shards = indexed.partitionBy(new RangeOfIndex(partitions, n))
        .mapPartitionsWithIndex((p, it) -> List.of(shard(p, it, in, out, classification)).iterator(), true)
        .persist(StorageLevel.MEMORY_AND_DISK());
    int[] partitionRows = new int[partitions];
    for (int p = 0; p < partitions; p++) {
      partitionRows[p] = (int) (RangeOfIndex.start(p + 1, partitions, n) - RangeOfIndex.start(p, partitions, n));
    }
    shards.count(); // materialise the cache now, then drop the unpartitioned copy
    cached.unpersist(false);
    return new Loaded(path, shards, partitionRows, inputs, outputs, names, validation);
  }

  /** Rows by index ranges: partition p holds [⌊pN/P⌋, ⌊(p+1)N/P⌋). */
  static final class RangeOfIndex extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;
    private final long rows;

    RangeOfIndex(int partitions, long rows) {
      this.partitions = partitions;
      this.rows = rows;
    }

    static long start(int p, int partitions, long rows) {
      return Math.multiplyHigh(p, rows) == 0 ? p * rows / partitions
          : java.math.BigInteger.valueOf(p).multiply(java.math.BigInteger.valueOf(rows))
              .divide(java.math.BigInteger.valueOf(partitions)).longValueExact();
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      long i = (Long) key;
      int p = (int) Math.min(partitions - 1, i * partitions / rows);
      while (p > 0 && i < start(p, partitions, rows)) {
        p--;
      }
      while (p < partitions - 1 && i >= start(p + 1, partitions, rows)) {
        p++;
      }
      return p;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RangeOfIndex r && r.partitions == partitions && r.rows == rows;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(rows) * 31 + partitions;
    }
  }

  private static Shard shard(int p, Iterator<Tuple2<Long, float[]>> it, int inputs, int outputs, boolean classification) {
    List<Tuple2<Long, float[]>> rows = new ArrayList<>();
    it.forEachRemaining(rows::add);
    rows.sort((a, b) -> Long.compare(a._1(), b._1()));
    int n = rows.size();
    float[] x = new float[n * inputs];
    float[] y = new float[n * outputs];
    for (int r = 0; r < n; r++) {
      float[] row = rows.get(r)._2();
      System.arraycopy(row, 0, x, r * inputs, inputs);
      if (classification) {
        y[r * outputs + (int) row[inputs]] = 1f;
      } else {
        System.arraycopy(row, inputs, y, r * outputs, outputs);
      }
    }
    return new Shard(p, n == 0 ? -1 : rows.get(0)._1(), n, x, y);
  }

  /** The data files under {@code path} (itself when a file), sorted by path; hidden files (_, .) left out. */
  static List<String> files(SparkSession spark, String path) {
    try {
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p)) {
        throw new InputException(path + ": file not found");
      }
      FileStatus status = fs.getFileStatus(p);
      List<String> files = new ArrayList<>();
      if (status.isDirectory()) {
        for (FileStatus f : fs.listStatus(p)) {
          String name = f.getPath().getName();
          if (f.isFile() && !name.startsWith("_") && !name.startsWith(".") && f.getLen() > 0) {
            files.add(f.getPath().toString());
          }
        }
        if (files.isEmpty()) {
          throw new InputException(path + ": a folder with no data files");
        }
      } else {
        files.add(status.getPath().toString());
      }
      files.sort(null);
      return files;
    } catch (java.io.IOException e) {
      throw new InputException(path + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  private static JavaRDD<String> text(SparkSession spark, List<String> files) {
    // several paths in the order given: their partitions (and so zipWithIndex) follow it
    return JavaSparkContext.fromSparkContext(spark.sparkContext()).textFile(String.join(",", files));
  }
}
