"""How every entry point starts TensorFlow: one environment, and no C++ start-up noise.

TensorFlow reads a few environment variables once, when it is imported, so they must be set
before the first ``import tensorflow`` (or ``import keras``) of the process. The CLI, the
notebook kernel (:mod:`cnn_lectures.kernel`), the tests and the benchmarks all call
:func:`configure_environment` first; a variable the user has already set is left as it is.

- ``TF_ENABLE_ONEDNN_OPTS=1``: TensorFlow turns its oneDNN kernels on by default only on some
  CPUs (Intel with AVX-512). On others, an AMD EPYC with AVX2 for instance, they stay off and
  the lecture CNN trains 1.8-4.2x slower (measured on this project's machines). With them on,
  sums are added up in another order, so results differ from an oneDNN-off run in the last
  digits: a seed repeats a run on one machine, not across machines.
- ``TF_CPP_MIN_LOG_LEVEL=3``: TensorFlow's C++ info, warning and error log lines stay off stderr.
  Level 2 still lets through lines such as tf.data's "NodeDef mentions attribute
  use_unbounded_threadpool which is not in the op definition", logged as an error at every
  epoch of the fast augmentation path although nothing is wrong; a real failure still raises a
  Python exception.
- ``KERAS_BACKEND=tensorflow``: the backend the course is written and tested for.

Mixed precision: on a CPU with bfloat16 dot-product instructions (AVX-512 BF16 or AMX),
oneDNN runs bfloat16 convolutions about twice as fast as float32 ones. The ``best`` preset
builds its model in ``mixed_bfloat16`` on such a CPU and in float32 elsewhere, where bfloat16
would be emulated and slower: :func:`fast_mixed_precision` decides, and
``CNN_LECTURES_PRECISION=float32`` (or ``mixed_bfloat16``) overrides it.

Some of TensorFlow's lines (absl's "All log messages before absl::InitializeLog()", oneDNN's
"custom operations are on", the CUDA probe of a machine without a GPU) are written by C++
before the log level is read, or at the first device query. :func:`import_tensorflow_quietly`
imports TensorFlow and lists its devices with file descriptor 2 pointed at a temporary file,
then writes back whatever else appeared there (a Python warning, say), so nothing is lost
but the start-up log.
"""

import os
import re
import sys
import tempfile

ENVIRONMENT = {
    "TF_ENABLE_ONEDNN_OPTS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
}
"""The defaults :func:`configure_environment` sets (values already in the environment win)."""

ONEDNN_ON_LINE = "oneDNN custom operations are on"
"""What TensorFlow logs at import when its oneDNN kernels are enabled."""

_START_UP_LINE = re.compile(
    r"^(?:[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w./-]+:\d+\] "  # absl/glog: I0000 00:00:17.3 2407 port.cc:153]
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|To enable the following instructions:)"  # the second line of cpu_feature_guard's message
)


PRECISION_ENV = "CNN_LECTURES_PRECISION"
"""``auto`` (default), ``float32`` or ``mixed_bfloat16``: see :func:`fast_mixed_precision`."""
PRECISIONS = ("auto", "float32", "mixed_bfloat16")
BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
"""/proc/cpuinfo flags of CPUs whose oneDNN kernels compute bfloat16 natively."""

_start_up_log = None  # what TensorFlow wrote to stderr while import_tensorflow_quietly imported it


_LOG_PREFIX = re.compile(r"^[IWEF]\d{4} ")


def configure_environment(environ=None):
    """Set the project's TensorFlow defaults in ``environ`` (``os.environ``) unless already set.

    Returns:
        The dict of variables that were set by this call (empty when all were set before).
    """
    environ = os.environ if environ is None else environ
    added = {}
    for name, value in ENVIRONMENT.items():
        if name not in environ:
            environ[name] = added[name] = value
    return added


def cpu_flags(cpuinfo="/proc/cpuinfo"):
    """The set of CPU feature flags Linux reports (empty where there is no /proc/cpuinfo)."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as file:
            for line in file:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def fast_mixed_precision(environ=None, flags=None):
    """``"mixed_bfloat16"`` where bfloat16 is faster than float32 on this CPU, else None (float32).

    ``CNN_LECTURES_PRECISION`` decides when set: ``float32`` gives None, ``mixed_bfloat16`` gives
    that policy, ``auto`` (or unset) looks for one of :data:`BFLOAT16_CPU_FLAGS`. Results then
    differ from a float32 run in the last digits, as they do between machines anyway.

    Args:
        environ: mapping to read the variable from (``os.environ``).
        flags: the CPU's flags (:func:`cpu_flags`), for tests.
    """
    environ = os.environ if environ is None else environ
    choice = environ.get(PRECISION_ENV, "auto").strip().lower() or "auto"
    if choice not in PRECISIONS:
        raise ValueError(f"{PRECISION_ENV} must be one of {', '.join(PRECISIONS)}. Received: {choice!r}.")
    if choice == "auto":
        flags = cpu_flags() if flags is None else set(flags)
        choice = "mixed_bfloat16" if flags & set(BFLOAT16_CPU_FLAGS) else "float32"
    return None if choice == "float32" else choice


def is_start_up_noise(line):
    """True for a line of TensorFlow's C++ start-up log (absl/glog format or its continuation)."""
    return bool(_START_UP_LINE.match(line))


def import_tensorflow_quietly():
    """Import TensorFlow (after :func:`configure_environment`) without its C++ start-up log.

    Lines of that log that appeared on stderr are dropped; any other text written to stderr
    meanwhile is written back. If TensorFlow is already imported, nothing is redirected.

    Returns:
        The ``tensorflow`` module. :func:`onednn_reported` then says whether TensorFlow
        logged that its oneDNN kernels are on.
    """
    global _start_up_log
    configure_environment()
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()  # the CUDA probe logs here, not at import
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        text = captured.read().decode("utf-8", errors="replace")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n") and _LOG_PREFIX.match(lines[-1]):
        lines.pop()  # a log line cut short (a file-size limit smaller than the log): noise too
    kept = [line for line in lines if not is_start_up_noise(line)]
    if kept:
        sys.stderr.write("".join(kept))
        sys.stderr.flush()
    _start_up_log = text
    return tf


def onednn_reported():
    """True if the start-up log said "oneDNN custom operations are on", False if it did not,
    None if TensorFlow was not imported through :func:`import_tensorflow_quietly`."""
    return None if _start_up_log is None else ONEDNN_ON_LINE in _start_up_log
