"""The network wing: links, ISL topology, the routing graph (:mod:`.graph`) and its parallel
runner (:mod:`.runner`); round trips (:mod:`.roundtrip`), compute placement (:mod:`.offload`)
and event-to-insight (:mod:`.insight`)."""
