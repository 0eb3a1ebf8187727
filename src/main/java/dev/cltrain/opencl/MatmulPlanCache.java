package dev.cltrain.opencl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tuned matmul plans as read from and written to {@value #FILE} in {@link MatmulTuner#cacheFolder()}: per
 * device key ({@link MatmulTuner#key}), the plan's spec ("blocked:4x16x4/128x128"), or for an unfinished tuning
 * {"plan": spec, "untried": [specs]}; the convolutions' plans ({@link ConvTuner}) likewise, under the device's key
 * followed by " | conv". A file that cannot be read reads as empty, one that cannot be written is
 * left as it was: either costs a tuning, never an error.
 */
final class MatmulPlanCache {
  private static final String FILE = "matmul-plans.json";

  /**
   * The file's mapper, made on first use (a holder class): {@link MatmulTuner#cacheFolder()} is on every run's
   * start ({@link JvmSignals}), and a mapper costs a tenth of a second to start.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private final Path file;
  private final ObjectNode plans;

  private MatmulPlanCache(Path file, ObjectNode plans) {
    this.file = file;
    this.plans = plans;
  }

  /** {@return the plans file in the cache folder as it is now (the folder may change: tests set it)} */
  static Path file() {
    return MatmulTuner.cacheFolder().resolve(FILE);
  }

  /** {@return the plans {@link #file()} holds now; none when it is missing or unreadable} */
  static MatmulPlanCache read() {
    Path file = file();
    try {
      if (Files.isRegularFile(file)) {
        if (Json.MAPPER.readTree(file.toFile()) instanceof ObjectNode node) {
          return new MatmulPlanCache(file, node);
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable cache: start afresh
    }
    return new MatmulPlanCache(file, Json.MAPPER.createObjectNode());
  }

  /** {@return whether {@code key} has an entry, readable or not} */
  boolean has(String key) {
    return plans.get(key) != null;
  }

  /**
   * {@return {@code key}'s plan, finished or not, for {@code device}'s tile edge; null when there is none or it
   * cannot be read}
   */
  MatmulPlan plan(ClDevice device, String key) {
    String spec = spec(key);
    return spec == null ? null : parsed(device, spec);
  }

  /** {@return the candidates {@code key}'s unfinished tuning has not timed yet, in order, those readable} */
  List<MatmulPlan> untried(ClDevice device, String key) {
    List<MatmulPlan> untried = new ArrayList<>();
    for (String spec : untriedSpecs(key)) {
      MatmulPlan plan = parsed(device, spec);
      if (plan != null) {
        untried.add(plan);
      }
    }
    return untried;
  }

  /**
   * {@return {@code key}'s plan as the spec cached, finished or not; null when there is none} Any tuner's plans
   * (the matmul's, the convolutions' under their own key) are kept this way.
   */
  String spec(String key) {
    JsonNode entry = plans.get(key);
    return entry == null ? null : entry.isObject() ? entry.path("plan").asText("") : entry.asText("");
  }

  /** {@return the specs {@code key}'s unfinished tuning has not timed yet, in order} */
  List<String> untriedSpecs(String key) {
    List<String> untried = new ArrayList<>();
    plans.path(key).path("untried").forEach(n -> untried.add(n.asText()));
    return untried;
  }

  /**
   * Sets {@code key}'s entry (to {@link #write} later).
   *
   * @param key     the device's key
   * @param best    the plan chosen
   * @param untried the candidates not timed yet, in order: none for a finished tuning
   */
  void put(String key, MatmulPlan best, List<MatmulPlan> untried) {
    putSpecs(key, best.spec(), untried.stream().map(MatmulPlan::spec).toList());
  }

  /**
   * Sets {@code key}'s entry from specs (to {@link #write} later).
   *
   * @param key     the entry's key
   * @param best    the spec of the plan chosen
   * @param untried the specs of the candidates not timed yet, in order: none for a finished tuning
   */
  void putSpecs(String key, String best, List<String> untried) {
    if (untried.isEmpty()) {
      plans.put(key, best);
    } else {
      ObjectNode unfinished = plans.putObject(key);
      unfinished.put("plan", best);
      untried.forEach(spec -> unfinished.withArray("untried").add(spec));
    }
  }

  /** Writes every entry to the file read, atomically; a read-only folder only costs a tuning next time. */
  void write() {
    try {
      Files.createDirectories(file.getParent());
      AtomicFiles.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(plans) + "\n");
    } catch (IOException | RuntimeException e) {
      // a read-only home only costs a tuning run next time
    }
  }

  /** A spec as cached, for {@code device}'s tile edge; null if unreadable. */
  private static MatmulPlan parsed(ClDevice device, String spec) {
    // a blocked plan cached before panels and depth existed (no "/MBxKC") was timed on another kernel: tune again
    if (spec.startsWith("blocked") && !spec.contains("/")) {
      return null;
    }
    try {
      return MatmulPlan.parse(spec, MatmulPlan.tileFor(device));
    } catch (RuntimeException e) {
      return null; // a stale or hand-edited entry: tune again
    }
  }
}
