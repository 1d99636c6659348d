# Validate the project's ontology and data with its own rules (issue 3): SHACL
# shapes, declared terms, quotes against the letter. Sourced by .ci/run (set -e)
# after the package is installed: the run fails unless the project conforms, with
# warnings counted as failures.
defcoop validate --strict
