#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Install tests: the installed prefix, used as an appliance build would.

`install_test.py new_templates`: the installed `xenith new NAME
--template T` for every template, then `xenith build` in the new folder
(outside the repository); each image is checked like the example's.

`install_test.py libvirt_xml`: `xenith config` XML validated by
virt-xml-validate and read back; the xl text checked.

`install_test.py prefix`: `cmake --install` of the build folder
(XENITH_BUILD) with DESTDIR into a staging folder, the staged prefix then
MOVED elsewhere (so any absolute path recorded at install time breaks the
builds below), and examples/out-of-tree built against the moved prefix
twice: with CMake (`find_package(xenith)` + `xenith_add_image`) and with
its plain Makefile (`pkg-config --cflags --libs xenith`). Both images
must be Xen PV ELFs (readelf: the Xen notes naming the guest OS
"xenith", the loader "generic" and the "xen-3.0" ABI), carry the
embedded symbol table, and hold the same functions with the same sizes
(the two build routes give the same flags and the same link). A prefix missing newlib's libc.a must
make find_package fail with a message naming the file.

Results stay in XENITH_INSTALL_TEST_DIR (prefix/, images/) for the
sandbox tests that boot them. A check that cannot be made fails.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.realpath(__file__))))
BUILD = os.environ.get("XENITH_BUILD") or os.path.join(REPO, "build")
WORK = os.environ.get("XENITH_INSTALL_TEST_DIR") or os.path.join(
    BUILD, "install-test")
# The prefix the install is configured for: never created on this host
# (DESTDIR stages it), so nothing can work by reaching it.
CONFIGURED_PREFIX = "/opt/xenith-install-test-never-created"


class TestFailure(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise TestFailure(what)
    print(f"ok: {what}")


def sh(cmd, cwd=None, env=None, check=True, quiet=False):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, cwd=cwd, env=env, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.stdout and not quiet:
        print(p.stdout.rstrip()[-4000:])
    if check and p.returncode != 0:
        raise TestFailure(f"{' '.join(cmd)} exited {p.returncode}")
    return p


OOT_MARKER = b"out-of-tree: %s built against an installed xenith"


def check_xen_image(path, name, marker=OOT_MARKER):
    expect(os.path.isfile(path), f"{name}: {path} exists")
    hdr = sh(["readelf", "-h", path], quiet=True).stdout
    expect(re.search(r"Class:\s+ELF64", hdr) and
           re.search(r"Type:\s+EXEC", hdr) and
           re.search(r"Machine:\s+Advanced Micro Devices X86-64", hdr),
           f"{name}: a static x86-64 ELF executable")
    notes = sh(["readelf", "-n", path]).stdout
    expect("Displaying notes found in: .note.Xen" in notes,
           f"{name}: has a .note.Xen section")

    def note(desc_hex):
        return re.search(r"Xen\s+0x[0-9a-f]+\s.*\n\s+description data: "
                         + re.escape(desc_hex), notes) is not None
    for text in ("xenith", "generic", "xen-3.0"):
        hexed = " ".join(f"{b:02x}" for b in text.encode() + b"\0")
        expect(note(hexed), f"{name}: Xen note '{text}' (guest OS, loader, "
               "ABI)")
    phdr = sh(["readelf", "-l", path], quiet=True).stdout
    expect("NOTE" in phdr and "LOAD" in phdr,
           f"{name}: PT_LOAD and PT_NOTE program headers")
    if marker:
        expect(marker in open(path, "rb").read(),
               f"{name}: the app's code is in the image")


def functions(elf):
    out = sh(["nm", "-S", "--defined-only", elf], quiet=True).stdout
    funcs = sorted((f[3], f[1]) for f in (ln.split() for ln in
                                          out.splitlines())
                   if len(f) == 4 and f[2] in "tT")
    if len(funcs) < 100:
        raise TestFailure(f"{elf}: only {len(funcs)} functions")
    return funcs


def t_prefix():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    stage = os.path.join(WORK, "stage")
    env = dict(os.environ, DESTDIR=stage)
    sh(["cmake", "--install", BUILD, "--prefix", CONFIGURED_PREFIX],
       env=env)
    staged = stage + CONFIGURED_PREFIX
    expect(os.path.isfile(os.path.join(staged, "lib", "cmake", "xenith",
                                       "xenithConfig.cmake")),
           "DESTDIR staged the prefix (lib/cmake/xenith/xenithConfig.cmake)")
    expect(not os.path.exists(CONFIGURED_PREFIX),
           "nothing was installed outside DESTDIR")
    for rel in ("bin/xenith", "lib/pkgconfig/xenith.pc",
                "lib/cmake/xenith/xenithConfigVersion.cmake",
                "lib/xenith/xenith.ld", "lib/xenith/libxenith_kernel.a",
                "lib/xenith/libxenith_lwip.a",
                "lib/xenith/newlib/lib/libc.a",
                "lib/xenith/newlib/include/stdio.h",
                "lib/xenith/lwip/include/lwip/sockets.h",
                "include/xenith/xenith.h", "include/xenith/lwipopts.h",
                "include/xenith/sys/socket.h",
                "share/xenith/gensyms.py",
                "share/xenith/python/xenith_cli/main.py",
                "share/xenith/tools/sandbox/dom0-init.sh"):
        expect(os.path.exists(os.path.join(staged, rel)),
               f"installed: {rel}")
    # No text file of the package may name the build machine's folders.
    bad = []
    needles = [REPO, BUILD, stage, CONFIGURED_PREFIX,
               os.path.expanduser("~/.cache")]
    for root, _d, files in os.walk(staged):
        for f in files:
            p = os.path.join(root, f)
            if f.endswith((".cmake", ".pc", ".py", ".h", ".ld", ".sh")) or \
                    os.path.basename(root) == "bin":
                text = open(p, errors="replace").read()
                for n in needles:
                    if n in text:
                        bad.append(f"{os.path.relpath(p, staged)} names {n}")
    expect(not bad, "no installed text file names the source tree, the "
           "build folder, the cache or an absolute prefix"
           + (": " + "; ".join(bad[:5]) if bad else ""))

    prefix = os.path.join(WORK, "prefix")
    shutil.move(staged, prefix)
    shutil.rmtree(stage)
    print(f"moved the staged prefix to {prefix}")

    # The installed CLI builds the sandbox from its own copy of the dom0
    # scripts: the same cache key as the tree's (it reuses that sandbox).
    keys = []
    for pydir in (os.path.join(REPO, "tools"),
                  os.path.join(prefix, "share", "xenith", "python")):
        keys.append(sh([sys.executable, "-c",
                        "import sys; sys.path.insert(0, sys.argv[1]); "
                        "from xenith_cli import sandbox_build as s; "
                        "print(s.TOOLS_DIR, s._builder_hash())", pydir],
                       cwd=tempfile.gettempdir()).stdout.split())
    expect(keys[1][0].startswith(prefix + os.sep),
           "the installed CLI reads the dom0 scripts from its prefix")
    expect(keys[0][1] == keys[1][1], "the installed sandbox builder hashes "
           f"like the tree's ({keys[0][1]} == {keys[1][1]})")
    p = sh([os.path.join(prefix, "bin", "xenith"), "help"],
           cwd=tempfile.gettempdir())
    expect(f"installed in {prefix}" in p.stdout and "new" in p.stdout,
           "the moved bin/xenith runs and knows its prefix")
    p = sh([os.path.join(prefix, "bin", "xenith"), "test"],
           cwd=tempfile.gettempdir(), check=False)
    expect(p.returncode == 2 and "source repository" in p.stdout,
           "the installed CLI refuses repository-only commands, saying why")

    images = os.path.join(WORK, "images")
    os.makedirs(images)
    example = os.path.join(REPO, "examples", "out-of-tree")

    # 1. CMake: find_package(xenith) + xenith_add_image.
    src = os.path.join(WORK, "cmake-app")
    shutil.copytree(example, src)
    bdir = os.path.join(src, "build")
    sh(["cmake", "-S", src, "-B", bdir, f"-DCMAKE_PREFIX_PATH={prefix}"])
    sh(["cmake", "--build", bdir])
    check_xen_image(os.path.join(bdir, "oot.stripped"), "CMake image")
    syms = sh(["nm", os.path.join(bdir, "oot")], quiet=True).stdout
    expect(re.search(r" T main$", syms, re.M) and
           re.search(r" R xn_symtab$", syms, re.M),
           "CMake image: main and the embedded symbol table")
    expect('"memory_mb": 16' in open(os.path.join(bdir, "oot.json")).read(),
           "CMake image: oot.json records MEMORY 16")
    shutil.copy(os.path.join(bdir, "oot.stripped"),
                os.path.join(images, "oot-cmake.stripped"))
    shutil.copy(os.path.join(bdir, "oot.json"),
                os.path.join(images, "oot-cmake.json"))

    # 2. make + pkg-config.
    src = os.path.join(WORK, "make-app")
    shutil.copytree(example, src)
    menv = dict(os.environ,
                PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
    mod = sh(["pkg-config", "--modversion", "xenith"], env=menv).stdout
    expect(mod.strip() == "0.1.0", "pkg-config finds xenith 0.1.0")
    sh(["make", "-C", src], env=menv)
    check_xen_image(os.path.join(src, "oot.stripped"), "pkg-config image")
    shutil.copy(os.path.join(src, "oot.stripped"),
                os.path.join(images, "oot-make.stripped"))
    # The same flags and the same link give the same functions with the
    # same sizes (only rodata placement may differ with the input order).
    expect(functions(os.path.join(src, "oot")) ==
           functions(os.path.join(bdir, "oot")),
           "the CMake and the pkg-config images hold the same functions, "
           "each of the same size")

    # 3. An incomplete prefix is refused, naming the missing file.
    libc = os.path.join(prefix, "lib", "xenith", "newlib", "lib", "libc.a")
    os.rename(libc, libc + ".away")
    try:
        src = os.path.join(WORK, "broken-app")
        shutil.copytree(example, src)
        p = sh(["cmake", "-S", src, "-B", os.path.join(src, "build"),
                f"-DCMAKE_PREFIX_PATH={prefix}"], check=False)
        flat = " ".join(p.stdout.split())
        expect(p.returncode != 0 and "newlib/lib/libc.a is missing" in flat,
               "find_package(xenith) in a prefix without libc.a fails and "
               "names the file")
    finally:
        os.rename(libc + ".away", libc)


TEMPLATES = ("hello", "httpd", "kvstore")


def t_new_templates():
    """The installed `xenith new` for each template, then `xenith build` in
    the new folder: two commands, outside the repository, give an image."""
    prefix = os.path.join(WORK, "prefix")
    exe = os.path.join(prefix, "bin", "xenith")
    expect(os.access(exe, os.X_OK), f"the installed CLI is at {exe} (the "
           "install.prefix fixture ran)")
    root = os.path.join(WORK, "new")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for t in TEMPLATES:
        name = f"my{t}"
        p = sh([exe, "new", name, "--template", t], cwd=root)
        expect(p.stdout.strip().splitlines()[-1].startswith(
            f"cd {name} && xenith build && xenith run ."),
            f"{t}: `xenith new` prints the two commands")
        app = os.path.join(root, name)
        for f in ("CMakeLists.txt", "README.md", "main.c"):
            expect(os.path.isfile(os.path.join(app, f)), f"{t}: {f} written")
        p = sh([exe, "build"], cwd=app)
        img = p.stdout.strip().splitlines()[-1]
        expect(img == os.path.join(app, "build", name + ".stripped"),
               f"{t}: `xenith build` prints the image path last ({img})")
        check_xen_image(img, f"{t} image", marker=None)
    p = sh([exe, "new", "myhello", "--template", "hello"], cwd=root,
           check=False)
    expect(p.returncode != 0 and "not empty" in p.stdout,
           "`xenith new` refuses to overwrite an existing app")
    p = sh([exe, "new", "9bad", "--template", "hello"], cwd=root,
           check=False)
    expect(p.returncode == 2 and "not a valid app name" in p.stdout,
           "`xenith new` refuses a name that is not an identifier")


def t_libvirt_xml():
    """`xenith config --format libvirt` (installed CLI) gives domain XML
    that libvirt's own schema accepts (virt-xml-validate, from Debian's
    libvirt-clients), with the values asked for; a corrupted copy is
    rejected, so the validator really runs."""
    if not shutil.which("virt-xml-validate"):
        raise TestFailure("virt-xml-validate is missing: apt-get install "
                          "libvirt-clients (./xenith test installs it)")
    import xml.etree.ElementTree as ET
    prefix = os.path.join(WORK, "prefix")
    exe = os.path.join(prefix, "bin", "xenith")
    img = os.path.join(WORK, "images", "oot-cmake.stripped")
    expect(os.path.isfile(img), "the out-of-tree image exists (fixture "
           "installed)")
    out = os.path.join(WORK, "oot.xml")
    cmdline = "ip=10.0.0.9/24 gw=10.0.0.1 a&b <c>"
    sh([exe, "config", img, "--format", "libvirt", "--name", "oot-lv",
        "--vcpus", "2", "--vif", "bridge=xenbr0", "--disk",
        "/var/lib/xenith/disks/a.img", "--disk",
        "format=raw,vdev=xvdb,access=ro,target=/srv/b,1.img",
        "--cmdline", cmdline, "--on-crash", "preserve", "-o", out],
       cwd=tempfile.gettempdir())
    p = sh(["virt-xml-validate", out, "domain"], check=False)
    expect(p.returncode == 0 and "validates" in p.stdout,
           "virt-xml-validate accepts the domain XML")
    d = ET.parse(out).getroot()
    expect(d.get("type") == "xen", "<domain type='xen'>")
    t = d.find("os/type")
    expect(t.text == "linux" and t.get("machine") == "xenpv",
           "<os><type machine='xenpv'>linux</type>: a PV guest")
    expect(d.find("os/kernel").text == img, "<kernel> is the image")
    expect(d.find("os/cmdline").text == cmdline,
           "<cmdline> carries the command line unchanged (XML-escaped)")
    expect(d.find("memory").text == "16" and
           d.find("memory").get("unit") == "MiB",
           "memory is the app's MEMORY (16 MiB)")
    expect(d.find("vcpu").text == "2", "2 vcpus")
    expect(d.find("on_crash").text == "preserve", "on_crash preserve")
    disks = d.findall("devices/disk")
    expect([x.find("target").get("dev") for x in disks] == ["xvda", "xvdb"]
           and disks[1].find("source").get("file") == "/srv/b,1.img"
           and disks[1].find("readonly") is not None
           and disks[0].find("readonly") is None,
           "two disks, xvda rw and xvdb ro, paths kept (a comma too)")
    vif = d.find("devices/interface")
    expect(vif.get("type") == "bridge" and
           vif.find("source").get("bridge") == "xenbr0" and
           re.match(r"00:16:3e:", vif.find("mac").get("address")),
           "a bridged vif on xenbr0 with a Xen MAC")
    expect(d.find("devices/console/target").get("type") == "xen",
           "the PV console")
    bad = os.path.join(WORK, "bad.xml")
    with open(bad, "w") as fh:
        fh.write(open(out).read().replace("<vcpu placement=\"static\">2",
                                          "<vcpu placement=\"static\">two"))
    p = sh(["virt-xml-validate", bad, "domain"], check=False)
    expect(p.returncode != 0, "a corrupted copy (vcpu 'two') is rejected")

    xlcfg = sh([exe, "config", img, "--name", "oot-xl", "--vif",
                "bridge=xenbr0,mac=00:16:3e:00:00:09", "--disk",
                "/d/a.img:ro", "--cmdline", 'say "hi"'],
               cwd=tempfile.gettempdir()).stdout
    for want in ('name = "oot-xl"', 'type = "pv"', f'kernel = "{img}"',
                 "memory = 16", 'extra = "say \\"hi\\""',
                 "vif = [ 'bridge=xenbr0,mac=00:16:3e:00:00:09' ]",
                 "disk = [ 'format=raw,vdev=xvda,access=ro,"
                 "target=/d/a.img' ]"):
        expect(want in xlcfg, f"xl config has {want}")
    p = sh([exe, "config", img, "--memory", "2"], check=False,
           cwd=tempfile.gettempdir())
    expect(p.returncode != 0 and "at least 4 MB" in p.stdout,
           "memory below the PV floor is refused, saying why")


def main():
    name = sys.argv[1] if len(sys.argv) == 2 else ""
    fn = globals().get("t_" + name)
    if not fn:
        print("usage: install_test.py prefix|new_templates|libvirt_xml",
              file=sys.stderr)
        return 2
    try:
        fn()
    except TestFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
