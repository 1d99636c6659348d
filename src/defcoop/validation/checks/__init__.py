"""The checks SHACL cannot make: declared terms, documented minted terms, class use, typed nodes, links, quotes."""
