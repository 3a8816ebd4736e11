"""Frame wrappers: the canonical units table in, tidy result tables out (indices, local
indices, clusters, scales, years, regions), for one municipality or a batch of them."""
