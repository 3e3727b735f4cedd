# SPDX-License-Identifier: MIT
"""`xenith config IMAGE --format xl|libvirt ...`: the domain configuration
of an image, for xl or for libvirt's libxl driver.

Design: one description of a domain (`Domain`: name, kernel, memory,
vcpus, command line, vifs, disks, lifecycle actions) and one writer per
format. `./xenith run` builds its xl config with the same `Domain` and
`xl()` (shown by `run --verbose` / `run --print-config`), so what users
deploy is what the tests boot.

xl: xl.cfg(5), PV guest (`type = "pv"`, `kernel`, `extra`), vif and disk
specs as xl-network-configuration(5) and xl-disk-configuration(5) write
them (a disk's `target=` last, since a path may hold commas).
libvirt: formatdomain for `<domain type='xen'>` with
`<os><type arch='x86_64' machine='xenpv'>linux</type><kernel>`; disks
use the `phy` driver (blkback, the file attached through a loop device,
what xl does for a raw file), vifs a bridge; the console is the PV
console (`<console type='pty'><target type='xen'/>`).
"""
import argparse
import hashlib
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

from .common import Fatal

ACTIONS = ("destroy", "restart", "preserve", "rename-restart")


class Domain:
    """What a xenith domain is, independent of the config format."""

    def __init__(self, name, kernel, memory, vcpus=1, cmdline="",
                 vifs=(), disks=(), on_poweroff="destroy",
                 on_reboot="restart", on_crash="destroy", ramdisk=None,
                 type="pv"):
        if type not in ("pv", "pvh"):
            raise ValueError(f"guest type {type!r}: pv or pvh")
        self.type = type
        self.name = name
        self.kernel = kernel
        self.memory = int(memory)
        self.vcpus = int(vcpus)
        self.cmdline = cmdline.strip()
        self.vifs = [parse_vif(v) if isinstance(v, str) else v for v in vifs]
        self.disks = list(disks)
        self.on_poweroff = on_poweroff
        self.on_reboot = on_reboot
        self.on_crash = on_crash
        self.ramdisk = ramdisk


def mac_for(name):
    """A stable locally administered MAC in Xen's OUI 00:16:3e."""
    h = hashlib.sha256(name.encode()).digest()
    return "00:16:3e:%02x:%02x:%02x" % (h[0] & 0x7f, h[1], h[2])


def parse_vif(spec):
    """'bridge=xenbr0[,mac=...][,ip=...]' -> ordered dict of keys."""
    out = {}
    for part in spec.split(","):
        if not part:
            continue
        k, eq, v = part.partition("=")
        if not eq or not k:
            raise Fatal(f"--vif {spec}: expected KEY=VALUE[,KEY=VALUE...] "
                        "(e.g. bridge=xenbr0,mac=00:16:3e:00:00:01)")
        out[k.strip()] = v.strip()
    if "mac" in out and not re.match(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$",
                                     out["mac"]):
        raise Fatal(f"--vif {spec}: mac '{out['mac']}' is not xx:xx:xx:xx:"
                    "xx:xx")
    return out


def parse_disk(spec, index):
    """A disk: 'PATH[:ro]' (vdev xvda, xvdb... by position) or an xl disk
    spec 'format=raw,vdev=xvdb,access=ro,target=PATH'. Returns a dict
    with target, vdev, readonly, format."""
    if "target=" in spec:
        head, _, target = spec.partition("target=")
        keys = {}
        for part in head.rstrip(",").split(","):
            if part:
                k, _, v = part.partition("=")
                keys[k] = v
        access = keys.get("access", "rw")
        return {"target": target, "vdev": keys.get("vdev",
                                                  "xvd" + chr(97 + index)),
                "readonly": access in ("r", "ro"),
                "format": keys.get("format", "raw")}
    ro = spec.endswith(":ro")
    path = spec[:-3] if ro else spec
    return {"target": path, "vdev": "xvd" + chr(97 + index),
            "readonly": ro, "format": "raw"}


def xl_str(s):
    """An xl.cfg string: double quotes, backslash escapes."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def xl(dom):
    """The xl.cfg(5) text of a PV or PVH domain."""
    lines = [f"name = {xl_str(dom.name)}", f"type = {xl_str(dom.type)}",
             f"kernel = {xl_str(dom.kernel)}"]
    if dom.type == "pvh":
        # Under a nested (TCG) Xen the emulated TSC of an HVM container
        # is unusable; native is what PVH guests need there (docs/sandbox.md).
        lines.append('tsc_mode = "native"')
    if dom.ramdisk:
        lines.append(f"ramdisk = {xl_str(dom.ramdisk)}")
    lines += [f"memory = {dom.memory}", f"vcpus = {dom.vcpus}",
              f"extra = {xl_str(dom.cmdline)}",
              f"on_poweroff = {xl_str(dom.on_poweroff)}",
              f"on_reboot = {xl_str(dom.on_reboot)}",
              f"on_crash = {xl_str(dom.on_crash)}"]
    if dom.vifs:
        specs = [",".join(f"{k}={v}" for k, v in vif.items())
                 for vif in dom.vifs]
        lines.append("vif = [ " + ", ".join(f"'{s}'" for s in specs) + " ]")
    if dom.disks:
        specs = [f"'format={d['format']},vdev={d['vdev']},access="
                 f"{'ro' if d['readonly'] else 'rw'},target={d['target']}'"
                 for d in dom.disks]
        lines.append("disk = [ " + ", ".join(specs) + " ]")
    return "\n".join(lines) + "\n"


def libvirt(dom):
    """The libvirt domain XML (libxl driver) of a PV or PVH domain (os type
    'xenpvh' for PVH, libvirt's formatdomain)."""
    root = ET.Element("domain", type="xen")
    ET.SubElement(root, "name").text = dom.name
    ET.SubElement(root, "memory", unit="MiB").text = str(dom.memory)
    ET.SubElement(root, "currentMemory", unit="MiB").text = str(dom.memory)
    ET.SubElement(root, "vcpu", placement="static").text = str(dom.vcpus)
    os_el = ET.SubElement(root, "os")
    if dom.type == "pvh":
        ET.SubElement(os_el, "type", arch="x86_64",
                      machine="xenpvh").text = "xenpvh"
    else:
        ET.SubElement(os_el, "type", arch="x86_64",
                      machine="xenpv").text = "linux"
    ET.SubElement(os_el, "kernel").text = dom.kernel
    if dom.ramdisk:
        ET.SubElement(os_el, "initrd").text = dom.ramdisk
    if dom.cmdline:
        ET.SubElement(os_el, "cmdline").text = dom.cmdline
    ET.SubElement(root, "clock", offset="utc")
    # libvirt has no rename-restart for poweroff/reboot on every driver;
    # the values xl accepts map one to one otherwise.
    ET.SubElement(root, "on_poweroff").text = dom.on_poweroff
    ET.SubElement(root, "on_reboot").text = dom.on_reboot
    ET.SubElement(root, "on_crash").text = dom.on_crash
    dev = ET.SubElement(root, "devices")
    for d in dom.disks:
        disk = ET.SubElement(dev, "disk", type="file", device="disk")
        ET.SubElement(disk, "driver", name="phy", type=d["format"])
        ET.SubElement(disk, "source", file=d["target"])
        ET.SubElement(disk, "target", dev=d["vdev"], bus="xen")
        if d["readonly"]:
            ET.SubElement(disk, "readonly")
    for vif in dom.vifs:
        iface = ET.SubElement(dev, "interface", type="bridge")
        ET.SubElement(iface, "source", bridge=vif.get("bridge", "xenbr0"))
        if "mac" in vif:
            ET.SubElement(iface, "mac", address=vif["mac"])
        if "ip" in vif:
            ET.SubElement(iface, "ip", address=vif["ip"])
        unknown = set(vif) - {"bridge", "mac", "ip"}
        if unknown:
            raise Fatal(f"--vif: {', '.join(sorted(unknown))} has no libvirt "
                        "equivalent here (bridge, mac and ip do)")
    con = ET.SubElement(dev, "console", type="pty")
    ET.SubElement(con, "target", type="xen", port="0")
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def image_memory(image):
    """The MEMORY recorded by xenith_add_image (NAME.json next to the
    unstripped ELF, or NAME[.stripped].mem), if any."""
    base = re.sub(r"\.stripped$", "", image)
    try:
        with open(base + ".json") as fh:
            return int(json.load(fh)["memory_mb"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for p in (image + ".mem", base + ".mem"):
        try:
            return int(open(p).read().strip())
        except (OSError, ValueError):
            continue
    return None


def parse(argv):
    ap = argparse.ArgumentParser(
        prog="xenith config",
        description="Write the xl config (xl.cfg(5)) or libvirt domain XML "
        "(libxl driver) that boots IMAGE as a Xen PV guest.")
    ap.add_argument("image", help="the bootable image (NAME.stripped)")
    ap.add_argument("--format", choices=("xl", "libvirt"), default="xl",
                    help="xl config (default) or libvirt domain XML")
    ap.add_argument("-o", "--output", help="write here (default: stdout)")
    ap.add_argument("--name", help="domain name (default: the image's name)")
    ap.add_argument("--kernel-path",
                    help="the image's path on the Xen host, written as the "
                    "kernel (default: IMAGE's absolute path)")
    ap.add_argument("--memory", type=int,
                    help="MB (default: the app's MEMORY, else 32)")
    ap.add_argument("--vcpus", type=int, default=1, help="default 1")
    ap.add_argument("--vif", action="append", default=[], metavar="SPEC",
                    help="a network interface, e.g. bridge=xenbr0 (a mac "
                    "derived from the name is added when none is given); "
                    "repeatable")
    ap.add_argument("--disk", action="append", default=[], metavar="SPEC",
                    help="PATH[:ro] (vdev xvda, xvdb... in order) or an xl "
                    "disk spec format=raw,vdev=xvda,access=rw,target=PATH; "
                    "repeatable")
    ap.add_argument("--cmdline", default="",
                    help="the guest command line (xl extra=, libvirt "
                    "<cmdline>): app arguments and KEY=VALUE options")
    ap.add_argument("--on-poweroff", choices=ACTIONS, default="destroy")
    ap.add_argument("--on-reboot", choices=ACTIONS, default="restart")
    ap.add_argument("--on-crash", choices=ACTIONS, default="destroy",
                    help="preserve keeps a crashed domain for inspection")
    return ap.parse_args(argv)


def domain_from_args(a):
    if not os.path.isfile(a.image):
        raise Fatal(f"no image at {a.image} (build it first: xenith build)")
    from .run import image_mode  # the ELF notes say PV or PVH
    gtype = "pvh" if image_mode(a.image) == "pvh" else "pv"
    # Checked here, not in Domain: `xenith run` passes what it is given to
    # xl, whose own error is the test of a refused domain.
    if gtype == "pv" and a.memory is not None and a.memory < 4:
        raise Fatal(f"--memory {a.memory}: a PV guest needs at least 4 MB "
                    "(xl rounds the initial mapping up to 4 MiB)")
    if a.vcpus < 1:
        raise Fatal(f"--vcpus {a.vcpus}: at least 1")
    name = a.name or re.sub(r"\.stripped$", "", os.path.basename(a.image))
    vifs = []
    for i, spec in enumerate(a.vif):
        v = parse_vif(spec)
        v.setdefault("mac", mac_for(f"{name}/{i}"))
        vifs.append(v)
    return Domain(name=name,
                  kernel=a.kernel_path or os.path.abspath(a.image),
                  memory=a.memory or image_memory(a.image) or 32,
                  vcpus=a.vcpus, cmdline=a.cmdline, vifs=vifs,
                  disks=[parse_disk(s, i) for i, s in enumerate(a.disk)],
                  on_poweroff=a.on_poweroff, on_reboot=a.on_reboot,
                  on_crash=a.on_crash, type=gtype)


def cmd(argv):
    a = parse(argv)
    dom = domain_from_args(a)
    text = xl(dom) if a.format == "xl" else libvirt(dom)
    if a.output:
        with open(a.output, "w") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0
