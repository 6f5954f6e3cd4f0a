"""Apache Jena's command-line tools from Debian's libapache-jena-java, made runnable for tests.

Debian ships the jars only (no `shacl`, `riot` or `arq` scripts), and two packaging traps stop
every command at start (see shared RECIPES.md):

1. The shaded Xerces classes (package ``xerces.*``) look up their message bundles at
   ``xerces/...`` while jena-core holds them at ``org/apache/jena/ext/xerces/...``; without them
   the first datatype check dies with ``RuntimeException: internal error`` in
   ``XSSimpleTypeDecl.applyFacets1``. We copy the bundles to a ``xerces/`` tree in a scratch
   folder and put that folder first on the classpath.
2. ``-cp '/usr/share/java/*'`` brings in several slf4j bindings and dies; we list the jars
   Jena needs explicitly, with exactly one binding (slf4j-simple).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from rdflib import Graph

JAVA_DIR = Path(os.environ.get("KGTOOL_JAVA_DIR", "/usr/share/java"))

#: The jars Jena's commands need, as globs in JAVA_DIR; one slf4j binding only.
JAR_GLOBS = (
    "jena-*.jar", "commons-*.jar", "jackson-*.jar", "gson*.jar", "guava*.jar",
    "httpclient*.jar", "httpcore*.jar", "dexx*.jar", "jsonld-java*.jar", "titanium-json-ld*.jar",
    "jakarta.json-api*.jar", "protobuf*.jar", "thrift*.jar", "slf4j-api*.jar", "slf4j-simple*.jar",
)

_BUNDLE_PREFIX = "org/apache/jena/ext/"


def missing() -> str | None:
    """Why Jena cannot run here, or None when it can.

    >>> missing() is None or "Jena" in missing() or "java" in missing()
    True
    """
    if shutil.which("java") is None:
        return "no `java` on PATH (Debian: default-jre-headless)"
    if not any(JAVA_DIR.glob("jena-cmds*.jar")):
        return f"Apache Jena is not installed: no jena-cmds jar in {JAVA_DIR} (Debian: libapache-jena-java)"
    return None


def jars() -> list[Path]:
    """The jars to put on the classpath, each once (Debian has versioned names and symlinks)."""
    seen: dict[Path, Path] = {}
    for pattern in JAR_GLOBS:
        for jar in sorted(JAVA_DIR.glob(pattern)):
            seen.setdefault(jar.resolve(), jar)
    return list(seen.values())


def xerces_bundles(into: Path) -> Path:
    """Copy the shaded Xerces message bundles to into/xerces/..., where the classes look for them."""
    for jar in sorted(JAVA_DIR.glob("jena-core*.jar")):
        with zipfile.ZipFile(jar) as archive:
            for name in archive.namelist():
                if name.startswith(_BUNDLE_PREFIX + "xerces/") and name.endswith(".properties"):
                    target = into / name[len(_BUNDLE_PREFIX):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(name))
        break
    return into


def classpath(workdir: Path) -> str:
    """A java -cp value: the bundle folder first, then the explicit jar list."""
    bundles = xerces_bundles(workdir / "xerces-bundles")
    return os.pathsep.join([str(bundles), *(str(j) for j in jars())])


def shacl_validate(shapes: Path, data: Path, *, workdir: Path, timeout: float = 300) -> Graph:
    """Run Jena's `shacl validate` and return its validation report as a graph.

    The command exits 0 whether or not the data conforms: read sh:conforms from the report.

    Raises:
        RuntimeError: if Jena fails, with its stderr.
    """
    # C1 only: a short run on a small machine spends more on C2 compilation than it saves.
    command = ["java", "-XX:TieredStopAtLevel=1", "-cp", classpath(workdir), "shacl.shacl", "validate",
               "--shapes", str(shapes), "--data", str(data)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"jena shacl exited {done.returncode}:\n{done.stderr[-4000:]}")
    report = Graph()
    report.parse(data=done.stdout, format="turtle")
    return report
