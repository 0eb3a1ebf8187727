package dev.cltrain.spark;

import dev.cltrain.core.Wording;
import dev.cltrain.core.InputException;
import dev.cltrain.data.CsvLabels;
import dev.cltrain.data.CsvLayout;
import dev.cltrain.data.CsvNumbers;
import dev.cltrain.data.CsvReader;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import scala.Tuple2;

/**
 * How each format's records become rows of floats on the cluster: CSV lines (cells split and read as
 * {@code cltrain train} reads them), LIBSVM lines and Parquet rows.
 */
final class SparkRows {
  private SparkRows() {}

  /**
   * The columns of a CSV, resolved on the driver from its first file's header and first data row.
   *
   * @param file           the first data file
   * @param layout         the label and ignored columns
   * @param classification whether the label is a class label (one column)
   */
  static CsvLayout.Columns csvColumns(SparkSession spark, String file, CsvLayout layout,
      boolean classification) {
    Path p = new Path(file);
    try (java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(
        p.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(p), java.nio.charset.StandardCharsets.UTF_8))) {
      List<String> header = null;
      long line = 0;
      String text;
      while ((text = reader.readLine()) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        String[] cells = cells(text, file, line);
        if (header == null && CsvReader.isHeader(cells)) {
          header = Arrays.stream(cells).map(String::strip).toList();
          continue;
        }
        return layout.resolve(file, header, cells.length, (int) line, 1, classification);
      }
      throw new InputException(file + ": no data rows (the file is empty or holds only a header)");
    } catch (java.io.IOException e) {
      throw new InputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /** One CSV line's cells, as the CLI splits them; a quoted cell must close on its line. */
  static String[] cells(String text, String file, long line) {
    String[] cells = CsvReader.split(text);
    if (cells == null) {
      throw new InputException(file + ":" + line + ": a quoted cell is not closed on its line (Spark reads a CSV "
          + "line by line: no line breaks inside quotes)");
    }
    return cells;
  }

  /** What {@link #csv} makes of a data row: its cells (as split), file, line and values read by the layout. */
  interface CsvRow<T> extends Serializable {
    T of(String[] cells, String file, long line, float[] row);
  }

  /**
   * A row as its inputs then its labels: for a classifier, the label checked as {@code train} checks it (with
   * its message) when the labels are integers, else the index of its class name in {@code names}.
   */
  static CsvRow<float[]> labelled(CsvLayout.Columns columns, boolean classification, List<String> names) {
    int at = columns.labels()[0];
    java.util.Map<String, Integer> index = new java.util.HashMap<>();
    for (int c = 0; names != null && c < names.size(); c++) {
      index.put(names.get(c), c);
    }
    return (cells, file, line, row) -> {
      if (classification && names == null) { // the CLI's check of each label, with its message
        row[row.length - 1] = CsvLabels.classLabel(cells[at].strip(), file, line, at + 1, 0);
      } else if (classification) {
        row[row.length - 1] = index.get(cells[at].strip()); // every name is there: names are all the cells'
      }
      return row;
    };
  }

  /**
   * Every data row of the files, in order, read by {@link CsvLayout.Columns#row} with each file's line numbers
   * (a classifier's label, one column, is read as text and left 0 here: {@code make} puts its class), then given to
   * {@code make}; each file's first non-blank line is skipped when it is a header.
   */
  static <T> JavaRDD<T> csv(SparkSession spark, List<String> files, CsvLayout.Columns columns,
      boolean classification, CsvRow<T> make) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<JavaRDD<T>> parts = new ArrayList<>();
    for (String file : files) {
      parts.add(jsc.textFile(file).zipWithIndex().mapPartitionsWithIndex((p, it) -> {
        List<T> rows = new ArrayList<>();
        boolean first = p == 0; // a file's first partition holds its first line
        while (it.hasNext()) {
          Tuple2<String, Long> next = it.next();
          String text = next._1();
          long line = next._2() + 1;
          if (text.isBlank()) {
            continue;
          }
          String[] cells = cells(text, file, line);
          if (first) {
            first = false;
            if (CsvReader.isHeader(cells)) {
              continue;
            }
          }
          // a class label as text first: a class name is not a number
          float[] row = columns.row(cells, file, line, classification ? new String[1] : null, null);
          if (row != null) {
            rows.add(make.of(cells, file, line, classification ? java.util.Arrays.copyOf(row, row.length + 1) : row));
          }
        }
        return rows.iterator();
      }, true));
    }
    return parts.size() == 1 ? parts.get(0) : jsc.union(parts.toArray(JavaRDD[]::new));
  }

  /** A LIBSVM line as label, then (index, value) pairs: [idx1, val1, idx2, val2, ..., label] kept sparse. */
  static float[] libsvmRow(String line) {
    String[] parts = line.strip().split("\\s+");
    int pairs = parts.length - 1;
    float[] sparse = new float[2 * pairs + 1];
    try {
      sparse[2 * pairs] = CsvNumbers.value(parts[0]); // train's grammar and rounding: no 1f, 0x1p3, NaN
      int last = 0;
      for (int k = 0; k < pairs; k++) {
        int colon = parts[k + 1].indexOf(':');
        if (colon < 0) {
          throw new InputException("\"" + parts[k + 1] + "\" is not idx:value in line: " + abbreviated(line));
        }
        int idx = Integer.parseInt(parts[k + 1].substring(0, colon));
        if (idx <= last) {
          throw new InputException("indices must be increasing from 1 in line: " + abbreviated(line));
        }
        last = idx;
        sparse[2 * k] = idx;
        sparse[2 * k + 1] = CsvNumbers.value(parts[k + 1].substring(colon + 1));
      }
    } catch (NumberFormatException e) {
      throw new InputException("not a LIBSVM line (" + e.getMessage() + "): " + abbreviated(line));
    }
    // the largest index sits at length - 3 (its value at length - 2): keep that reachable for the width
    float[] out = Arrays.copyOf(sparse, sparse.length + 1);
    out[out.length - 1] = sparse[2 * pairs];
    out[out.length - 2] = pairs == 0 ? 0 : sparse[2 * pairs - 2];
    return out;
  }

  /** A LIBSVM row made dense: width inputs then the label. */
  static float[] dense(float[] sparse, int width) {
    int pairs = (sparse.length - 2) / 2;
    float[] row = new float[width + 1];
    for (int k = 0; k < pairs; k++) {
      int idx = (int) sparse[2 * k];
      if (idx > width) {
        throw new InputException(Wording.of("index " + idx + " is beyond ", Wording.param("features"), " " + width));
      }
      row[idx - 1] = sparse[2 * k + 1];
    }
    row[width] = sparse[sparse.length - 1];
    return row;
  }

  static JavaPairRDD<Long, float[]> parquet(SparkSession spark, List<String> files) {
    Dataset<Row> df = spark.read().parquet(files.toArray(String[]::new));
    List<String> names = Arrays.asList(df.columns());
    Dataset<Row> ordered = df.select(org.apache.spark.sql.functions.col("*"),
            org.apache.spark.sql.functions.col("_metadata.file_path").as("__file"),
            org.apache.spark.sql.functions.col("_metadata.row_index").as("__row"))
        .orderBy("__file", "__row");
    boolean featuresLabel = names.contains("features") && names.contains("label");
    StructField[] fields = df.schema().fields();
    if (!featuresLabel) {
      for (StructField f : fields) {
        DataType t = f.dataType();
        if (!(t instanceof org.apache.spark.sql.types.NumericType) && t != DataTypes.BooleanType) {
          throw new InputException(files.get(0) + ": column " + f.name() + " is " + t.simpleString()
              + ", not numeric (give numeric columns with the label last, or columns features and label)");
        }
      }
    }
    int columns = fields.length;
    int featuresAt = names.indexOf("features");
    int labelAt = names.indexOf("label");
    return ordered.toJavaRDD().map(r -> {
      if (featuresLabel) {
        List<Object> list = r.getList(featuresAt);
        double[] v = new double[list.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = ((Number) list.get(i)).doubleValue();
        }
        float[] row = new float[v.length + 1];
        for (int i = 0; i < v.length; i++) {
          row[i] = (float) v[i];
        }
        row[v.length] = ((Number) r.get(labelAt)).floatValue();
        return row;
      }
      float[] row = new float[columns];
      for (int c = 0; c < columns; c++) {
        Object o = r.get(c);
        if (o == null) {
          throw new InputException("a null cell in column " + (c + 1));
        }
        row[c] = o instanceof Boolean b ? (b ? 1f : 0f) : ((Number) o).floatValue();
      }
      return row;
    }).zipWithIndex().mapToPair(Tuple2::swap);
  }

  static String abbreviated(String line) {
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }
}
