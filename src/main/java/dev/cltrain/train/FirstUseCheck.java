package dev.cltrain.train;

import dev.cltrain.core.Wording;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.device.Device;
import dev.cltrain.core.DeviceException;
import dev.cltrain.io.AtomicFiles;
import dev.cltrain.opencl.MatmulPlan;
import dev.cltrain.opencl.MatmulTuner;
import dev.cltrain.opencl.OpenClDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device checked before it is trusted: the first time an OpenCL device, its driver version and a set of kernel
 * sources come together with this version of the check itself ({@link #key}), {@link DeviceCheck#check} runs (every kernel at
 * verify's shapes, with every matmul plan the device's products take, and a short lockstep training against the
 * Java reference, a few seconds; one line says so) and its verdict is cached in {@code device-checks.json} next
 * to the matmul plans ({@link MatmulTuner#cacheFolder()}) with the plans it checked. Later uses read the verdict,
 * unless a plan is in use that it did not check (tuning went on, or large products got their own plan): then the
 * check runs again. A check that could not run (the device failed on the way) refuses the device but is not
 * cached, so it runs again next time. {@link Opening} calls this for every trainer and forward pass it opens on
 * an OpenCL device unless the choice says otherwise ({@code DeviceChoice.withCheck(false)}, {@code --no-check}).
 *
 * <p>Thread-safe: one check at a time per process.
 */
public final class FirstUseCheck {
  /** The cache file's name in {@link MatmulTuner#cacheFolder()}. */
  public static final String FILE = "device-checks.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger RUNS = new AtomicInteger();
  /** Verdicts that could not be written to the cache (a read-only home): kept for this process. */
  private static final Map<String, String> UNSAVED = new HashMap<>();

  private FirstUseCheck() {}

  /** The compiled check's fingerprint: its cases' and judge's class files, see {@link #key}. */
  private static final String CHECK_FINGERPRINT = fingerprint();

  /** The Java call that trusts a device unchecked, named in hints ({@code --no-check} on the command line). */
  public static final String NO_CHECK = "withCheck(false)";

  /**
   * The verdict's key in the cache: the device, its driver and the kernel sources ({@link OpenClDevice#checkKey()}),
   * then the check itself: a hash of the class files of {@link KernelCases} and its families' cases
   * ({@link KernelCases#classes}: the shapes and inputs), {@link DeviceCheck} (the judging) and the Java
   * reference's twins (the judge), so a verdict reached by an older check (say, before a case's shape changed) is
   * not trusted by a newer one.
   *
   * @param cl the device
   * @return the key, one line
   */
  public static String key(OpenClDevice cl) {
    return cl.checkKey() + " | check " + CHECK_FINGERPRINT;
  }

  private static String fingerprint() {
    java.util.List<Class<?>> judged = new java.util.ArrayList<>(KernelCases.classes());
    judged.add(DeviceCheck.class);
    for (Class<?> c = dev.cltrain.reference.ReferenceKernels.class;
        c != null && c.getPackageName().equals(dev.cltrain.reference.ReferenceKernels.class.getPackageName());
        c = c.getSuperclass()) {
      judged.add(c);
    }
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      for (Class<?> c : judged) {
        try (java.io.InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
          if (in != null) {
            sha.update(in.readAllBytes());
          }
        }
      }
      return java.util.HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (java.security.NoSuchAlgorithmException | IOException e) {
      throw new IllegalStateException("the check's class files are readable and every Java has SHA-256", e);
    }
  }

  /** A device the first-use check found wrong (or could not check): the message is the first failure, one line. */
  public static final class Refused extends DeviceException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /**
   * Checks {@code device} unless its verdict is cached, and refuses it when that verdict is a failure.
   *
   * @param device the device about to be trusted; the reference (the judge) and non-OpenCL devices pass at once
   * @throws Refused naming the first failing kernel (or the training difference, or why the check could not run)
   */
  public static synchronized void require(Device device) {
    if (device.isReference() || !(device instanceof OpenClDevice cl)) {
      return;
    }
    String key = key(cl);
    Path file = MatmulTuner.cacheFolder().resolve(FILE);
    ObjectNode cache = read(file);
    JsonNode entry = cache.get(key);
    java.util.Set<String> checked = new java.util.HashSet<>();
    if (entry != null) {
      entry.path("plans").forEach(p -> checked.add(p.asText()));
    }
    boolean plansChecked = MatmulPlan.inUse(cl.info(), cl.source()).stream().allMatch(p -> checked.contains(p.spec()));
    String failure;
    if (entry != null && entry.path("verdict").asText().equals("pass") && plansChecked) {
      failure = null;
    } else if (entry != null && entry.path("verdict").asText().equals("fail") && entry.hasNonNull("failure")) {
      failure = entry.get("failure").asText();
    } else if (UNSAVED.containsKey(key)) {
      failure = UNSAVED.get(key);
    } else {
      RUNS.incrementAndGet();
      dev.cltrain.core.Notices.say(Wording.of(device.id(), ": first use: checking every kernel against the Java "
          + "reference (once per device, driver, kernel sources and matmul plan; ", Wording.param(NO_CHECK),
          " skips it)"));
      long start = System.nanoTime();
      DeviceCheck.Report report = DeviceCheck.check(device, false);
      double seconds = (System.nanoTime() - start) / 1e9;
      failure = report.firstFailure();
      if (report.error() != null) {
        throw new Refused("the first-use check could not run: " + report.error());
      }
      ObjectNode verdict = JSON.createObjectNode();
      verdict.put("verdict", failure == null ? "pass" : "fail");
      if (failure != null) {
        verdict.put("failure", failure);
      }
      verdict.put("judgedBy", report.judgement());
      report.plans().forEach(p -> verdict.withArray("plans").add(p));
      verdict.put("seconds", Double.parseDouble(String.format(Locale.ROOT, "%.2f", seconds)));
      verdict.put("checked", Instant.now().toString());
      cache.set(key, verdict);
      try {
        Files.createDirectories(file.getParent());
        AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(cache) + "\n");
      } catch (IOException | RuntimeException e) {
        UNSAVED.put(key, failure); // a read-only cache: remember for this process, check again in the next
      }
    }
    if (failure != null) {
      throw new Refused("the first-use check failed: " + failure);
    }
  }

  /** {@return how many checks this process has run (cached verdicts do not count), for tests} */
  public static int checksRun() {
    return RUNS.get();
  }

  private static ObjectNode read(Path file) {
    try {
      if (Files.isRegularFile(file) && JSON.readTree(file.toFile()) instanceof ObjectNode node) {
        return node;
      }
    } catch (IOException | RuntimeException e) {
      // an unreadable cache: check again, and write a fresh one
    }
    return JSON.createObjectNode();
  }
}
