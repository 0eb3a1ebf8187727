package dev.cltrain.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Where a write of {@link AtomicFiles} lands and what is there now: an output's chain of symbolic links followed
 * to the file it ends at, a chain through {@code /proc} told apart, and the kind of special file a target is.
 */
final class OutputPath {
  /** The most symbolic links followed in one chain, as Linux's MAXSYMLINKS. */
  private static final int MAX_LINKS = 40;
  private static final Path PROC = Path.of("/proc");

  private OutputPath() {}

  /**
   * Where a chain of links ends, and the first link in {@code /proc} it passed through (null when none).
   *
   * @param target   the absolute path a write renames its temporary file to
   * @param procLink the first link in {@code /proc} on the way, or null
   */
  record Resolved(Path target, Path procLink) {}

  /**
   * Follows {@code file}'s symbolic links one by one, as {@link AtomicFiles#resolve} describes.
   *
   * @param file an output file's path, as given
   * @return where the chain ends, and the first link in {@code /proc} it passed through
   */
  static Resolved walk(Path file) {
    Path p = file.toAbsolutePath();
    Path procLink = null;
    for (int hops = 0; hops < MAX_LINKS && p.getFileName() != null && Files.isSymbolicLink(p); hops++) {
      Path folder = realFolder(p);
      if (procLink == null && folder.startsWith(PROC)) {
        procLink = folder.resolve(p.getFileName());
      }
      try {
        p = folder.resolve(Files.readSymbolicLink(p));
      } catch (IOException | UnsupportedOperationException e) {
        break;
      }
    }
    return new Resolved(p.getFileName() == null ? p : realFolder(p).resolve(p.getFileName()), procLink);
  }

  /** The real path of {@code p}'s folder, or its normalised path when that cannot be had (a missing folder). */
  private static Path realFolder(Path p) {
    Path folder = p.getParent();
    try {
      return folder.toRealPath();
    } catch (IOException e) {
      return folder.normalize();
    }
  }

  /** Why an output whose links lead to {@code procLink} (a process's file descriptor) is refused. */
  static String procLinkReason(Path procLink) {
    String names;
    try {
      names = Files.readSymbolicLink(procLink).toString();
    } catch (IOException | UnsupportedOperationException e) {
      names = "?";
    }
    return "leads to " + procLink + " (" + names + "), a process's open file descriptor, not a file: outputs are "
        + "written to a temporary file renamed over the target, which the descriptor would never see (give a file's "
        + "name, or a link to one)";
  }

  /**
   * What kind of special file {@code absolute} is ("a character device", "a FIFO", ...), following symbolic
   * links; null when it is a regular file, a folder, or does not exist.
   */
  static String specialKind(Path absolute) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(absolute, BasicFileAttributes.class);
    } catch (IOException e) {
      return null;
    }
    if (a.isRegularFile() || a.isDirectory()) {
      return null;
    }
    try {
      int mode = (Integer) Files.getAttribute(absolute, "unix:mode");
      switch (mode & 0170000) {
        case 0020000:
          return "a character device";
        case 0060000:
          return "a block device";
        case 0010000:
          return "a FIFO (named pipe)";
        case 0140000:
          return "a socket";
        default:
          break;
      }
    } catch (IOException | RuntimeException e) {
      // no unix view: say it in general terms
    }
    return "a special file";
  }
}
