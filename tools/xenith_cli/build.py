# SPDX-License-Identifier: MIT
"""`./xenith build [APP]`: configure and build the tree, print the image.

Design: one CMake build folder, `build/` at the top of the repository,
configured with the dependency paths that `./xenith setup` (deps.py)
returns, Ninja when installed, Unix Makefiles otherwise. The host project
drives the guest tree through ExternalProject, so the guest is built in
`build/guest`; an app's products are `build/guest/apps/<app>/<app>` (ELF
with symbols), `<app>.stripped` (the bootable image), `<app>.json` and
`<app>.mem`. The LAST line printed on stdout is the absolute path of the
stripped image (of the last app when all are built), so scripts can use
`$(./xenith build apps/hello | tail -1)`; progress goes to stderr.

Out-of-tree apps (a folder whose CMakeLists.txt calls
`find_package(xenith)`, as `xenith new` writes): `xenith build [DIR]`
(default: the current folder) configures DIR/build against the installed
prefix (this copy's own when installed, else XENITH_PREFIX) with
CMAKE_PREFIX_PATH and builds it; the images are the `<name>.stripped`
next to each `<name>.json` that xenith_add_image wrote.

Python API: `configure_and_build(targets=None) -> build_dir`,
`build_app(app) -> path of the stripped image`,
`build_project(dir) -> [stripped images]`.
"""
import glob
import os
import shutil
import sys

from . import deps
from .common import INSTALLED, REPO, Fatal, run, step, xenith_prefix

BUILD_DIR = os.path.join(REPO, "build")


def _generator():
    return "Ninja" if shutil.which("ninja") else "Unix Makefiles"


def _cached_value(build_dir, key):
    cache = os.path.join(build_dir, "CMakeCache.txt")
    if not os.path.exists(cache):
        return None
    for line in open(cache):
        if line.startswith(key + ":"):
            return line.split("=", 1)[1].strip()
    return None


def configure(paths, build_dir=BUILD_DIR, defs=None):
    """Configure build_dir when it is new or a wanted cache value (the
    dependency paths, plus `defs`) differs from what it holds."""
    want = {"XEN_INCLUDE_DIR": paths["xen_include"],
            "NEWLIB_PREFIX": paths["newlib_prefix"],
            "LWIP_DIR": paths["lwip_src"]}
    want.update(defs or {})
    fresh = not os.path.exists(os.path.join(build_dir, "CMakeCache.txt"))
    gen = _cached_value(build_dir, "CMAKE_GENERATOR")
    if not fresh and gen and gen != _generator():
        raise Fatal(f"{build_dir} was configured with {gen}; remove it to "
                    f"switch to {_generator()}")
    stale = [k for k, v in want.items()
             if _cached_value(build_dir, k) != v]
    if fresh or stale:
        with step(f"configure {os.path.relpath(build_dir, REPO)}/"):
            cmd = ["cmake", "-S", REPO, "-B", build_dir, "-G", _generator(),
                   "-DCMAKE_BUILD_TYPE=Release"]
            cmd += [f"-D{k}={v}" for k, v in want.items()]
            run(cmd, quiet=True)


def configure_and_build(targets=None, defs=None):
    """Set up deps, configure build/ (with the cache values `defs` on top
    of the dependency paths), build everything (the guest tree is one
    ExternalProject target, so `targets` only narrows host targets).
    Returns the build folder."""
    paths = deps.ensure_all()
    configure(paths, defs=defs)
    cmd = ["cmake", "--build", BUILD_DIR, "--parallel",
           str(os.cpu_count() or 1)]
    if targets:
        cmd += ["--target"] + list(targets)
    with step("build"):
        p = run(cmd, check=False, quiet=True)
        if p.returncode != 0:
            lines = p.stdout.splitlines()
            errs = [ln for ln in lines if "error" in ln.lower()
                    or "undefined reference" in ln][:30]
            raise Fatal("build failed:\n" + "\n".join(errs or lines[-30:]))
    return BUILD_DIR


def app_name(app):
    """'apps/hello', 'hello', './apps/hello/' -> 'hello' (validated)."""
    name = os.path.basename(os.path.normpath(app))
    if not os.path.isfile(os.path.join(REPO, "apps", name,
                                       "CMakeLists.txt")):
        known = sorted(os.path.basename(os.path.dirname(p)) for p in
                       glob.glob(os.path.join(REPO, "apps", "*",
                                              "CMakeLists.txt")))
        raise Fatal(f"no app '{app}' (known: {', '.join(known)})")
    return name


def image_path(name):
    return os.path.join(BUILD_DIR, "guest", "apps", name, name + ".stripped")


def is_project(path):
    """An out-of-tree app folder (not one of this tree's apps/)."""
    cml = os.path.join(path, "CMakeLists.txt")
    if not os.path.isfile(cml):
        return False
    if not INSTALLED and os.path.realpath(path).startswith(
            os.path.realpath(os.path.join(REPO, "apps")) + os.sep):
        return False
    return "find_package(xenith" in open(cml).read()


def build_project(path):
    """Configure and build an out-of-tree app; return its images."""
    import json
    src = os.path.abspath(path)
    prefix = xenith_prefix()
    bdir = os.path.join(src, "build")
    cache = os.path.join(bdir, "CMakeCache.txt")
    if not os.path.exists(cache) or \
            _cached_value(bdir, "CMAKE_PREFIX_PATH") != prefix:
        with step(f"configure {os.path.relpath(bdir)}/ against {prefix}"):
            gen = _cached_value(bdir, "CMAKE_GENERATOR") or _generator()
            run(["cmake", "-S", src, "-B", bdir, "-G", gen,
                 "-DCMAKE_BUILD_TYPE=Release",
                 f"-DCMAKE_PREFIX_PATH={prefix}"], quiet=True)
    with step(f"build {os.path.relpath(bdir)}/"):
        p = run(["cmake", "--build", bdir, "--parallel",
                 str(min(os.cpu_count() or 1, 2))], check=False, quiet=True)
        if p.returncode != 0:
            raise Fatal(f"build of {src} failed:\n"
                        + "\n".join(p.stdout.splitlines()[-30:]))
    images = []
    for js in sorted(glob.glob(os.path.join(bdir, "**", "*.json"),
                               recursive=True)):
        try:
            meta = json.load(open(js))
        except ValueError:
            continue
        if isinstance(meta, dict) and "memory_mb" in meta and \
                os.path.isfile(meta.get("image", "")):
            images.append(meta["image"])
    if not images:
        raise Fatal(f"{src} built, but no image was found in {bdir} (does "
                    "its CMakeLists.txt call xenith_add_image()?)")
    return images


def build_app(app):
    if is_project(app):
        imgs = build_project(app)
        # An app's PVH image (NAME-pvh, MODE both) is its PV image's twin:
        # `run --mode pvh` picks it from the PV path (run.resolve_image).
        pv = [i for i in imgs if not i.endswith("-pvh.stripped")]
        twins = [i for i in imgs
                 if i.endswith("-pvh.stripped") and
                 i[:-len("-pvh.stripped")] + ".stripped" in pv]
        imgs = pv + [i for i in imgs if i not in pv and i not in twins]
        if len(imgs) > 1:
            raise Fatal(f"{app} builds several images "
                        f"({', '.join(os.path.basename(i) for i in imgs)}):"
                        " name one (xenith run build/NAME.stripped)")
        return imgs[0]
    if INSTALLED:
        raise Fatal(f"'{app}' is neither an image file nor an app folder "
                    "(a CMakeLists.txt calling find_package(xenith); "
                    "`xenith new NAME` makes one)")
    name = app_name(app)
    configure_and_build()
    path = image_path(name)
    if not os.path.isfile(path):
        raise Fatal(f"build finished but {path} is missing")
    return path


def cmd(argv):
    if argv and argv[0] in ("-h", "--help"):
        print("usage: ./xenith build [APP]      (in the source tree)\n"
              "       xenith build [DIR]        (an out-of-tree app)\n\n"
              "In the source tree: build everything (APP like apps/hello or "
              "hello).\nOut of tree: configure DIR/build (default: the "
              "current folder) against the\ninstalled xenith "
              "(CMAKE_PREFIX_PATH) and build it.\nThe last line printed is "
              "the path of the bootable (stripped) image.")
        return 0
    target = argv[0] if argv else ("." if INSTALLED or is_project(".")
                                   else None)
    if target and is_project(target):
        for img in build_project(target):
            print(img)
        return 0
    if INSTALLED:
        raise Fatal(f"{os.path.abspath(target)} is not an out-of-tree app "
                    "(no CMakeLists.txt calling find_package(xenith)); "
                    "`xenith new NAME` makes one")
    if argv:
        print(build_app(argv[0]))
        return 0
    configure_and_build()
    imgs = sorted(glob.glob(os.path.join(BUILD_DIR, "guest", "apps", "*",
                                         "*.stripped")))
    for img in imgs:
        print(img)
    return 0


if __name__ == "__main__":
    sys.exit(cmd(sys.argv[1:]))
