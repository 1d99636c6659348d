"""The shapes graph, indexed once per content: its paths, its parts, its blank-node signatures."""
