package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import dev.cltrain.device.Device;
import dev.cltrain.Devices;
import dev.cltrain.train.DeviceCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cltrain verify}: on every OpenCL device (or those --device names), each kernel against the Java
 * reference at awkward shapes, then a short training in lockstep; a pass/fail table with the largest differences
 * and the tolerances. Exit 1 if any device fails. Run it after installing a new driver or a new GPU.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Check every kernel and a short training on each OpenCL device against the Java reference.")
final class VerifyCommand implements Callable<Integer> {
  @Option(names = "--device", paramLabel = "LIST", split = ",",
      description = "Devices to check, e.g. cpu or cl:0:0,gpu (default: every OpenCL device).")
  List<String> devices;

  @Option(names = "--kernels", paramLabel = "DIR", description = "Load the OpenCL sources from DIR instead of the jar.")
  Path kernels;

  @CommandLine.Mixin
  VerboseOption verbose;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Device> targets = Devices.openCl(devices, kernels);
    if (targets.isEmpty()) {
      String problem = Devices.openClProblem();
      out.println("no OpenCL device to verify" + (problem == null ? "" : " (" + problem + ")")
          + "; the Java reference is the judge and needs no check");
      return 0;
    }

    out.println("each kernel against the Java reference at shapes " + DeviceCheck.shapes() + " (every activation "
        + "where one applies; the convolution kernels at " + DeviceCheck.convShapes() + ", rows x height x width x "
        + "channels, kernel, stride, padding; the recurrent kernels at " + DeviceCheck.recurrentShapes() + ", every "
        + "step of the sequence in turn, rows of random lengths), then 5 epochs of a 13,16,3 relu/softmax net with Adam in batches of 32 in lockstep; "
        + "judged by bits on a device that rounds division and sqrt correctly and has a hardware FMA (every kernel's output and the "
        + "training's weights exactly the reference's; the loss reductions mse_loss and xent_loss, which sum in a "
        + "tree, within " + sci(DeviceCheck.ATOL) + " + " + sci(DeviceCheck.REDUCTION_RTOL) + "·|reference|), by "
        + "tolerance elsewhere (" + sci(DeviceCheck.ATOL) + " + " + sci(DeviceCheck.RTOL) + "·|reference| per "
        + "element, plus " + sci(DeviceCheck.PRODUCT_RTOL) + "·Σ|a·b| for the matmul kernels where products multiply and "
        + "add separately; T times that for the recurrent kernels, whose cases chain T steps); the training's loss, and its weights when judged by tolerance, within "
        + sci(DeviceCheck.TRAINING_TOLERANCE));
    boolean allPass = true;
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"device", "name", "judged by", "kernels", "largest kernel difference", "training max |dw|",
        "training |dloss|", "result"});
    List<DeviceCheck.Report> reports = new ArrayList<>();
    for (Device d : targets) {
      err.println("verify: " + d.id() + " " + d.name() + " ...");
      DeviceCheck.Report r = DeviceCheck.check(d);
      reports.add(r);
      allPass &= r.pass();
      if (r.error() != null) {
        table.add(new String[] {r.id(), BenchCharts.shortName(r.name()), r.judgement(), "", "", "", "",
            "FAIL: " + r.error()});
        continue;
      }
      long passed = r.kernels().stream().filter(DeviceCheck.KernelResult::pass).count();
      DeviceCheck.KernelResult worst = r.kernels().stream()
          .max((a, b) -> Double.compare(a.largestDifference(), b.largestDifference())).orElseThrow();
      table.add(new String[] {r.id(), BenchCharts.shortName(r.name()), r.judgement(),
          passed + "/" + r.kernels().size() + " pass",
          sci(worst.largestDifference()) + (worst.largestDifference() > 0 ? " (" + worst.kernel() + ")" : ""),
          sci(r.trainingWeightDifference()), sci(r.trainingLossDifference()), r.pass() ? "PASS" : "FAIL"});
    }
    out.println();
    DevicesCommand.printTable(out, table);
    for (DeviceCheck.Report r : reports) {
      for (DeviceCheck.KernelResult k : r.kernels()) {
        if (!k.pass()) {
          out.println(r.id() + ": " + DeviceCheck.describeFailure(k));
        }
      }
      if (r.error() == null && r.kernels().stream().allMatch(DeviceCheck.KernelResult::pass) && !r.pass()) {
        out.println(r.id() + ": " + r.firstFailure());
      }
    }
    out.println(allPass ? "all devices compute what the reference computes" : "a device FAILED: do not trust its results");
    return allPass ? 0 : ExitCodes.CHECK_FAILED;
  }

  private static String sci(double v) {
    return String.format(Locale.ROOT, "%.1e", v);
  }
}
