"""Apache Jena's SHACL validator as a baseline (``shacl validate``), if Java and Jena are here.

Debian packages Jena as jars only (``apt-get install default-jre-headless
libapache-jena-java``). Two things keep ``java -cp '/usr/share/java/*' shacl.shacl``
from starting there, both worked around without touching the system:

- two SLF4J bindings on the classpath (log4j-over-slf4j and slf4j-log4j12): the
  classpath leaves out the bridges and the extra bindings;
- Debian's Jena uses a relocated Xerces (package ``xerces``) without its message
  bundles: they are copied, renamed, from the bundles jena-core carries for its own
  copy (``org/apache/jena/ext/xerces``) into a folder put first on the classpath.

Jena validates one file: the merged graph that ``defcoop validate`` checks (the
ontology, the data, and the class and property hierarchy of ``ontology/imports``),
written as N-Triples by `write_merged` (not timed).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

JARS = Path("/usr/share/java")
_LEAVE_OUT = ("log4j-over-slf4j", "slf4j-log4j12", "slf4j-jdk14", "slf4j-nop", "slf4j-simple",
              "jcl-over-slf4j", "slf4j-jcl")
_BUNDLES = "org/apache/jena/ext/xerces/"


def available() -> bool:
    return shutil.which("java") is not None and (JARS / "jena-shacl.jar").exists()


def command(work: Path, shapes: Path, data: Path) -> list[str]:
    """``java ... shacl.shacl validate`` for ``shapes`` and ``data``."""
    return ["java", "-cp", classpath(work), "shacl.shacl", "validate", "--shapes", str(shapes),
            "--data", str(data)]


def classpath(work: Path) -> str:
    """A classpath on which Debian's Jena commands start (``shacl.shacl``, ``arq.rsparql``)."""
    bundles = work / "jena-bundles"
    if not bundles.exists():
        with zipfile.ZipFile(JARS / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith(_BUNDLES) and name.endswith(".properties"):
                    target = bundles / "xerces" / name[len(_BUNDLES):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    jars = [str(p) for p in sorted(JARS.glob("*.jar")) if not p.name.startswith(_LEAVE_OUT)]
    return ":".join([str(bundles), *jars])


def write_merged(corpus: Path, out: Path) -> int:
    """The graph ``defcoop validate`` checks, as N-Triples; the number of triples."""
    import pyoxigraph as ox

    from defcoop.validation import schema as terms
    from defcoop.graph.files import default_sources

    store = ox.Store()
    for source in default_sources(corpus):
        store.load(path=str(source.path), format=ox.RdfFormat.TURTLE,
                   base_iri=Path(source.path).resolve().as_uri())
    hierarchy = ("http://www.w3.org/2000/01/rdf-schema#subClassOf",
                 "http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
    for path in terms.import_files():
        store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                     for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
                     if q.predicate.value in hierarchy)
    store.dump(output=str(out), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return len(store)


def shapes_file(corpus: Path, out: Path) -> Path:
    """The shapes files as one Turtle file."""
    import pyoxigraph as ox

    files = sorted((corpus / "ontology").glob("shapes*.ttl"))
    quads = [q for f in files for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
    out.write_bytes(ox.serialize([q.triple for q in quads], format=ox.RdfFormat.TURTLE))
    return out
