package dev.cltrain.opencl;

import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastStatusCode;
import org.jocl.blast.CLBlastTranspose;

/**
 * CLBlast's SGEMM through jocl-blast (which bundles libclblast), for one purpose only: the comparison row of
 * {@code cltrain bench --gemm}. Runs on a context's own queue and buffers, row-major, beta 0.
 */
public final class ClBlast {
  private ClBlast() {}

  /**
   * Whether CLBlast's native library loads on this machine, or why not.
   *
   * @return null when it loads, else the reason
   */
  public static String problem() {
    try {
      CLBlast.setExceptionsEnabled(false);
      return null;
    } catch (LinkageError | RuntimeException e) {
      return "CLBlast cannot be loaded: " + e.getMessage();
    }
  }

  /**
   * c(m,n) = alpha · op(a) · op(b) with a stored k×m when {@code transposeA} (else m×k) and b stored n×k when
   * {@code transposeB} (else k×n); enqueued on {@code context}'s queue. Throws a {@link ClException} with
   * CLBlast's status name when it fails.
   */
  public static void sgemm(ClContext context, boolean transposeA, boolean transposeB, int m, int n, int k, float alpha,
      ClBuffer a, ClBuffer b, ClBuffer c) {
    int status = CLBlast.CLBlastSgemm(CLBlastLayout.CLBlastLayoutRowMajor,
        transposeA ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
        transposeB ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
        m, n, k, alpha, a.handle(), 0, transposeA ? m : k, b.handle(), 0, transposeB ? k : n, 0f, c.handle(), 0, n,
        context.queue(), null);
    if (status != CLBlastStatusCode.CLBlastSuccess) {
      throw ClException.named("CLBlastSgemm(" + m + "x" + n + "x" + k + ")", status,
          CLBlastStatusCode.stringFor(status));
    }
  }
}
