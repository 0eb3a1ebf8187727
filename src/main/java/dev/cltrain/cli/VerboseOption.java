package dev.cltrain.cli;

import dev.cltrain.core.Notices;
import picocli.CommandLine.Option;

/** {@code --verbose}, for every command that builds kernels: the OpenCL compiler's own output is shown. */
final class VerboseOption {
  @Option(names = "--verbose", description = "Show what the OpenCL driver prints while it compiles the kernels "
      + "(compiler warnings; hidden otherwise).")
  void verbose(boolean on) {
    Notices.verbose(on);
  }
}
