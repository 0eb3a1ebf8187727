# cltrain bench --gemm: NumPy's float32 matmul timed the way GemmBench times ours. Run by dev.cltrain.bench.NumpyGemm
# as `python3 -c <this text> REPEAT SHAPE...`, each SHAPE "M,N,K,VARIANT" (nn: a @ b; tn: a.T @ b with a stored k x m;
# nt: a @ b.T with b stored n x k). Prints one JSON object per line: first {"numpy": version, "blas": name, "python":
# version}, then {"shape": index, "ms": [each timed call]} per shape; on failure {"error": "..."} and exit status 3.
# Untimed calls first (at least one, more while under 300 ms, at most 1000), then REPEAT timed calls.
# The parent holds this process's stdin open while it waits: end of stdin means the parent is gone, so exit.
import json
import os
import sys
import threading
import time


def watch_parent():
    try:
        while os.read(0, 4096):
            pass
    except Exception:
        pass
    os._exit(4)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def blas_name(np):
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name = deps.get("name", "")
        version = deps.get("version", "")
        return (name + " " + version).strip()
    except Exception:
        pass
    try:
        info = np.__config__.get_info("blas_opt_info")
        libs = info.get("libraries", [])
        return ",".join(dict.fromkeys(libs))
    except Exception:
        return ""


def main():
    threading.Thread(target=watch_parent, daemon=True).start()
    try:
        import numpy as np
    except Exception as e:
        emit({"error": "cannot import numpy (" + type(e).__name__ + ": " + str(e).splitlines()[0] + ")"})
        return 3
    repeat = int(sys.argv[1])
    emit({"numpy": np.__version__, "blas": blas_name(np), "python": sys.version.split()[0]})
    for index, spec in enumerate(sys.argv[2:]):
        m, n, k, variant = spec.split(",")
        m, n, k = int(m), int(n), int(k)
        rng = np.random.default_rng(m * 31 + n * 7 + k)
        a = rng.uniform(-1, 1, size=(k, m) if variant == "tn" else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, size=(n, k) if variant == "nt" else (k, n)).astype(np.float32)
        c = np.empty((m, n), dtype=np.float32)
        x = a.T if variant == "tn" else a
        y = b.T if variant == "nt" else b
        warm_start = time.perf_counter_ns()
        calls = 0
        while calls == 0 or (calls < 1000 and time.perf_counter_ns() - warm_start < 300_000_000):
            np.matmul(x, y, out=c)
            calls += 1
        ms = []
        for _ in range(repeat):
            start = time.perf_counter_ns()
            np.matmul(x, y, out=c)
            ms.append((time.perf_counter_ns() - start) / 1e6)
        emit({"shape": index, "ms": ms})
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    os._exit(status)  # not sys.exit: the stdin watcher thread stays blocked in its read
