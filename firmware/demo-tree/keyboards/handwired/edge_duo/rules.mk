# qmk-edge demo tree: handwired/edge_duo has revisions; `make handwired/edge_duo:<km>` builds
# this one, as QMK's DEFAULT_FOLDER does (the firmware is then handwired_edge_duo_rev1_<km>.hex).
DEFAULT_FOLDER = handwired/edge_duo/rev1
