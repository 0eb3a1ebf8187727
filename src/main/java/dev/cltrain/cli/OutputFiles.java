package dev.cltrain.cli;

import dev.cltrain.InputException;
import dev.cltrain.data.Builtins;
import dev.cltrain.data.Generated;
import dev.cltrain.data.MnistDir;
import dev.cltrain.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A command's input and output files, checked together before any work: no output may be the same file as an
 * input or as another output, and every output must be writable ({@link AtomicFiles#checkWritable}, which also
 * removes stale temporaries of it). Files are compared by their real paths (symbolic links resolved, {@code ./x}
 * and {@code x} alike; a file that does not exist yet by its folder's real path and its name), and two existing
 * files also by identity (hard links). Public for SparkTrain, which checks its outputs the same way.
 */
public final class OutputFiles {
  private record Named(String option, Path path) {}

  private final List<Named> inputs = new ArrayList<>();
  private final List<Named> outputs = new ArrayList<>();
  private final List<String> allowed = new ArrayList<>();

  /** Adds an input file; null is ignored. */
  public OutputFiles input(String option, Path path) {
    if (path != null) {
      inputs.add(new Named(option, path));
    }
    return this;
  }

  /**
   * Adds the file or files that a {@code --data}/{@code --test} value reads: nothing for a built-in table or
   * {@code random:}, the MNIST files present for a folder, else the file itself.
   */
  OutputFiles data(String option, String value) {
    if (value == null || Builtins.has(value) || Generated.matches(value)) {
      return this;
    }
    Path path = Path.of(value);
    if (Files.isDirectory(path)) {
      for (String name : new String[] {MnistDir.TRAIN_IMAGES, MnistDir.TRAIN_LABELS, MnistDir.TEST_IMAGES,
          MnistDir.TEST_LABELS}) {
        for (String file : new String[] {name, name + ".gz"}) {
          if (Files.exists(path.resolve(file))) {
            input(option, path.resolve(file));
          }
        }
      }
      return this;
    }
    return input(option, path);
  }

  /** Adds an output file; null is ignored. */
  public OutputFiles output(String option, Path path) {
    if (path != null) {
      outputs.add(new Named(option, path));
    }
    return this;
  }

  /** Lets the output {@code output} be the same file as the input {@code input} (--checkpoint and --resume). */
  OutputFiles allow(String output, String input) {
    allowed.add(output + " " + input);
    return this;
  }

  /**
   * Refuses, with one line naming both options, an output that is an input or another output; then checks that
   * every output can be written.
   *
   * @throws InputException on the first problem found
   */
  public void check() {
    for (int i = 0; i < outputs.size(); i++) {
      Named out = outputs.get(i);
      for (Named in : inputs) {
        if (!allowed.contains(out.option + " " + in.option) && same(out.path, in.path)) {
          throw new InputException(out.option + " " + out.path + " is the same file as " + in.option + " " + in.path
              + ": an output may not overwrite an input (give " + out.option + " another file)");
        }
      }
      for (int j = 0; j < i; j++) {
        Named other = outputs.get(j);
        if (same(out.path, other.path)) {
          throw new InputException(other.option + " " + other.path + " and " + out.option + " " + out.path
              + " are the same file: each output needs a file of its own");
        }
      }
    }
    for (Named out : outputs) {
      AtomicFiles.checkWritable(out.path, out.option);
    }
  }

  /** Whether {@code a} and {@code b} name the same file (see the class comment). */
  static boolean same(Path a, Path b) {
    if (real(a).equals(real(b))) {
      return true;
    }
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The real path of {@code p}: symbolic links resolved; for a file that does not exist (or a dangling link),
   * its folder's real path and its name; for a missing folder, the absolute normalised path.
   */
  static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      // not there yet: fall through
    }
    Path absolute = p.toAbsolutePath().normalize();
    Path folder = absolute.getParent();
    if (folder == null || absolute.getFileName() == null) {
      return absolute;
    }
    try {
      return folder.toRealPath().resolve(absolute.getFileName());
    } catch (IOException e) {
      return absolute;
    }
  }
}
