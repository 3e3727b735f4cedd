# SPDX-License-Identifier: MIT
"""`xenith new NAME [--template hello|httpd|kvstore] [--dir DIR]`: scaffold
an out-of-tree app.

Design: a template is the source of one of this tree's apps (apps/<t>/,
installed as share/xenith/templates/<t>/), never a second copy to keep in
step: what `xenith new` writes is the real app's code plus a CMakeLists.txt
that builds it against the installed package (`find_package(xenith)` +
`xenith_add_image`), a README with the commands, and a .gitignore. The
app's image is named NAME. It builds and runs with two commands:

    cd NAME && xenith build && xenith run .     (plus the template's options)

kvstore keeps its data on a disk: the scaffold creates a sparse 64 MiB
`disk.img` next to the sources, which `xenith run --disk disk.img` hands
to the guest (and copies back when it ends).
"""
import argparse
import os
import re
import shutil

from .common import TEMPLATES_DIR, Fatal, info

# Per template: the sources, the memory, extra CMake before/after the
# xenith_add_image call, and the options `xenith run` needs.
TEMPLATES = {
    "hello": {
        "what": "threads, sleep, malloc and the exit status",
        "sources": ["main.c"],
        "memory": 32,
        "pre": "",
        "post": "",
        "run": "",
        "ready": "Hello from xenith!",
    },
    "httpd": {
        "what": "an HTTP/1.1 server on port 80 (lwIP sockets)",
        "sources": ["main.c", "http_parse.c", "httpd_resp.c",
                    "${CMAKE_CURRENT_BINARY_DIR}/httpd_files.c"],
        "memory": 32,
        "pre": (
            "# The static files /1k and /64k, generated at build time.\n"
            "add_custom_command(\n"
            "    OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/httpd_files.c\n"
            "    COMMAND ${Python3_EXECUTABLE} "
            "${CMAKE_CURRENT_SOURCE_DIR}/gen_files.py\n"
            "            ${CMAKE_CURRENT_BINARY_DIR}/httpd_files.c\n"
            "    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/gen_files.py\n"
            "    COMMENT \"httpd static files\")\n"),
        "post": ("target_include_directories({name}_objs PRIVATE "
                 "${{CMAKE_CURRENT_SOURCE_DIR}})\n"),
        "run": ('--net --cmdline "ip=10.0.0.80/24 gw=10.0.0.1" '
                "--forward 8080:80"),
        "ready": "httpd: listening",
    },
    "kvstore": {
        "what": "a durable key-value store on a disk, TCP port 7000",
        "sources": ["main.c", "kvstore.c", "kvlog.c", "kvproto.c"],
        "memory": 64,
        "pre": "",
        "post": ("target_include_directories({name}_objs PRIVATE "
                 "${{CMAKE_CURRENT_SOURCE_DIR}})\n"),
        "run": ('--net --disk disk.img --cmdline '
                '"ip=10.0.0.81/24 gw=10.0.0.1" --forward 7000:7000'),
        "ready": "kvstore: listening",
        "disk_mb": 64,
    },
}

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")


def cmake_lists(name, template):
    t = TEMPLATES[template]
    srcs = "\n            ".join(t["sources"])
    return (
        "# SPDX-License-Identifier: MIT\n"
        f"# {name}: a xenith app (`xenith new --template {template}`), built "
        "against an\n# installed xenith:\n"
        "#   xenith build\n"
        "# or, without the CLI:\n"
        "#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<prefix> && "
        "cmake --build build\n"
        f"# The bootable image is build/{name}.stripped.\n"
        "cmake_minimum_required(VERSION 3.20)\n"
        f"project({name} C)\n\n"
        "find_package(xenith 0.1 REQUIRED)\n\n"
        + t["pre"]
        + f"xenith_add_image({name}\n    SOURCES {srcs}\n"
        f"    MEMORY {t['memory']})\n"
        + t["post"].format(name=name))


def readme(name, template):
    t = TEMPLATES[template]
    run = f"xenith run . {t['run']}".rstrip()
    text = (f"# {name}\n\nA xenith unikernel ({template} template: "
            f"{t['what']}).\n\n"
            "```\nxenith build        # -> build/" + name + ".stripped\n"
            f"{run}\n```\n\n"
            "`xenith run` boots the image on Xen (the local toolstack on a "
            "Xen host, else\nthe sandbox) and exits with the app's exit "
            "status. `xenith config\nbuild/" + name + ".stripped --format "
            "xl` writes an xl config for a real Xen host.\n")
    if template == "httpd":
        text += ("\nWith the command above the server answers on the host "
                 "at\n`curl http://127.0.0.1:8080/`; add `--detach` to keep "
                 "it running.\n")
    if template == "kvstore":
        text += ("\nThe store lives on `disk.img` (created sparse by "
                 "`xenith new`); `--disk`\ncopies it into dom0 and back "
                 "when the guest ends. The protocol is in\n"
                 "`KVSTORE.md`; `tools/kvload.py` is a load client.\n")
    return text


def scaffold(name, template, dest):
    src = os.path.join(TEMPLATES_DIR, template)
    if not os.path.isdir(src):
        raise Fatal(f"template '{template}' is missing: no {src} "
                    "(reinstall xenith)")
    if os.path.exists(dest) and os.listdir(dest):
        raise Fatal(f"{dest} exists and is not empty; pick another NAME or "
                    "--dir")
    os.makedirs(dest, exist_ok=True)
    for root, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        rel = os.path.relpath(root, src)
        for f in files:
            if f == "CMakeLists.txt" and rel == ".":
                continue
            out = f
            if rel == "." and f == "README.md":
                out = f"{template.upper()}.md"
            os.makedirs(os.path.join(dest, rel), exist_ok=True)
            shutil.copy2(os.path.join(root, f),
                         os.path.normpath(os.path.join(dest, rel, out)))
    with open(os.path.join(dest, "CMakeLists.txt"), "w") as fh:
        fh.write(cmake_lists(name, template))
    with open(os.path.join(dest, "README.md"), "w") as fh:
        fh.write(readme(name, template))
    with open(os.path.join(dest, ".gitignore"), "w") as fh:
        fh.write("/build/\n/disk.img\n")
    mb = TEMPLATES[template].get("disk_mb")
    if mb:
        with open(os.path.join(dest, "disk.img"), "wb") as fh:
            fh.truncate(mb << 20)


def cmd(argv):
    ap = argparse.ArgumentParser(
        prog="xenith new",
        description="Scaffold an out-of-tree xenith app that builds against "
        "the installed xenith: cd NAME && xenith build && xenith run .")
    ap.add_argument("name", help="app and image name "
                    "([A-Za-z][A-Za-z0-9_-]*, at most 32 characters)")
    ap.add_argument("--template", default="hello", choices=sorted(TEMPLATES),
                    help="hello: " + TEMPLATES["hello"]["what"]
                    + "; httpd: " + TEMPLATES["httpd"]["what"]
                    + "; kvstore: " + TEMPLATES["kvstore"]["what"]
                    + " (default hello)")
    ap.add_argument("--dir", help="where to create it (default ./NAME)")
    a = ap.parse_args(argv)
    if not NAME_RE.match(a.name):
        raise Fatal(f"'{a.name}' is not a valid app name: it becomes a CMake "
                    "target and the image name; use letters, digits, '_' "
                    "and '-', starting with a letter", code=2)
    dest = os.path.abspath(a.dir or a.name)
    scaffold(a.name, a.template, dest)
    run = f"xenith run . {TEMPLATES[a.template]['run']}".rstrip()
    info(f"created {dest} ({a.template} template)")
    print(f"cd {os.path.relpath(dest)} && xenith build && {run}")
    return 0
