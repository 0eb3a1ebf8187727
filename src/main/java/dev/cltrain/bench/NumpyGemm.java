package dev.cltrain.bench;

import dev.cltrain.core.Wording;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * NumPy's float32 matmul at the same shapes, for {@code bench --gemm}'s comparison row: one Python process
 * (the {@code python3} on PATH, or {@value #ENVIRONMENT}) runs the script {@code numpy_gemm.py} packaged beside
 * this class, which times {@code a @ b} ({@code a.T @ b} for tn with a stored k×m, {@code a @ b.T} for nt with b
 * stored n×k) with GemmBench's policy: untimed calls for at least 300 ms (at least one, at most 1000), then the
 * timed calls. NumPy draws its own random inputs, so its product is not compared with the reference's.
 *
 * <p>The process cannot outlive the bench: it is killed when it runs past a time limit proportional to the work
 * (at most 10 minutes), when the JVM exits (a shutdown hook), and it ends itself when its standard input
 * closes, which happens when the JVM dies in any way.
 */
public final class NumpyGemm {
  /** The device id of NumPy's rows. */
  public static final String ID = "numpy";
  /** The environment variable naming the Python to run instead of {@code python3}. */
  public static final String ENVIRONMENT = "CLTRAIN_PYTHON";
  /** The script's resource name, beside this class. */
  static final String SCRIPT = "numpy_gemm.py";
  /** The longest the Python process may run, whatever the shapes. */
  static final long MAX_TIMEOUT_MILLIS = 600_000;

  /** What turns the NumPy row off, named in hints ({@code --no-numpy} on the command line). */
  public static final String NO_NUMPY = "Options.numpy=false";

  /**
   * What NumPy measured, or why it could not.
   *
   * @param version   numpy.__version__, e.g. "2.4.6"; null when unavailable
   * @param blas      the BLAS NumPy was built with, e.g. "scipy-openblas 0.3.31"; may be empty
   * @param python    the Python version
   * @param ms        per shape (in the order given), each timed call in milliseconds; empty when unavailable
   * @param problem   why there is no NumPy row, one line; null when measured
   */
  public record Result(String version, String blas, String python, List<double[]> ms, Wording problem) {
    /** @return e.g. "numpy 2.4.6 (scipy-openblas)": the version and the BLAS's name without its version */
    public String label() {
      String lib = blas == null || blas.isBlank() ? "" : " (" + blas.strip().split("\\s+")[0] + ")";
      return "numpy " + version + lib;
    }

    /** @return e.g. "NumPy 2.4.6, scipy-openblas 0.3.31, Python 3.11.7" */
    public String describe() {
      return "NumPy " + version + (blas == null || blas.isBlank() ? "" : ", " + blas.strip())
          + (python == null ? "" : ", Python " + python);
    }

    static Result unavailable(String problem) {
      return unavailable(Wording.of(problem));
    }

    static Result unavailable(Wording problem) {
      return new Result(null, null, null, List.of(), problem);
    }
  }

  private NumpyGemm() {}

  /** @return {@value #ENVIRONMENT} when set and not blank, else "python3" */
  public static String python() {
    String chosen = System.getenv(ENVIRONMENT);
    return chosen == null || chosen.isBlank() ? "python3" : chosen;
  }

  /**
   * The time limit for the shapes: 30 s to start Python and import NumPy, and per shape a second plus
   * {@code repeat + 2} calls at 1 GFLOP/s; at most {@link #MAX_TIMEOUT_MILLIS}.
   *
   * @param shapes the shapes
   * @param repeat timed calls per shape
   * @return milliseconds
   */
  static long timeoutMillis(List<GemmShape> shapes, int repeat) {
    double millis = 30_000;
    for (GemmShape s : shapes) {
      millis += 1000 + (repeat + 2.0) * s.flops() / 1e6;
    }
    return (long) Math.min(MAX_TIMEOUT_MILLIS, millis);
  }

  /**
   * Times every shape in one Python process.
   *
   * @param shapes the shapes, as GemmBench times them
   * @param repeat timed calls per shape
   * @return the figures, or a result whose {@link Result#problem()} says why there are none
   */
  public static Result run(List<GemmShape> shapes, int repeat) {
    String python = python();
    List<String> command = new ArrayList<>(List.of(python, "-c", script(), String.valueOf(repeat)));
    for (GemmShape s : shapes) {
      command.add(s.m() + "," + s.n() + "," + s.k() + "," + s.variant());
    }
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      int at = why.indexOf("error=");
      return Result.unavailable(Wording.of("cannot run " + python + " (" + (at < 0 ? why : why.substring(at))
          + "); set " + ENVIRONMENT + " to a Python with NumPy, or give ", Wording.param(NO_NUMPY)));
    }
    Thread hook = new Thread(() -> kill(process), "cltrain-numpy-stop");
    boolean hooked = addHook(hook);
    try {
      List<String> lines = Collections.synchronizedList(new ArrayList<>());
      List<String> errors = Collections.synchronizedList(new ArrayList<>());
      Thread stdout = drain(process.getInputStream(), lines, "cltrain-numpy-out");
      Thread stderr = drain(process.getErrorStream(), errors, "cltrain-numpy-err");
      long timeout = timeoutMillis(shapes, repeat);
      boolean finished;
      try {
        finished = process.waitFor(timeout, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill(process);
        return Result.unavailable("interrupted while NumPy ran");
      }
      if (!finished) {
        kill(process);
        return Result.unavailable(python + " with NumPy took longer than " + timeout / 1000 + " s and was stopped");
      }
      join(stdout);
      join(stderr);
      return parse(python, new ArrayList<>(lines), new ArrayList<>(errors), shapes.size(), repeat, process.exitValue());
    } finally {
      kill(process);
      if (hooked) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is shutting down: the hook runs anyway
        }
      }
    }
  }

  /** Reads the script's lines: a header, then one line per shape; anything missing is a problem. */
  static Result parse(String python, List<String> lines, List<String> errors, int shapes, int repeat, int exit) {
    ObjectMapper mapper = new ObjectMapper();
    String version = null;
    String blas = "";
    String pythonVersion = null;
    List<double[]> ms = new ArrayList<>();
    for (String line : lines) {
      String text = line.strip();
      if (!text.startsWith("{")) {
        continue;
      }
      JsonNode node;
      try {
        node = mapper.readTree(text);
      } catch (IOException e) {
        continue;
      }
      if (node.hasNonNull("error")) {
        return Result.unavailable(python + ": " + node.get("error").asText());
      }
      if (node.hasNonNull("numpy")) {
        version = node.get("numpy").asText();
        blas = node.path("blas").asText("");
        pythonVersion = node.hasNonNull("python") ? node.get("python").asText() : null;
      } else if (node.has("shape") && node.get("ms") != null && node.get("ms").isArray()) {
        double[] times = new double[node.get("ms").size()];
        for (int i = 0; i < times.length; i++) {
          times[i] = node.get("ms").get(i).asDouble();
        }
        if (times.length != repeat || node.get("shape").asInt() != ms.size()) {
          return Result.unavailable(python + " printed an unexpected line: " + text);
        }
        for (double t : times) {
          if (!(t > 0) || !Double.isFinite(t)) {
            return Result.unavailable(python + " printed a time that is not a positive number: " + text);
          }
        }
        ms.add(times);
      }
    }
    if (version == null || ms.size() != shapes) {
      String last = errors.isEmpty() ? "" : ": " + errors.get(errors.size() - 1).strip();
      return Result.unavailable(python + " stopped after " + ms.size() + " of " + shapes + " shapes (exit status "
          + exit + ")" + last);
    }
    return new Result(version, blas, pythonVersion, List.copyOf(ms), null);
  }

  /** The script's text, from the jar. */
  static String script() {
    try (InputStream in = NumpyGemm.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException("resource " + SCRIPT + " missing beside " + NumpyGemm.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SCRIPT, e);
    }
  }

  private static Thread drain(InputStream in, List<String> into, String name) {
    Thread t = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (into.size() < 10_000) {
            into.add(line);
          }
        }
      } catch (IOException e) {
        // the process was killed: what was read stays
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void join(Thread t) {
    try {
      t.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean addHook(Thread hook) {
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** Ends the process and anything it started; closing its stdin tells the script to exit too. */
  private static void kill(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already closed
    }
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
