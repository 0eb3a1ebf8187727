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
   * {@code transposeB} (else k×n); enqueued on {@code context}'s queue, not waited for.
   *
   * @param context the context whose queue runs the product and which made the three buffers
   * @param transposeA whether a is stored k×m and read transposed
   * @param transposeB whether b is stored n×k and read transposed
   * @param m rows of c
   * @param n columns of c
   * @param k the length of each sum
   * @param alpha scale applied to the product
   * @param a the left operand
   * @param b the right operand
   * @param c receives the m×n product (beta 0: overwritten)
   * @throws ClException with CLBlast's status name when CLBlast rejects or fails the call
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
