"""The notebooks' Jupyter kernel: IPython with the project's TensorFlow environment.

A notebook imports ``keras`` in its first cell, before any ``cnn_lectures`` module could set
TensorFlow's environment, and TensorFlow's C++ start-up lines would land in the first cell's
stored output. So the kernel itself does it: it calls
:func:`cnn_lectures.runtime.configure_environment`, imports TensorFlow quietly
(:func:`~cnn_lectures.runtime.import_tensorflow_quietly`), then starts ipykernel as usual.

``python -m cnn_lectures.kernel install`` points the ``python3`` kernel spec of this
environment (``sys.prefix``) at this module; the Makefile runs it when it builds ``.venv``,
so ``make lab``, ``make notebooks`` and nbval all use it.
"""

import json
import sys
from pathlib import Path


def install(prefix=None, name="python3"):
    """Write the kernel spec ``name`` under ``prefix``/share/jupyter/kernels; return its path."""
    from ipykernel.kernelspec import install as install_ipykernel

    folder = Path(install_ipykernel(prefix=prefix or sys.prefix, kernel_name=name))
    spec_file = folder / "kernel.json"
    spec = json.loads(spec_file.read_text())
    spec["argv"] = [sys.executable, "-m", "cnn_lectures.kernel", "-f", "{connection_file}"]
    spec["display_name"] = "Python 3 (cnn_lectures)"
    spec_file.write_text(json.dumps(spec, indent=1) + "\n")
    return spec_file


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["install"]:
        print(f"Installed the kernel spec {install()}.")
        return 0
    from cnn_lectures.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
