"""Generate a synthetic corpus shaped like the real graph, at a given size.

The letter's document file is replicated with fresh identifiers: every IRI under
``https://w3id.org/defcoop/id/`` that the shared reference data does not define gets a
per-copy suffix (``agr:doi-nl-de-2019`` -> ``agr:doi-nl-de-2019-s00042``), except a
membership of a shared actor in a shared organisation (the same fact in every letter:
it is written once, to ``data/reference/synthetic-memberships.ttl``); every date is
shifted by a per-copy number of years, identifiers get the suffix too, and blank nodes
are fresh (one file per copy). Classes, links, typed dates (xsd:date, xsd:gYearMonth,
xsd:gYear), statuses and the oa:Annotation provenance nodes (quotes with positions
into the same source text) are kept as the letter has them. The
ontology, vocabularies, shared reference data, source texts and stored queries are
copied unchanged, so the output is a project folder that ``DEFCOOP_HOME`` can point
at::

    DEFCOOP_HOME=/tmp/corpus-100k defcoop query ...

``--defects N`` injects N known defects (see `DEFECTS`), listed in ``defects.json``
with the document, the focus node and the property, for validation tests.

Usage: python benchmarks/generate.py --triples 100000 --out /tmp/corpus-100k [--defects 20]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox

ID = "https://w3id.org/defcoop/id/"
DCO = "https://w3id.org/defcoop/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
DCTERMS = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
DATE_TYPES = {XSD + "date", XSD + "gYearMonth", XSD + "gYear", XSD + "dateTime"}
IDENTIFIER = DCTERMS + "identifier"

#: kind -> what is done to one document (each is a real violation of the model)
DEFECTS = {
    "missing-status": "an agreement or project loses its dco:status",
    "bad-date": "a dco:date gets an impossible xsd:date (30 February)",
    "plain-date": "a dco:date becomes a plain string",
    "dangling-partner": "a dco:partner points to an IRI that nothing defines",
    "quote-mismatch": "an annotation's oa:exact no longer matches its source text",
}

PREFIXES = {
    "dco": DCO,
    "id": ID,
    "doc": ID + "document/",
    "agr": ID + "agreement/",
    "ev": ID + "event/",
    "prj": ID + "project/",
    "prog": ID + "programme/",
    "cap": ID + "capability/",
    "coop": ID + "cooperation/",
    "mem": ID + "membership/",
    "post": ID + "post/",
    "qty": ID + "quantity/",
    "cit": ID + "citation/",
    "status": "https://w3id.org/defcoop/vocab/status/",
    "precision": "https://w3id.org/defcoop/vocab/precision/",
    "season": "https://w3id.org/defcoop/vocab/season/",
    "datequal": "https://w3id.org/defcoop/vocab/date-qualifier/",
    "theme": "https://w3id.org/defcoop/vocab/theme/",
    "caparea": "https://w3id.org/defcoop/vocab/capability-area/",
    "role": "https://w3id.org/defcoop/vocab/role/",
    "oa": OA,
    "org": "http://www.w3.org/ns/org#",
    "dcterms": DCTERMS,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "xsd": XSD,
}


def project_root() -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from defcoop import resources

    return resources.root()


def read_triples(path: Path) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


class Template:
    """One real document, ready to be copied with fresh identifiers."""

    def __init__(self, document: Path, reference_files: list[Path]):
        self.name = document.stem
        self.triples = read_triples(document)
        shared = set()
        for f in reference_files:
            shared |= {t.subject for t in read_triples(f) if isinstance(t.subject, ox.NamedNode)}
        terms = {x for t in self.triples for x in (t.subject, t.object)}
        local = {
            x for x in terms
            if isinstance(x, ox.NamedNode) and x.value.startswith(ID) and x not in shared
        }
        # a membership of a shared actor in a shared organisation (a minister in her
        # office, the Netherlands in NATO) is the same fact in every letter: it goes to
        # the shared reference data once (`shared_triples`) and copies link to it
        # (renamed, it would give every shared person one office per copy, and joins
        # through it would grow with the square of the corpus)
        ends: dict = {}
        for t in self.triples:
            if t.predicate.value in (ORG + "member", ORG + "organization"):
                ends.setdefault(t.subject, []).append(t.object)
        stable = {m for m, objs in ends.items() if len(objs) == 2 and not local & set(objs)}
        self.shared_triples = [t for t in self.triples if t.subject in stable]
        self.triples = [t for t in self.triples if t.subject not in stable]
        self.local = local - stable

    def copy(self, n: int) -> list[ox.Triple]:
        """Copy number ``n``: fresh IRIs, dates shifted by ``n % 25`` years."""
        suffix = f"-s{n:05d}"
        shift = n % 25
        renamed = {x: ox.NamedNode(x.value + suffix) for x in self.local}
        memo: dict = {}

        def term(x):
            if x in renamed:
                return renamed[x]
            if isinstance(x, ox.Literal) and x.datatype.value in DATE_TYPES and shift:
                y = memo.get(x)
                if y is None:
                    y = memo[x] = shift_date(x, shift)
                return y
            return x

        out = []
        for t in self.triples:
            o = t.object
            if t.predicate.value == IDENTIFIER and isinstance(o, ox.Literal):
                o = ox.Literal(o.value + suffix)
            else:
                o = term(o)
            out.append(ox.Triple(term(t.subject), t.predicate, o))
        return out


def shift_date(literal: ox.Literal, years: int) -> ox.Literal:
    def bump(m):
        year = int(m.group(1)) + years
        # 29 February only in leap years
        rest = m.group(2)
        if rest.startswith("-02-29") and not (year % 4 == 0 and (year % 100 or year % 400 == 0)):
            rest = "-02-28" + rest[6:]
        return f"{year:04d}{rest}"

    value = re.sub(r"^(\d{4})(.*)$", bump, literal.value)
    return ox.Literal(value, datatype=literal.datatype)


def inject(triples: list[ox.Triple], kind: str, n: int, rng: random.Random) -> tuple[list, dict]:
    """Apply one defect of ``kind`` to a copy; returns the triples and what was done."""
    P = ox.NamedNode
    if kind == "missing-status":
        candidates = [t for t in triples if t.predicate.value == DCO + "status"
                      and "/agreement/" in t.subject.value]
        victim = rng.choice(candidates)
        return [t for t in triples if t != victim], _report(kind, victim)
    if kind in ("bad-date", "plain-date"):
        candidates = [t for t in triples if t.predicate.value == DCO + "date"
                      and t.object.datatype.value == XSD + "date"]
        victim = rng.choice(candidates)
        if kind == "bad-date":
            new = ox.Literal(victim.object.value[:4] + "-02-30", datatype=P(XSD + "date"))
        else:
            new = ox.Literal(victim.object.value)
        return _replace(triples, victim, new), _report(kind, victim)
    if kind == "dangling-partner":
        candidates = [t for t in triples if t.predicate.value == DCO + "partner"]
        victim = rng.choice(candidates)
        new = P(f"{ID}nowhere-{n:05d}")
        return _replace(triples, victim, new), _report(kind, victim, value=new.value)
    if kind == "quote-mismatch":
        candidates = [t for t in triples if t.predicate.value == OA + "exact"]
        victim = rng.choice(candidates)
        new = ox.Literal(victim.object.value[::-1])
        return _replace(triples, victim, new), _report(kind, victim)
    raise ValueError(f"unknown defect kind {kind!r}")


def _replace(triples, victim, new_object):
    return [ox.Triple(t.subject, t.predicate, new_object) if t == victim else t for t in triples]


def _report(kind, triple, **extra):
    focus = triple.subject
    return {
        "kind": kind,
        "focus": focus.value if isinstance(focus, ox.NamedNode) else "_:",
        "path": triple.predicate.value,
        **extra,
    }


def generate(triples: int, out: Path, defects: int = 0, seed: int = 6) -> dict:
    root = project_root()
    if out.exists():
        shutil.rmtree(out)
    (out / "data" / "documents").mkdir(parents=True)
    for folder in ("ontology", "queries", "data/reference", "data/sources"):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, out / folder, dirs_exist_ok=True)

    reference = sorted((root / "data" / "reference").glob("*.ttl"))
    base = sum(len(read_triples(f)) for f in sorted((root / "ontology").glob("*.ttl"))
               if not f.name.startswith("shapes"))
    base += sum(len(read_triples(f)) for f in reference)
    templates = [Template(d, reference) for d in sorted((root / "data" / "documents").glob("*.ttl"))]
    memberships = sorted({t for tpl in templates for t in tpl.shared_triples}, key=str)
    if memberships:
        header = (
            "# Memberships of shared actors in shared organisations, stated once for every\n"
            "# synthetic document. Generated by benchmarks/generate.py for benchmarking only.\n\n"
        ).encode()
        data = ox.serialize(memberships, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        (out / "data" / "reference" / "synthetic-memberships.ttl").write_bytes(header + data)
        base += len(memberships)
    per_copy = sum(len(t.triples) for t in templates) / len(templates)
    copies = max(1, math.ceil((triples - base) / per_copy))

    rng = random.Random(seed)
    kinds = sorted(DEFECTS)
    defective = set(rng.sample(range(copies), min(defects, copies))) if defects else set()
    injected = []
    written = base
    for n in range(copies):
        template = templates[n % len(templates)]
        name = f"syn-{n:05d}"
        body = template.copy(n)
        if n in defective:
            kind = kinds[len(injected) % len(kinds)]
            body, what = inject(body, kind, n, rng)
            injected.append({"document": f"data/documents/{name}.ttl", **what})
        header = (
            f"# Synthetic document {name}: a copy of {template.name} with fresh identifiers\n"
            f"# (suffix -s{n:05d}) and dates shifted by {n % 25} years. Generated by\n"
            "# benchmarks/generate.py for benchmarking only: not data of the project.\n\n"
        ).encode()
        data = ox.serialize(body, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        (out / "data" / "documents" / f"{name}.ttl").write_bytes(header + data)
        written += len(body)

    manifest = {
        "requested_triples": triples,
        "triples": written,
        "documents": copies,
        "shared_triples": base,
        "seed": seed,
        "defects": len(injected),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (out / "defects.json").write_text(json.dumps(injected, indent=2) + "\n")
    return manifest


def parse_size(text: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 10k, 100k, 1M)")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    return int(float(m.group(1)) * factor)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=parse_size, required=True, help="target size, e.g. 10k, 1M")
    ap.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    ap.add_argument("--defects", type=int, default=0, help="number of defects to inject")
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args(argv)
    manifest = generate(args.triples, args.out, args.defects, args.seed)
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
